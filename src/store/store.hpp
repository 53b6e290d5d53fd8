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

#include "store/records.hpp"

namespace aiohub {

// A key in this routing value, not a group, is served by the first group of
// the `auto_groups` order that can serve its request.
inline constexpr const char* kAutoGroup = "auto";
// Meta entries that are configuration (JSON array; "1"/"0").
inline constexpr const char* kAutoGroupsMeta = "auto_groups";
inline constexpr const char* kAllowFreeModelsMeta = "allow_free_models";

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

  virtual std::vector<GroupRecord> groups() = 0;
  virtual void upsert_group(const GroupRecord& g) = 0;

  virtual std::vector<ChannelRecord> channels() = 0;
  virtual void upsert_channel(const ChannelRecord& c) = 0;  // by name

  virtual std::vector<PriceRecord> prices() = 0;
  virtual void upsert_price(const PriceRecord& p) = 0;

  virtual std::vector<KeyRecord> keys() = 0;
  virtual std::optional<KeyRecord> key_by_name(std::string_view name) = 0;
  // Creates the key, or updates the one with the same name (its `used` is kept).
  virtual void upsert_key(const KeyRecord& k) = 0;
  virtual bool set_key_enabled(std::string_view name, bool enabled) = 0;
  // Each key's `used` (id -> micro-USD), for keys with a quota: how
  // instances sharing a database learn what the others have spent.
  virtual std::vector<std::pair<std::int64_t, Micros>> key_spending() = 0;

  // Appends the rows and adds each row's cost to its key's `used`, atomically.
  virtual void write_usage(const std::vector<UsageRecord>& rows) = 0;
  virtual std::vector<UsageRecord> recent_usage(int limit) = 0;

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
std::unique_ptr<Store> open_sqlite_store(const std::string& path);
std::unique_ptr<Store> open_postgres_store(const std::string& url);

}  // namespace aiohub
