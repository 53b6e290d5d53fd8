#include "admin/usage_view.hpp"

#include <charconv>
#include <ctime>

#include "util/time.hpp"

namespace aiohub::admin {

std::optional<UsageBucket> parse_bucket(std::string_view name) {
  for (auto b : {UsageBucket::model, UsageBucket::key, UsageBucket::channel, UsageBucket::group,
                 UsageBucket::day, UsageBucket::hour, UsageBucket::minute})
    if (bucket_name(b) == name) return b;
  return std::nullopt;
}

std::string_view bucket_name(UsageBucket by) {
  switch (by) {
    case UsageBucket::model:
      return "model";
    case UsageBucket::key:
      return "key";
    case UsageBucket::channel:
      return "channel";
    case UsageBucket::group:
      return "group";
    case UsageBucket::minute:
      return "minute";
    case UsageBucket::hour:
      return "hour";
    case UsageBucket::day:
      return "day";
  }
  return "model";
}

bool is_time_bucket(UsageBucket by) {
  return by == UsageBucket::minute || by == UsageBucket::hour || by == UsageBucket::day;
}

std::string bucket_label(UsageBucket by, const UsageSummary& row) {
  if (!is_time_bucket(by)) return row.bucket;
  std::time_t t = static_cast<std::time_t>(row.bucket_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const char* format = by == UsageBucket::day ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M";
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

json::object usage_row_json(UsageBucket by, const UsageSummary& row) {
  json::object o;
  o["bucket"] = bucket_label(by, row);
  if (is_time_bucket(by)) o["bucket_ms"] = row.bucket_ms;
  o["requests"] = row.requests;
  o["errors"] = row.errors;
  o["input_tokens"] = row.input_tokens;
  o["output_tokens"] = row.output_tokens;
  o["cache_read_tokens"] = row.cache_read_tokens;
  o["cache_write_tokens"] = row.cache_write_tokens;
  o["reasoning_tokens"] = row.reasoning_tokens;
  o["cost_usd"] = usd_value(row.cost);
  o["cost_micros"] = row.cost;
  // Rounded to the nearest millisecond.
  o["avg_latency_ms"] = row.requests ? (row.latency_ms_total + row.requests / 2) / row.requests : 0;
  o["avg_ttfb_ms"] = row.ttfb_count ? (row.ttfb_ms_total + row.ttfb_count / 2) / row.ttfb_count : 0;
  return o;
}

json::object usage_json(UsageBucket by, const std::vector<UsageSummary>& rows) {
  json::array list;
  for (auto& r : rows) list.push_back(usage_row_json(by, r));
  json::object o;
  o["by"] = bucket_name(by);
  o["rows"] = std::move(list);
  return o;
}

std::optional<std::int64_t> parse_time_ago(std::string_view text, std::int64_t now_ms) {
  if (text.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && n >= 0) {
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (unit.empty()) return n;  // Unix milliseconds
    std::int64_t ms = 0;
    if (unit == "s") ms = 1000;
    if (unit == "m") ms = 60'000;
    if (unit == "h") ms = 3'600'000;
    if (unit == "d") ms = 86'400'000;
    if (unit == "w") ms = 7 * 86'400'000LL;
    if (ms && n <= 100'000'000) return now_ms - n * ms;
  }
  if (auto s = parse_rfc3339(text)) return *s * 1000;
  return std::nullopt;
}

json::object log_row_json(const UsageRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["ts_ms"] = r.ts_ms;
  o["request_id"] = r.request_id;
  o["key"] = r.key_name;
  o["group"] = r.group;
  o["channel"] = r.channel;
  o["model"] = r.model;
  o["upstream_model"] = r.upstream_model;
  o["endpoint"] = r.endpoint;
  o["stream"] = r.stream;
  o["input_tokens"] = r.usage.input;
  o["output_tokens"] = r.usage.output;
  o["cache_read_tokens"] = r.usage.cache_read;
  o["cache_write_tokens"] = r.usage.cache_write;
  o["reasoning_tokens"] = r.usage.reasoning;
  o["usage_estimated"] = r.usage_estimated;
  o["cost_usd"] = usd_value(r.cost);
  o["cost_micros"] = r.cost;
  o["latency_ms"] = r.latency_ms;
  o["ttfb_ms"] = r.ttfb_ms;
  o["status"] = r.status;
  o["error"] = r.error;
  o["attempts"] = attempts_value(r.attempts);
  return o;
}

}  // namespace aiohub::admin
