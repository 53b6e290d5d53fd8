#pragma once
// Usage rows leave the I/O threads through a queue and reach the database in
// batches, in one transaction with the matching balance updates, on a
// thread of their own. Stopping drains the queue: no acknowledged row is lost
// on a clean shutdown.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/records.hpp"
#include "store/usage_journal.hpp"
#include "store/usage_sink.hpp"

namespace aiohub {

// Cuts the client-chosen text of a row (the model a client named, an error
// that quotes it) to the bounds of util/bounded.hpp. Applied where rows are
// built and again by UsageWriter::push, the way every row takes to a store.
void bound_client_text(UsageRecord& row);

class UsageWriter {
 public:
  explicit UsageWriter(std::string database_url, UsageSinkOptions sink = {});
  ~UsageWriter();

  void start();
  // Queues a row (its text bounded, see bound_client_text).
  void push(UsageRecord row);
  // The latest health of a channel, written with the next batch (only the
  // newest state per channel is kept).
  void push_health(ChannelHealthRecord health);
  std::size_t queued() const;
  // Writes everything queued, then ends the thread.
  void stop();

  std::uint64_t written() const;
  // Rows waiting on local disk for the database (cluster mode).
  std::size_t queued_on_disk() const { return sink_.queued(); }

 private:
  void run();

  std::string database_url_;
  std::filesystem::path journal_file_;
  UsageSink sink_;
  std::unique_ptr<UsageJournal> journal_;
  std::uint64_t journal_seq_ = 0;  // of the newest row queued
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<UsageRecord> queue_;
  std::map<std::string, ChannelHealthRecord> health_;
  bool stopping_ = false;
  std::uint64_t written_ = 0;
  std::thread thread_;
};

}  // namespace aiohub
