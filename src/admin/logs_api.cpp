// /api/logs, /api/usage and /api/overview: reading the request log.
#include <charconv>
#include <limits>

#include "admin/json_util.hpp"
#include "admin/request.hpp"
#include "admin/usage_view.hpp"
#include "store/store.hpp"

namespace aiohub::admin {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 1000;

std::optional<std::int64_t> query_int(const AdminRequest& req, const std::string& name,
                                      std::int64_t min, std::int64_t max) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::nullopt;
  const std::string& v = it->second;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max)
    bad_request("'" + name + "' must be an integer from " + std::to_string(min) + " to " +
                std::to_string(max) + ".");
  return n;
}

std::optional<std::string> query_text(const AdminRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

void refuse_unknown_params(const AdminRequest& req, std::initializer_list<std::string_view> known) {
  for (auto& [k, v] : req.query) {
    bool ok = false;
    for (auto n : known) ok |= k == n;
    if (!ok) bad_request("Unknown query parameter '" + k + "'.");
  }
}

constexpr std::int64_t kMaxMs = 253402300799999;  // 9999-12-31

}  // namespace

AdminResponse logs_api(ApiContext& ctx, const AdminRequest& req) {
  if (req.method != "GET") return method_not_allowed(req, "GET");
  if (req.segments.size() == 2) {
    auto row = ctx.store.usage_row(req.segments[1]);
    if (!row) not_found("No request with id '" + req.segments[1] + "' in the log.");
    json::object o;
    o["log"] = log_row_json(*row);
    return {200, json::serialize(o), {}};
  }
  if (req.segments.size() != 1) not_found("Unknown admin API path.");
  refuse_unknown_params(
      req, {"key", "model", "channel", "group", "status", "since", "until", "limit", "before_id"});
  UsageQuery q;
  q.key_name = query_text(req, "key");
  q.model = query_text(req, "model");
  q.channel = query_text(req, "channel");
  q.group = query_text(req, "group");
  if (auto s = query_text(req, "status")) {
    if (*s == "error")
      q.errors_only = true;
    else
      q.status = static_cast<int>(*query_int(req, "status", 0, 999));
  }
  q.since_ms = query_int(req, "since", 0, kMaxMs);
  q.until_ms = query_int(req, "until", 0, kMaxMs);
  q.before_id = query_int(req, "before_id", 1, std::numeric_limits<std::int64_t>::max());
  q.limit = static_cast<int>(query_int(req, "limit", 1, kMaxLimit).value_or(kDefaultLimit));
  auto rows = ctx.store.query_usage(q);
  json::array list;
  for (auto& r : rows) list.push_back(log_row_json(r));
  json::object o;
  o["logs"] = std::move(list);
  // A full page may have more behind it; a short one is the end.
  o["next_before_id"] = static_cast<int>(rows.size()) == q.limit && !rows.empty()
                            ? json::value(rows.back().id)
                            : json::value(nullptr);
  return {200, json::serialize(o), {}};
}

AdminResponse usage_api(ApiContext& ctx, const AdminRequest& req) {
  if (req.method != "GET") return method_not_allowed(req, "GET");
  if (req.segments.size() != 1) not_found("Unknown admin API path.");
  refuse_unknown_params(req, {"by", "since", "until"});
  auto by_text = query_text(req, "by").value_or("model");
  auto by = parse_bucket(by_text);
  if (!by || *by == UsageBucket::minute)
    bad_request("'by' must be one of model, key, channel, group, day, hour.");
  auto rows = ctx.store.usage_by(*by, query_int(req, "since", 0, kMaxMs),
                                 query_int(req, "until", 0, kMaxMs));
  return {200, json::serialize(usage_json(*by, rows)), {}};
}

namespace {

json::array top(Store& store, UsageBucket by, std::int64_t since, std::int64_t until) {
  auto rows = store.usage_by(by, since, until);
  json::array out;
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i) out.push_back(usage_row_json(by, rows[i]));
  return out;
}

}  // namespace

AdminResponse overview_api(ApiContext& ctx, const AdminRequest& req) {
  if (req.method != "GET") return method_not_allowed(req, "GET");
  if (req.segments.size() != 1) not_found("Unknown admin API path.");
  refuse_unknown_params(req, {"window"});
  const std::string window = query_text(req, "window").value_or("day");
  UsageBucket width;
  std::int64_t width_ms, count;
  if (window == "hour") {
    width = UsageBucket::minute, width_ms = 60'000, count = 60;
  } else if (window == "day") {
    width = UsageBucket::hour, width_ms = 3'600'000, count = 24;
  } else if (window == "month") {
    width = UsageBucket::day, width_ms = 86'400'000, count = 30;
  } else {
    bad_request("'window' must be hour, day or month.");
  }
  // The last bucket is the one now falls in; the series ends there.
  const std::int64_t last = ctx.now_ms / width_ms * width_ms;
  const std::int64_t since = last - (count - 1) * width_ms;
  const std::int64_t until = last + width_ms;

  auto rows = ctx.store.usage_by(width, since, until);
  UsageSummary totals;
  json::array series;
  std::size_t next = 0;
  for (std::int64_t b = since; b < until; b += width_ms) {
    UsageSummary s;
    s.bucket_ms = b;
    if (next < rows.size() && rows[next].bucket_ms == b) s = rows[next++];
    json::object point;
    point["bucket_ms"] = b;
    point["requests"] = s.requests;
    point["errors"] = s.errors;
    point["input_tokens"] = s.input_tokens;
    point["output_tokens"] = s.output_tokens;
    point["cost_usd"] = usd_value(s.cost);
    point["cost_micros"] = s.cost;
    series.push_back(std::move(point));
    totals.requests += s.requests;
    totals.errors += s.errors;
    totals.input_tokens += s.input_tokens;
    totals.output_tokens += s.output_tokens;
    totals.cache_read_tokens += s.cache_read_tokens;
    totals.cache_write_tokens += s.cache_write_tokens;
    totals.reasoning_tokens += s.reasoning_tokens;
    totals.cost += s.cost;
    totals.latency_ms_total += s.latency_ms_total;
    totals.ttfb_ms_total += s.ttfb_ms_total;
    totals.ttfb_count += s.ttfb_count;
  }
  json::object total_json = usage_row_json(UsageBucket::model, totals);
  total_json.erase("bucket");
  json::object o;
  o["window"] = window;
  o["since_ms"] = since;
  o["until_ms"] = until;
  o["series"] = std::move(series);
  o["totals"] = std::move(total_json);
  o["top_models"] = top(ctx.store, UsageBucket::model, since, until);
  o["top_keys"] = top(ctx.store, UsageBucket::key, since, until);
  o["top_channels"] = top(ctx.store, UsageBucket::channel, since, until);
  return {200, json::serialize(o), {}};
}

}  // namespace aiohub::admin
