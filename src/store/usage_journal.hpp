#pragma once
// The usage rows of answered requests that are not yet committed (nor queued
// on disk) live in the usage writer's memory for up to a batch interval. So
// that a killed process (kill -9, OOM) does not lose them, each row is also
// copied into a fixed-size file mapped into memory: appending is a memcpy
// under the writer's lock, no system call on the I/O thread, and the kernel
// keeps the pages when the process dies. A restart on the same data directory
// writes what was left. (A machine crash can still lose the last rows: the
// pages are not fsync'd.) Replayed rows may already be committed: both
// stores skip request ids they have logged.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include "domain/records.hpp"

namespace aiohub {

class UsageJournal {
 public:
  // Maps `file` (created, `capacity` bytes). Throws StoreError.
  UsageJournal(std::filesystem::path file, std::size_t capacity = 64u << 20);
  ~UsageJournal();
  UsageJournal(const UsageJournal&) = delete;
  UsageJournal& operator=(const UsageJournal&) = delete;

  // The rows a previous process appended and never marked written, oldest
  // first; the journal is empty afterwards. Call once, before appending.
  std::vector<UsageRecord> recover();
  // The row's sequence number; 0 when it did not fit (the journal is full of
  // rows not yet written: the row then lives in memory only).
  std::uint64_t append(const UsageRecord& row);
  // The same for a row already in the journal's text form (usage_row_to_json):
  // callers that append under a lock of their own encode before taking it.
  std::uint64_t append_encoded(std::string_view text);
  // Rows up to `seq` are committed or queued on disk: their space is free.
  void written_up_to(std::uint64_t seq);

 private:
  struct Pending {
    std::uint64_t seq;
    std::uint64_t end;  // offset just past the entry
  };

  std::mutex mutex_;
  int fd_ = -1;
  char* base_ = nullptr;
  std::size_t capacity_;
  std::size_t mapped_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t write_off_;
  std::vector<Pending> pending_;  // appended, not yet written, in order
  std::size_t pending_head_ = 0;
};

}  // namespace aiohub
