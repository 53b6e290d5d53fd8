#pragma once
// The one interface to persistent state. Every back end (SQLite now,
// PostgreSQL for cluster mode) implements it and passes the same tests.
// A Store object is used by one thread at a time; threads open their own.
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/records.hpp"

namespace aiohub {

// Meta entries that are configuration (JSON array; "1"/"0").
inline constexpr const char* kAutoGroupsMeta = "auto_groups";
inline constexpr const char* kAllowFreeModelsMeta = "allow_free_models";
// The output, in tokens, a request is assumed to produce when its client
// sets no cap (decimal).
inline constexpr const char* kMaxOutputTokensMeta = "max_output_tokens";

// Which rows of the request log to read; a field left empty does not filter.
struct UsageQuery {
  std::optional<std::string> key_name;
  std::optional<std::string> model;
  std::optional<std::string> channel;
  std::optional<std::string> group;
  std::optional<int> status;              // exactly this status
  bool errors_only = false;               // status >= 400
  std::optional<std::int64_t> since_ms;   // ts_ms >= since_ms
  std::optional<std::int64_t> until_ms;   // ts_ms < until_ms
  std::optional<std::int64_t> before_id;  // id < before_id: the next page, newest first
  int limit = 50;
};

// What usage_by() groups the request log by. Time buckets are UTC and
// aligned to their length (minute, hour, day) since the Unix epoch.
enum class UsageBucket { model, key, channel, group, minute, hour, day };

// One row of a usage summary: sums over the rows of one bucket.
struct UsageSummary {
  std::string bucket;          // model, key name, channel or group; empty for time buckets
  std::int64_t bucket_ms = 0;  // time buckets: the bucket's start (Unix ms); else 0
  std::int64_t requests = 0;
  std::int64_t errors = 0;  // rows with status >= 400 (499: the client went away)
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  Micros cost = 0;
  std::int64_t latency_ms_total = 0;
  // Over the successful rows (status < 400): those had a first byte, even
  // one faster than a millisecond (ttfb_ms 0).
  std::int64_t ttfb_ms_total = 0;
  std::int64_t ttfb_count = 0;
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema.
  virtual void migrate() = 0;

  virtual std::optional<std::string> meta(std::string_view key) = 0;
  virtual void set_meta(std::string_view key, std::string_view value) = 0;
  // A meta value that is part of the configuration (the auto-group order and
  // the like): setting it moves the config revision.
  virtual void set_config_meta(std::string_view key, std::string_view value) = 0;

  // Bumped by every change to groups, channels, prices or keys, so that a
  // running gateway knows when to rebuild its snapshot.
  virtual std::int64_t config_revision() = 0;

  // The delete_* methods return false when nothing had that name; a
  // deletion moves the config revision like any other change. They do not
  // check references (the admin API refuses to delete a group in use).
  virtual std::vector<GroupRecord> groups() = 0;
  virtual void upsert_group(const GroupRecord& g) = 0;
  virtual bool delete_group(std::string_view name) = 0;

  virtual std::vector<ChannelRecord> channels() = 0;
  virtual void upsert_channel(const ChannelRecord& c) = 0;  // by name
  // Also forgets the channel's health row.
  virtual bool delete_channel(std::string_view name) = 0;

  virtual std::vector<PriceRecord> prices() = 0;
  virtual void upsert_price(const PriceRecord& p) = 0;
  virtual bool delete_price(std::string_view model) = 0;

  virtual std::vector<KeyRecord> keys() = 0;
  virtual std::optional<KeyRecord> key_by_name(std::string_view name) = 0;
  // Creates the key, or updates the one with the same name (its `used` is kept).
  virtual void upsert_key(const KeyRecord& k) = 0;
  virtual bool set_key_enabled(std::string_view name, bool enabled) = 0;
  // The key's usage rows stay (they keep its name).
  virtual bool delete_key(std::string_view name) = 0;
  // Each key's `used` (id -> micro-USD), for keys with a quota: how
  // instances sharing a database learn what the others have spent.
  virtual std::vector<std::pair<std::int64_t, Micros>> key_spending() = 0;

  // Appends the rows and adds each row's cost to its key's `used`, atomically.
  virtual void write_usage(const std::vector<UsageRecord>& rows) = 0;
  virtual std::vector<UsageRecord> recent_usage(int limit) = 0;
  // Rows matching `q`, newest first (by id), at most q.limit of them.
  virtual std::vector<UsageRecord> query_usage(const UsageQuery& q) = 0;
  // The row of one request (the newest, should an id repeat).
  virtual std::optional<UsageRecord> usage_row(std::string_view request_id) = 0;
  // Sums per bucket over since_ms <= ts_ms < until_ms (either end open when
  // absent). Named buckets come by cost, highest first (then requests, then
  // name); time buckets in ascending time, only those with rows.
  virtual std::vector<UsageSummary> usage_by(UsageBucket by, std::optional<std::int64_t> since_ms,
                                             std::optional<std::int64_t> until_ms) = 0;

  // What the gateway last recorded about each channel's health (the shell
  // and other processes read it; the running gateway keeps it in memory).
  virtual std::vector<ChannelHealthRecord> channel_health() = 0;
  virtual void write_channel_health(const std::vector<ChannelHealthRecord>& rows) = 0;

  // Running gateways report themselves every few seconds (upsert by id).
  virtual void record_instance(const InstanceRecord& r) = 0;
  virtual std::vector<InstanceRecord> instances() = 0;

  // Runs `fn` in one transaction.
  virtual void transaction(const std::function<void()>& fn) = 0;
};

// "sqlite://PATH" (relative) or "sqlite:///ABSOLUTE/PATH"; or a libpq URL,
// "postgres://user:password@host:5432/dbname" (also "postgresql://", and
// "postgresql:///dbname?host=/socket/dir").
std::unique_ptr<Store> open_store(std::string_view url);

bool is_postgres_url(std::string_view url);
// The file of a "sqlite://PATH" URL (PATH may be empty); nullopt for any other URL.
std::optional<std::string> sqlite_path_of(std::string_view url);
std::unique_ptr<Store> open_sqlite_store(const std::string& path);
std::unique_ptr<Store> open_postgres_store(const std::string& url);

}  // namespace aiohub
