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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/records.hpp"

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

}  // namespace aiohub
