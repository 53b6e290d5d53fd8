#include "store/record_json.hpp"

#include <boost/json.hpp>

namespace aiohub {
namespace {

namespace json = boost::json;

json::value parse_or_null(std::string_view text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return nullptr;
  return v;
}

template <class T>
void put(json::object& o, const char* name, const std::optional<T>& v) {
  if (v) o[name] = *v;
}

template <class T>
void get(const json::object& o, const char* name, std::optional<T>& out) {
  if (auto* v = o.if_contains(name); v && v->is_int64()) out = static_cast<T>(v->get_int64());
}

void put_string(json::object& o, const char* name, const std::string& v) {
  if (!v.empty()) o[name] = v;
}

void get_string(const json::object& o, const char* name, std::string& out) {
  if (auto* v = o.if_contains(name); v && v->is_string()) out = std::string(v->get_string());
}

}  // namespace

std::string to_json(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}

std::string to_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (auto& [k, v] : m) o[k] = v;
  return json::serialize(o);
}

std::string to_json(const std::map<std::string, double>& m) {
  json::object o;
  for (auto& [k, v] : m) o[k] = v;
  return json::serialize(o);
}

std::string to_json(const RateLimits& limits) {
  json::object o;
  put(o, "rpm", limits.rpm);
  put(o, "tpm", limits.tpm);
  put(o, "concurrency", limits.concurrency);
  return json::serialize(o);
}

std::string to_json(const ChannelSettings& s) {
  json::object o;
  put(o, "connect_timeout_seconds", s.connect_timeout_seconds);
  put(o, "first_byte_timeout_seconds", s.first_byte_timeout_seconds);
  put(o, "idle_timeout_seconds", s.idle_timeout_seconds);
  if (!s.headers.empty()) {
    json::object h;
    for (auto& [k, v] : s.headers) h[k] = v;
    o["headers"] = std::move(h);
  }
  put_string(o, "path", s.path);
  put_string(o, "proxy", s.proxy);
  if (s.passthrough) o["passthrough"] = true;
  put_string(o, "region", s.region);
  put_string(o, "aws_access_key_id", s.aws_access_key_id);
  put_string(o, "aws_secret_access_key", s.aws_secret_access_key);
  put_string(o, "aws_session_token", s.aws_session_token);
  if (!s.stream_options) o["stream_options"] = false;
  put_string(o, "max_tokens_field", s.max_tokens_field);
  return json::serialize(o);
}

std::vector<std::string> strings_from_json(std::string_view text) {
  std::vector<std::string> out;
  auto v = parse_or_null(text);
  if (!v.is_array()) return out;
  for (auto& e : v.get_array())
    if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

std::map<std::string, std::string> map_from_json(std::string_view text) {
  std::map<std::string, std::string> out;
  auto v = parse_or_null(text);
  if (!v.is_object()) return out;
  for (auto& [k, e] : v.get_object())
    if (e.is_string()) out.emplace(std::string(k), std::string(e.get_string()));
  return out;
}

std::map<std::string, double> number_map_from_json(std::string_view text) {
  std::map<std::string, double> out;
  auto v = parse_or_null(text);
  if (!v.is_object()) return out;
  for (auto& [k, e] : v.get_object())
    if (e.is_number()) out.emplace(std::string(k), e.to_number<double>());
  return out;
}

RateLimits limits_from_json(std::string_view text) {
  RateLimits l;
  auto v = parse_or_null(text);
  if (!v.is_object()) return l;
  auto& o = v.get_object();
  get(o, "rpm", l.rpm);
  get(o, "tpm", l.tpm);
  get(o, "concurrency", l.concurrency);
  return l;
}

ChannelSettings settings_from_json(std::string_view text) {
  ChannelSettings s;
  auto v = parse_or_null(text);
  if (!v.is_object()) return s;
  auto& o = v.get_object();
  get(o, "connect_timeout_seconds", s.connect_timeout_seconds);
  get(o, "first_byte_timeout_seconds", s.first_byte_timeout_seconds);
  get(o, "idle_timeout_seconds", s.idle_timeout_seconds);
  if (auto* h = o.if_contains("headers"); h && h->is_object())
    for (auto& [k, v] : h->get_object())
      if (v.is_string()) s.headers.emplace(std::string(k), std::string(v.get_string()));
  get_string(o, "path", s.path);
  get_string(o, "proxy", s.proxy);
  if (auto* v = o.if_contains("passthrough"); v && v->is_bool()) s.passthrough = v->get_bool();
  get_string(o, "region", s.region);
  get_string(o, "aws_access_key_id", s.aws_access_key_id);
  get_string(o, "aws_secret_access_key", s.aws_secret_access_key);
  get_string(o, "aws_session_token", s.aws_session_token);
  if (auto* v = o.if_contains("stream_options"); v && v->is_bool())
    s.stream_options = v->get_bool();
  get_string(o, "max_tokens_field", s.max_tokens_field);
  return s;
}

}  // namespace aiohub
