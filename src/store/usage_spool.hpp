#pragma once
// When the shared database (PostgreSQL) cannot be reached, usage rows wait on
// local disk instead of in memory: an append-only queue of JSON-lines files in
// the data directory, fsync'd once per batch, replayed in order when the
// database is back, each file deleted once all its rows are committed.
// A replay may repeat rows already committed (the connection can fail after
// COMMIT); the PostgreSQL store skips request ids it already has.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace aiohub {

class Store;

class UsageSpool {
 public:
  // Creates `dir` if needed; rows left by an earlier run are counted and kept.
  explicit UsageSpool(std::filesystem::path dir);
  ~UsageSpool();
  UsageSpool(const UsageSpool&) = delete;
  UsageSpool& operator=(const UsageSpool&) = delete;

  // Durable on return (fsync'd). Throws StoreError when the disk refuses.
  void append(const std::vector<UsageRecord>& rows);
  // Writes every waiting row to `store`, oldest first, telling `committed`
  // about each batch. Throws on the first failure; what was committed before
  // it is gone from the queue.
  std::size_t replay(Store& store,
                     const std::function<void(const std::vector<UsageRecord>&)>& committed = {});
  std::size_t rows() const { return rows_.load(std::memory_order_relaxed); }

  // Rows waiting in a spool directory, for `aiohub status` (0 if none).
  static std::size_t count_rows(const std::filesystem::path& dir);
  // The time of the oldest waiting row (Unix ms), if any: the queue's lag.
  static std::optional<std::int64_t> oldest_row_ms(const std::filesystem::path& dir);

 private:
  std::vector<std::filesystem::path> files() const;
  void close_current();

  std::filesystem::path dir_;
  int fd_ = -1;  // the file being appended to
  std::uint64_t next_seq_ = 1;
  std::atomic<std::size_t> rows_{0};
};

// Serialised form of one queued row (one line, no newline).
std::string usage_row_to_json(const UsageRecord& r);
std::optional<UsageRecord> usage_row_from_json(std::string_view line);

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
