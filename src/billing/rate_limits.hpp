#pragma once
// Per-key requests-per-minute, tokens-per-minute and concurrency limits.
// Minutes are sliding windows approximated from the current and the previous
// fixed minute (the count of the previous one weighted by how much of it is
// still inside the window): exact for a fresh key, smooth across minute
// boundaries, two integers of state.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "domain/records.hpp"

namespace aiohub {

class MinuteWindow {
 public:
  // What the last 60 s hold at `now_ms`.
  std::int64_t count(std::int64_t now_ms);
  void add(std::int64_t now_ms, std::int64_t n);
  // Adds `n` only if the count stays within `limit`, in one step.
  bool try_add(std::int64_t now_ms, std::int64_t n, std::int64_t limit);
  // Milliseconds until the count is below `limit` again (at least 1 s).
  std::int64_t ms_until_below(std::int64_t now_ms, std::int64_t limit);

 private:
  void roll(std::int64_t now_ms);
  std::int64_t estimate(std::int64_t now_ms) const;

  std::mutex mutex_;
  std::int64_t window_start_ms_ = 0;
  std::int64_t current_ = 0;
  std::int64_t previous_ = 0;
};

struct KeyLimiter {
  MinuteWindow requests;
  MinuteWindow tokens;
  std::atomic<std::int64_t> in_flight{0};
};

struct LimitVerdict {
  bool admitted = true;
  std::string message;  // for the client, naming the limit
  std::int64_t retry_after_s = 0;
};

// A key's own limits, each falling back to its group's.
RateLimits effective_limits(const RateLimits& key, const RateLimits& group);

// Counts the request and its concurrency slot when admitted; `finish` must
// follow every admitted request.
LimitVerdict admit_request(KeyLimiter& limiter, const RateLimits& limits, std::int64_t now_ms);
void finish_request(KeyLimiter& limiter, std::int64_t tokens, std::int64_t now_ms);

}  // namespace aiohub
