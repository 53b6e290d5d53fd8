#include "billing/usage_writer.hpp"

#include <spdlog/spdlog.h>

#include "store/store.hpp"
#include "store/usage_spool.hpp"
#include "util/bounded.hpp"

namespace aiohub {
namespace {
constexpr std::size_t kBatch = 512;
constexpr auto kFlushEvery = std::chrono::milliseconds(200);
}  // namespace

void bound_client_text(UsageRecord& row) {
  auto bound = [](std::string& text, std::size_t max) {
    if (text.size() > max) text = bounded_for_log(text, max);
  };
  bound(row.model, kMaxLoggedName);
  bound(row.upstream_model, kMaxLoggedName);
  bound(row.key_name, kMaxLoggedName);
  bound(row.group, kMaxLoggedName);
  bound(row.channel, kMaxLoggedName);
  bound(row.error, kMaxLoggedError);
}

UsageWriter::UsageWriter(std::string database_url, UsageSinkOptions sink)
    : database_url_(std::move(database_url)),
      journal_file_(sink.journal_file),
      sink_(database_url_, std::move(sink)) {}

UsageWriter::~UsageWriter() {
  stop();
}

void UsageWriter::start() {
  if (!journal_file_.empty()) {
    try {
      journal_ = std::make_unique<UsageJournal>(journal_file_);
    } catch (const StoreError& e) {
      spdlog::warn("{}; rows are kept in memory only until written, a killed process loses them",
                   e.what());
    }
  }
  if (journal_) {
    auto left = journal_->recover();
    if (!left.empty())
      spdlog::warn("{} usage rows of a process that did not stop cleanly are written now",
                   left.size());
    for (auto& row : left) push(std::move(row));
  }
  thread_ = std::thread([this] { run(); });
}

void UsageWriter::push(UsageRecord row) {
  bound_client_text(row);
  // Encoded outside the lock every I/O thread takes; appended under it, so
  // that the journal's order is the queue's.
  const std::string encoded = journal_ ? usage_row_to_json(row) : std::string();
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (journal_)
      if (auto seq = journal_->append_encoded(encoded)) journal_seq_ = seq;
    queue_.push_back(std::move(row));
    wake = queue_.size() >= kBatch;
  }
  if (wake) wake_.notify_one();
}

void UsageWriter::push_health(ChannelHealthRecord health) {
  std::lock_guard lock(mutex_);
  std::string name = health.channel;
  health_[name] = std::move(health);
}

std::size_t UsageWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void UsageWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t UsageWriter::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

void UsageWriter::run() {
  std::unique_ptr<Store> store;  // channel health; usage rows go through sink_
  std::vector<UsageRecord> batch;
  std::map<std::string, ChannelHealthRecord> health;
  for (;;) {
    sink_.tick();
    bool last;
    std::uint64_t batch_seq;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kFlushEvery, [&] { return stopping_ || queue_.size() >= kBatch; });
      batch.swap(queue_);
      batch_seq = journal_seq_;
      for (auto& [name, h] : health_) health[name] = std::move(h);
      health_.clear();
      last = stopping_;
    }
    if (!health.empty()) {
      try {
        if (!store) store = open_store(database_url_);
        std::vector<ChannelHealthRecord> rows;
        for (auto& [name, h] : health) rows.push_back(h);
        store->write_channel_health(rows);
        health.clear();
      } catch (const std::exception& e) {
        // Kept for the next round; health is advisory, rows are money.
        spdlog::warn("channel health write failed: {}", e.what());
        store.reset();
      }
    }
    while (!batch.empty()) {
      try {
        sink_.write(batch);
        if (journal_) journal_->written_up_to(batch_seq);
        std::lock_guard lock(mutex_);
        written_ += batch.size();
        batch.clear();
      } catch (const std::exception& e) {
        // The database is busy or full: keep the rows and try again.
        spdlog::error("usage log write failed ({} rows kept for retry): {}", batch.size(),
                      e.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        std::lock_guard lock(mutex_);
        if (stopping_ && last) {
          // One more try on shutdown, then give up loudly rather than hang.
          try {
            sink_.write(batch);
            if (journal_) journal_->written_up_to(batch_seq);
            written_ += batch.size();
          } catch (const std::exception& e2) {
            spdlog::critical("{} usage rows could not be written: {}", batch.size(), e2.what());
          }
          batch.clear();
        }
      }
    }
    if (last) {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return;
    }
  }
}

}  // namespace aiohub
