#include "admin/json_util.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace aiohub::admin {

void bad_request(const std::string& message) {
  throw ApiFailure(400, "invalid_request", message);
}
void not_found(const std::string& message) {
  throw ApiFailure(404, "not_found", message);
}
void conflict(const std::string& message) {
  throw ApiFailure(409, "conflict", message);
}
void throw_if_failed(const Status& s) {
  if (s.ok()) return;
  const ApiError& e = s.error();
  throw ApiFailure(e.status, e.type.empty() ? "invalid_request" : e.type, e.message);
}

std::string error_json(std::string_view type, std::string_view message) {
  json::object inner;
  inner["message"] = message;
  inner["type"] = type;
  json::object o;
  o["error"] = std::move(inner);
  return json::serialize(o);
}

json::object parse_object(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  if (i == body.size()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) bad_request("The request body is not valid JSON (" + ec.message() + ").");
  if (!v.is_object()) bad_request("The request body must be a JSON object.");
  return std::move(v.get_object());
}

const json::value* Fields::get(std::string_view key) {
  seen_.insert(std::string(key));
  const json::value* v = o_.if_contains(key);
  if (!v || v->is_null()) return nullptr;
  return v;
}

bool Fields::has(std::string_view key) {
  seen_.insert(std::string(key));
  return o_.contains(key);
}

bool Fields::present_null(std::string_view key) {
  seen_.insert(std::string(key));
  const json::value* v = o_.if_contains(key);
  return v && v->is_null();
}

std::optional<std::string> Fields::string(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) bad_request("'" + std::string(key) + "' must be a string.");
  return std::string(v->get_string());
}

std::optional<bool> Fields::boolean(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) bad_request("'" + std::string(key) + "' must be true or false.");
  return v->get_bool();
}

std::optional<std::int64_t> Fields::integer(std::string_view key, std::int64_t min,
                                            std::int64_t max) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_double() && std::trunc(v->get_double()) == v->get_double() &&
      std::fabs(v->get_double()) < 9e15)
    n = static_cast<std::int64_t>(v->get_double());
  if (!n || *n < min || *n > max)
    bad_request("'" + std::string(key) + "' must be an integer from " + std::to_string(min) +
                " to " + std::to_string(max) + ".");
  return n;
}

std::optional<double> Fields::number(std::string_view key, double min, double max) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) bad_request("'" + std::string(key) + "' must be a number.");
  double d = v->to_number<double>();
  if (!std::isfinite(d) || d < min || d > max)
    bad_request("'" + std::string(key) + "' is out of range.");
  return d;
}

std::optional<std::vector<std::string>> Fields::strings(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  const std::string msg = "'" + std::string(key) + "' must be an array of non-empty strings.";
  if (!v->is_array()) bad_request(msg);
  std::vector<std::string> out;
  for (auto& item : v->get_array()) {
    if (!item.is_string() || item.get_string().empty()) bad_request(msg);
    std::string s(item.get_string());
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::optional<std::map<std::string, std::string>> Fields::string_map(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  const std::string msg = "'" + std::string(key) + "' must be an object of strings.";
  if (!v->is_object()) bad_request(msg);
  std::map<std::string, std::string> out;
  for (auto& [k, item] : v->get_object()) {
    if (!item.is_string() || k.empty() || item.get_string().empty()) bad_request(msg);
    out[std::string(k)] = std::string(item.get_string());
  }
  return out;
}

std::optional<std::map<std::string, double>> Fields::number_map(std::string_view key, double min,
                                                                double max) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  const std::string msg = "'" + std::string(key) + "' must be an object of numbers from " +
                          std::to_string(min) + " to " + std::to_string(max) + ".";
  if (!v->is_object()) bad_request(msg);
  std::map<std::string, double> out;
  for (auto& [k, item] : v->get_object()) {
    if (k.empty() || !item.is_number()) bad_request(msg);
    const double d = item.to_number<double>();
    if (!std::isfinite(d) || d < min || d > max) bad_request(msg);
    out[std::string(k)] = d;
  }
  return out;
}

namespace {

std::optional<std::int64_t> positive_member(const json::object& o, std::string_view parent,
                                            std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_int64() || v->get_int64() <= 0)
    bad_request("'" + std::string(parent) + "." + std::string(key) +
                "' must be a positive integer or null.");
  return v->get_int64();
}

void refuse_other_members(const json::object& o, std::string_view parent,
                          std::initializer_list<std::string_view> allowed) {
  for (auto& [k, v] : o) {
    bool ok = false;
    for (auto a : allowed) ok |= k == a;
    if (!ok)
      bad_request("'" + std::string(parent) + "' has an unknown field '" + std::string(k) + "'.");
  }
}

}  // namespace

std::optional<RateLimits> Fields::limits(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) bad_request("'" + std::string(key) + "' must be an object.");
  const auto& o = v->get_object();
  refuse_other_members(o, key, {"rpm", "tpm", "concurrency"});
  RateLimits l;
  l.rpm = positive_member(o, key, "rpm");
  l.tpm = positive_member(o, key, "tpm");
  l.concurrency = positive_member(o, key, "concurrency");
  return l;
}

std::optional<ChannelSettings> Fields::settings(std::string_view key) {
  const json::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) bad_request("'" + std::string(key) + "' must be an object.");
  const auto& o = v->get_object();
  refuse_other_members(
      o, key, {"connect_timeout_seconds", "first_byte_timeout_seconds", "idle_timeout_seconds"});
  ChannelSettings s;
  auto seconds = [&](std::string_view name) -> std::optional<int> {
    auto n = positive_member(o, key, name);
    if (n && *n > 86'400)
      bad_request("'" + std::string(key) + "." + std::string(name) +
                  "' must be at most 86400 seconds.");
    if (!n) return std::nullopt;
    return static_cast<int>(*n);
  };
  s.connect_timeout_seconds = seconds("connect_timeout_seconds");
  s.first_byte_timeout_seconds = seconds("first_byte_timeout_seconds");
  s.idle_timeout_seconds = seconds("idle_timeout_seconds");
  return s;
}

void Fields::ignore(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) seen_.insert(std::string(k));
}

void Fields::refuse_unknown() const {
  for (auto& [k, v] : o_)
    if (!seen_.count(std::string_view(k))) bad_request("Unknown field '" + std::string(k) + "'.");
}

json::value usd_value(Micros m) {
  return json::value(micros_to_usd(m));
}

json::value opt_usd(const std::optional<Micros>& m) {
  return m ? usd_value(*m) : json::value(nullptr);
}

json::value opt_int(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.emplace_back(s);
  return a;
}

json::object string_object(const std::map<std::string, std::string>& m) {
  json::object o;
  for (auto& [k, v] : m) o[k] = v;
  return o;
}

json::object limits_json(const RateLimits& l) {
  json::object o;
  o["rpm"] = opt_int(l.rpm);
  o["tpm"] = opt_int(l.tpm);
  o["concurrency"] = opt_int(l.concurrency);
  return o;
}

json::object settings_json(const ChannelSettings& s) {
  auto opt = [](const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); };
  json::object o;
  o["connect_timeout_seconds"] = opt(s.connect_timeout_seconds);
  o["first_byte_timeout_seconds"] = opt(s.first_byte_timeout_seconds);
  o["idle_timeout_seconds"] = opt(s.idle_timeout_seconds);
  return o;
}

json::value attempts_value(std::string_view text) {
  if (text.empty()) return json::array{};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return json::array{};
  return v;
}

}  // namespace aiohub::admin
