// `aiohub usage`: usage and cost summaries, the same as GET /api/usage.
#include <iostream>

#include "admin/usage_view.hpp"
#include "cli/command.hpp"
#include "cli/text_table.hpp"
#include "util/time.hpp"

namespace aiohub::cli {

namespace json = boost::json;

namespace {

int print_usage(const DatabaseOptions& o, const std::string& by_text, const std::string& since_text,
                const std::string& until_text, bool as_json) {
  auto by = admin::parse_bucket(by_text);
  if (!by || *by == UsageBucket::minute)
    return fail("--by must be model, key, channel, group, day or hour", 2);
  const std::int64_t now = unix_now_ms();
  auto since = admin::parse_time_ago(since_text, now);
  if (!since)
    return fail("--since must be like 24h, 7d, 30m, an RFC 3339 time or Unix milliseconds", 2);
  std::optional<std::int64_t> until;
  if (!until_text.empty()) {
    until = admin::parse_time_ago(until_text, now);
    if (!until) return fail("--until must be like 1h, an RFC 3339 time or Unix milliseconds", 2);
  }
  auto store = o.open();
  auto rows = store->usage_by(*by, since, until);
  if (as_json) {
    std::cout << json::serialize(admin::usage_json(*by, rows)) << "\n";
    return 0;
  }
  TextTable table({std::string(admin::bucket_name(*by)), "requests", "errors", "input", "output",
                   "cache_read", "cache_write", "cost_usd", "avg_ms", "avg_ttfb_ms"},
                  {false, true, true, true, true, true, true, true, true, true});
  UsageSummary total;
  for (auto& r : rows) {
    auto v = admin::usage_row_json(*by, r);
    table.add({admin::bucket_label(*by, r).empty() ? "(none)" : admin::bucket_label(*by, r),
               std::to_string(r.requests), std::to_string(r.errors), std::to_string(r.input_tokens),
               std::to_string(r.output_tokens), std::to_string(r.cache_read_tokens),
               std::to_string(r.cache_write_tokens), usd_text(r.cost),
               json::serialize(v["avg_latency_ms"]), json::serialize(v["avg_ttfb_ms"])});
    total.requests += r.requests;
    total.errors += r.errors;
    total.input_tokens += r.input_tokens;
    total.output_tokens += r.output_tokens;
    total.cache_read_tokens += r.cache_read_tokens;
    total.cache_write_tokens += r.cache_write_tokens;
    total.cost += r.cost;
    total.latency_ms_total += r.latency_ms_total;
    total.ttfb_ms_total += r.ttfb_ms_total;
    total.ttfb_count += r.ttfb_count;
  }
  auto t = admin::usage_row_json(*by, total);
  table.add({"TOTAL", std::to_string(total.requests), std::to_string(total.errors),
             std::to_string(total.input_tokens), std::to_string(total.output_tokens),
             std::to_string(total.cache_read_tokens), std::to_string(total.cache_write_tokens),
             usd_text(total.cost), json::serialize(t["avg_latency_ms"]),
             json::serialize(t["avg_ttfb_ms"])});
  std::cout << table.render();
  return 0;
}

}  // namespace

void add_usage(CLI::App& app, Commands& out) {
  struct Options {
    DatabaseOptions db;
    std::string by = "model", since = "24h", until;
    bool as_json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("usage", "usage and cost summaries (the same as GET /api/usage)");
  o->db.add_to(cmd);
  cmd->add_option("--by", o->by, "model, key, channel, group, day or hour");
  cmd->add_option("--since", o->since, "24h (default), 7d, 30m, or an RFC 3339 time");
  cmd->add_option("--until", o->until, "end of the span (default: now)");
  cmd->add_flag("--json", o->as_json, "the JSON of GET /api/usage");
  out.push_back({cmd, [o] { return print_usage(o->db, o->by, o->since, o->until, o->as_json); }});
}

}  // namespace aiohub::cli
