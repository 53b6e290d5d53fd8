#pragma once
// Where the usage writer's batches go: the database, or the disk queue while
// a PostgreSQL database is away; and, in cluster mode, what the other
// instances sharing the database have charged each key since.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/records.hpp"
#include "store/usage_spool.hpp"

namespace aiohub {

class Store;

struct UsageSinkOptions {
  // Where rows wait while a PostgreSQL database is unreachable; empty: they
  // wait in memory (and SQLite, a local file, never uses it).
  std::filesystem::path spool_dir;
  // PostgreSQL only: rows not yet written survive a killed process here
  // (store/usage_journal.hpp); empty: they do not.
  std::filesystem::path journal_file;
  // When set, this instance reports itself (with its queue length) to the
  // database every few seconds, for `aiohub status`.
  std::optional<InstanceRecord> instance;
  // PostgreSQL only: called about once a second with what *other* instances
  // charged each key (with a quota) since the last call, micro-USD by key id,
  // so that this instance's quota checks count the whole cluster's spending.
  std::function<void(const std::map<std::int64_t, Micros>&)> on_others_spent;
};

// Where the usage writer's batches go: the database, or the disk queue while
// the database is away. Used by one thread.
class UsageSink {
 public:
  UsageSink(std::string database_url, UsageSinkOptions options);
  ~UsageSink();

  // On return the rows are committed or queued on disk. Throws when neither
  // worked (the caller keeps them and retries).
  void write(const std::vector<UsageRecord>& rows);
  // Replays the disk queue and reports the instance when due; call often.
  void tick();
  std::size_t queued() const { return spool_ ? spool_->rows() : 0; }

 private:
  Store& store();
  void try_replay();

  std::string url_;
  UsageSinkOptions options_;
  std::unique_ptr<UsageSpool> spool_;
  std::unique_ptr<Store> store_;
  std::int64_t next_replay_ms_ = 0;
  std::int64_t next_report_ms_ = 0;
  std::int64_t next_complaint_ms_ = 0;

  // Cluster spending: `used` per key as last read from the database, and what
  // this instance committed since (the rest of the difference is the others').
  void committed(const std::vector<UsageRecord>& rows);
  void share_spending(std::int64_t now_ms);
  std::map<std::int64_t, Micros> seen_used_;
  std::map<std::int64_t, Micros> own_since_;
  std::int64_t next_share_ms_ = 0;
};

}  // namespace aiohub
