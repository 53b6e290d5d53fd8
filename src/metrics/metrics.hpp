#pragma once
// Prometheus metrics of the requests the gateway served. Each thread counts
// into its own shard (an uncontended mutex per observation); a scrape
// merges the shards. Label sets are capped, so that a flood of odd names
// cannot grow memory without bound.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/records.hpp"

namespace aiohub {

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

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished request, as written to the usage log. Thread-safe.
  void observe(const UsageRecord& row);

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
  std::atomic<std::uint64_t> observed_{0};
  std::atomic<std::int64_t> inflight_{0};
};

}  // namespace aiohub
