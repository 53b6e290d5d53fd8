#include "billing/rate_limits.hpp"

#include <algorithm>

namespace aiohub {
namespace {
constexpr std::int64_t kMinuteMs = 60'000;
}

void MinuteWindow::roll(std::int64_t now_ms) {
  const std::int64_t start = now_ms - now_ms % kMinuteMs;
  if (start == window_start_ms_) return;
  previous_ = start - window_start_ms_ == kMinuteMs ? current_ : 0;
  current_ = 0;
  window_start_ms_ = start;
}

std::int64_t MinuteWindow::estimate(std::int64_t now_ms) const {
  const std::int64_t left_of_previous = kMinuteMs - (now_ms - window_start_ms_);
  return current_ + previous_ * left_of_previous / kMinuteMs;
}

std::int64_t MinuteWindow::count(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  roll(now_ms);
  return estimate(now_ms);
}

void MinuteWindow::add(std::int64_t now_ms, std::int64_t n) {
  std::lock_guard lock(mutex_);
  roll(now_ms);
  current_ += n;
}

bool MinuteWindow::try_add(std::int64_t now_ms, std::int64_t n, std::int64_t limit) {
  std::lock_guard lock(mutex_);
  roll(now_ms);
  if (estimate(now_ms) + n > limit) return false;
  current_ += n;
  return true;
}

std::int64_t MinuteWindow::ms_until_below(std::int64_t now_ms, std::int64_t limit) {
  std::lock_guard lock(mutex_);
  roll(now_ms);
  const std::int64_t left = kMinuteMs - (now_ms - window_start_ms_);
  std::int64_t wait;
  if (current_ >= limit) {
    // After the next roll this minute's count decays as the previous one:
    // below the limit once more than (current - limit) / current of it passed.
    wait = left + kMinuteMs * (current_ - limit) / current_ + 1;
  } else if (previous_ > 0) {
    // current + previous * (left - t) / minute < limit
    wait = left - (limit - current_) * kMinuteMs / previous_ + 1;
  } else {
    wait = 0;
  }
  return std::max<std::int64_t>(wait, 1000);
}

RateLimits effective_limits(const RateLimits& key, const RateLimits& group) {
  RateLimits l;
  l.rpm = key.rpm ? key.rpm : group.rpm;
  l.tpm = key.tpm ? key.tpm : group.tpm;
  l.concurrency = key.concurrency ? key.concurrency : group.concurrency;
  return l;
}

LimitVerdict admit_request(KeyLimiter& limiter, const RateLimits& limits, std::int64_t now_ms) {
  LimitVerdict v;
  auto refuse = [&](std::string message, std::int64_t wait_ms) {
    v.admitted = false;
    v.message = std::move(message);
    v.retry_after_s = (wait_ms + 999) / 1000;
    return v;
  };
  if (limits.concurrency) {
    const auto before = limiter.in_flight.fetch_add(1, std::memory_order_relaxed);
    if (before >= *limits.concurrency) {
      limiter.in_flight.fetch_sub(1, std::memory_order_relaxed);
      return refuse("This key already has " + std::to_string(before) +
                        " requests in flight; its limit is " + std::to_string(*limits.concurrency) +
                        " at once.",
                    1000);
    }
  } else {
    limiter.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  auto undo_slot = [&] { limiter.in_flight.fetch_sub(1, std::memory_order_relaxed); };
  if (limits.tpm && limiter.tokens.count(now_ms) >= *limits.tpm) {
    undo_slot();
    return refuse("This key used its " + std::to_string(*limits.tpm) + " tokens per minute.",
                  limiter.tokens.ms_until_below(now_ms, *limits.tpm));
  }
  if (limits.rpm) {
    if (!limiter.requests.try_add(now_ms, 1, *limits.rpm)) {
      undo_slot();
      return refuse("This key made its " + std::to_string(*limits.rpm) + " requests per minute.",
                    limiter.requests.ms_until_below(now_ms, *limits.rpm));
    }
  } else {
    limiter.requests.add(now_ms, 1);
  }
  return v;
}

void finish_request(KeyLimiter& limiter, std::int64_t tokens, std::int64_t now_ms) {
  limiter.in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (tokens > 0) limiter.tokens.add(now_ms, tokens);
}

}  // namespace aiohub
