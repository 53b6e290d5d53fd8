#pragma once
// Prometheus metrics of the requests the gateway served. Each thread counts
// into its own shard (an uncontended mutex per observation); a scrape
// merges the shards. Label values come from the configuration only: a
// model, channel or group it does not know (a client's made-up model name)
// is counted as "other", so clients cannot create series; label sets are
// capped besides.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "domain/records.hpp"

namespace aiohub {

struct Snapshot;

class Metrics {
 public:
  // Histogram bucket bounds in milliseconds: 0.1 s to 5 min, the span of an
  // LLM answer from a cached reply to a long reasoning run.
  static constexpr std::int64_t kBucketsMs[] = {100,   250,   500,   1000,  2500,   5000,
                                                10000, 20000, 30000, 60000, 120000, 300000};
  static constexpr std::size_t kBuckets = std::size(kBucketsMs);
  // Distinct label sets per thread before new ones are counted as "other".
  static constexpr std::size_t kMaxRequestSeries = 4000;
  static constexpr std::size_t kMaxModelSeries = 2000;

  // The names a label may carry; others are recorded as kOther.
  struct KnownNames {
    std::unordered_set<std::string> models, channels, groups;
    std::size_t longest = 0;  // bytes of the longest name, for a quick "unknown"

    void add(std::unordered_set<std::string>& set, const std::string& name) {
      set.insert(name);
      longest = std::max(longest, name.size());
    }
  };
  // Every model a channel, price or image price names, every channel and group.
  static KnownNames known_names_of(const Snapshot& snap);
  static constexpr const char* kOther = "other";

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished request, as written to the usage log. Thread-safe.
  void observe(const UsageRecord& row);

  // The current configuration's names (call again after each change).
  // Until the first call every name is taken as it is.
  void set_known_names(std::shared_ptr<const KnownNames> names) {
    known_.store(std::move(names), std::memory_order_release);
  }

  // Gateway requests being served (the front door counts them).
  void request_started() { inflight_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished() { inflight_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t inflight() const { return inflight_.load(std::memory_order_relaxed); }

  // Rows observed since start.
  std::uint64_t observed() const { return observed_.load(std::memory_order_relaxed); }

  struct Gauges {
    std::int64_t inflight_requests = 0;
    std::int64_t usage_queue_length = 0;
    std::vector<std::pair<std::string, bool>> channel_healthy;  // channel, healthy
    // Set when shared state (Redis) is configured: whether it answers.
    std::optional<bool> shared_state_reachable;
  };
  // Text exposition format 0.0.4.
  std::string render(const Gauges& gauges) const;

 private:
  struct Shard;
  Shard& local_shard();

  const std::uint64_t id_;
  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::shared_ptr<const KnownNames>> known_;
  std::atomic<std::uint64_t> observed_{0};
  std::atomic<std::int64_t> inflight_{0};
};

}  // namespace aiohub
