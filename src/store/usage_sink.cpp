#include "store/usage_sink.hpp"

#include <spdlog/spdlog.h>

#include "store/store.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

constexpr std::int64_t kReplayEveryMs = 1000;
constexpr std::int64_t kReportEveryMs = 5000;
constexpr std::int64_t kComplainEveryMs = 30'000;
constexpr std::int64_t kShareEveryMs = 1000;

}  // namespace

UsageSink::UsageSink(std::string database_url, UsageSinkOptions options)
    : url_(std::move(database_url)), options_(std::move(options)) {
  if (!options_.spool_dir.empty() && is_postgres_url(url_)) {
    spool_ = std::make_unique<UsageSpool>(options_.spool_dir);
    if (spool_->rows() > 0)
      spdlog::warn("usage queue: {} rows from an earlier run wait in {}", spool_->rows(),
                   options_.spool_dir.string());
  }
}

UsageSink::~UsageSink() = default;

Store& UsageSink::store() {
  if (!store_) store_ = open_store(url_);
  return *store_;
}

void UsageSink::write(const std::vector<UsageRecord>& rows) {
  if (rows.empty()) return;
  if (!spool_) {
    try {
      store().write_usage(rows);
      committed(rows);
    } catch (...) {
      store_.reset();  // reopen next time: the connection may be what failed
      throw;
    }
    return;
  }
  if (spool_->rows() > 0) {
    // Older rows wait on disk: these go behind them, in order.
    spool_->append(rows);
    try_replay();
    return;
  }
  try {
    store().write_usage(rows);
    committed(rows);
  } catch (const std::exception& e) {
    store_.reset();
    spool_->append(rows);
    next_replay_ms_ = unix_now_ms() + kReplayEveryMs;
    spdlog::critical(
        "database unreachable ({}); usage rows now queue on local disk in {} and will be "
        "replayed when it is back",
        e.what(), options_.spool_dir.string());
    next_complaint_ms_ = unix_now_ms() + kComplainEveryMs;
  }
}

void UsageSink::try_replay() {
  auto now = unix_now_ms();
  if (now < next_replay_ms_) return;
  try {
    auto n = spool_->replay(store(), [this](auto& rows) { committed(rows); });
    spdlog::warn("database is back: {} queued usage rows replayed", n);
  } catch (const std::exception& e) {
    store_.reset();
    next_replay_ms_ = now + kReplayEveryMs;
    if (now >= next_complaint_ms_) {
      spdlog::error("database still unreachable ({}); {} usage rows queued on local disk", e.what(),
                    spool_->rows());
      next_complaint_ms_ = now + kComplainEveryMs;
    }
  }
}

void UsageSink::committed(const std::vector<UsageRecord>& rows) {
  if (!options_.on_others_spent) return;
  for (auto& r : rows)
    if (r.cost) own_since_[r.key_id] += r.cost;
}

void UsageSink::share_spending(std::int64_t now_ms) {
  if (!options_.on_others_spent || !is_postgres_url(url_) || now_ms < next_share_ms_) return;
  next_share_ms_ = now_ms + kShareEveryMs;
  std::map<std::int64_t, Micros> others;
  try {
    for (auto& [id, used] : store().key_spending()) {
      auto seen = seen_used_.find(id);
      if (seen != seen_used_.end()) {
        // This thread is the only writer of this instance's rows, so what it
        // committed since the last read is exactly its part of the change. A
        // replay may re-send rows the database already had (skipped there):
        // never count a negative share.
        Micros theirs = used - seen->second - own_since_[id];
        if (theirs > 0) others[id] = theirs;
      }
      seen_used_[id] = used;
    }
    own_since_.clear();
  } catch (const std::exception& e) {
    store_.reset();
    spdlog::debug("reading the cluster's spending failed: {}", e.what());
    return;
  }
  if (!others.empty()) options_.on_others_spent(others);
}

void UsageSink::tick() {
  if (spool_ && spool_->rows() > 0) try_replay();
  share_spending(unix_now_ms());
  if (!options_.instance) return;
  auto now = unix_now_ms();
  if (now < next_report_ms_) return;
  next_report_ms_ = now + kReportEveryMs;
  auto me = *options_.instance;
  me.seen_ms = now;
  me.queued_rows = static_cast<std::int64_t>(queued());
  try {
    store().record_instance(me);
  } catch (const std::exception& e) {
    store_.reset();
    spdlog::debug("instance report failed: {}", e.what());
  }
}

}  // namespace aiohub
