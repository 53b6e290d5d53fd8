#pragma once
// Usage summaries and log rows as the admin API and `aiohub usage` and
// `aiohub logs` show them: one shape for both, so that the shell and the
// console always agree.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/json_util.hpp"
#include "store/store.hpp"

namespace aiohub::admin {

// "model", "key", "channel", "group", "day", "hour" (and "minute").
std::optional<UsageBucket> parse_bucket(std::string_view name);
std::string_view bucket_name(UsageBucket by);
bool is_time_bucket(UsageBucket by);

// "2026-11-29" (day), "2026-11-29T13:00" (hour, minute); names as they are.
std::string bucket_label(UsageBucket by, const UsageSummary& row);

// {bucket, requests, errors, *_tokens, cost_usd, cost_micros, avg_latency_ms, avg_ttfb_ms}
json::object usage_row_json(UsageBucket by, const UsageSummary& row);
// {"by": ..., "rows": [...]}
json::object usage_json(UsageBucket by, const std::vector<UsageSummary>& rows);

// One request of the log, as GET /api/logs and `aiohub logs --json` show it:
// {id, ts_ms, request_id, key, group, channel, model, upstream_model,
// endpoint, stream, *_tokens, usage_estimated, cost_usd, cost_micros,
// latency_ms, ttfb_ms, status, error, attempts}.
json::object log_row_json(const UsageRecord& r);

// A point in time for --since/--until: "24h", "7d", "30m", "90s" before
// `now_ms`, an RFC 3339 date-time or date, or Unix milliseconds.
std::optional<std::int64_t> parse_time_ago(std::string_view text, std::int64_t now_ms);

}  // namespace aiohub::admin
