#include "protocols/openai_wire.hpp"

#include <chrono>
#include <random>

namespace aiohub::openai_wire {

std::string new_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(prefix);
  for (int half = 0; half < 2; ++half) {
    auto bits = rng();
    for (int i = 0; i < 12; ++i, bits >>= 4) id.push_back(hex[bits & 0xf]);
  }
  return id;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const json::value* get(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

std::string_view get_string(const json::object& o, std::string_view key) {
  auto* v = get(o, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::int64_t get_int(const json::object& o, std::string_view key) {
  auto* v = get(o, key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) {  // out of range (1e25, say) the cast would be undefined
    const double d = v->get_double();
    if (d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
    return 0;
  }
  return 0;
}

bool parse_data_url(std::string_view url, std::string& mime, std::string& data) {
  if (!url.starts_with("data:")) return false;
  auto comma = url.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) return false;
  meta.remove_suffix(7);
  mime.assign(meta);
  data.assign(url.substr(comma + 1));
  return true;
}

std::string data_url(std::string_view mime, std::string_view data) {
  std::string url = "data:";
  url.append(mime);
  url.append(";base64,");
  url.append(data);
  return url;
}

std::string wrap_custom_input(std::string_view input) {
  return json::serialize(json::object{{"input", input}});
}

}  // namespace aiohub::openai_wire
