#include "protocols/openai_chat/wire.hpp"

#include <chrono>
#include <random>

namespace aiohub::openai_chat::wire {

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
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return 0;
}

Usage parse_usage(const json::value* usage) {
  Usage u;
  if (!usage || !usage->is_object()) return u;
  const auto& o = usage->get_object();
  u.reported = true;
  u.input = get_int(o, "prompt_tokens");
  u.output = get_int(o, "completion_tokens");
  if (auto* d = get(o, "prompt_tokens_details"); d && d->is_object()) {
    u.cache_read = get_int(d->get_object(), "cached_tokens");
    u.cache_write = get_int(d->get_object(), "cache_write_tokens");
  }
  if (auto* d = get(o, "completion_tokens_details"); d && d->is_object())
    u.reasoning = get_int(d->get_object(), "reasoning_tokens");
  return u;
}

json::object usage_json(const Usage& u) {
  json::object prompt_details{{"cached_tokens", u.cache_read}};
  // Only some upstreams report cache writes; a zero would claim knowledge.
  if (u.cache_write) prompt_details["cache_write_tokens"] = u.cache_write;
  return {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output},
          {"prompt_tokens_details", std::move(prompt_details)},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning}}}};
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

json::value custom_tool_schema() {
  return {{"type", "object"},
          {"properties", {{"input", {{"type", "string"}}}}},
          {"required", json::array{"input"}}};
}

std::string wrap_custom_input(std::string_view input) {
  return json::serialize(json::object{{"input", input}});
}

}  // namespace aiohub::openai_chat::wire
