#include "router/health.hpp"

namespace aiohub {

const char* failure_name(Failure f) {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::connect:
      return "connect";
    case Failure::timeout:
      return "timeout";
    case Failure::server:
      return "server_error";
    case Failure::rate_limited:
      return "rate_limited";
    case Failure::auth:
      return "auth";
    case Failure::quota:
      return "quota";
    case Failure::client:
      return "client_error";
  }
  return "unknown";
}

ChannelHealth::ChannelHealth(std::string channel) {
  rec_.channel = std::move(channel);
}

void ChannelHealth::restore(const ChannelHealthRecord& rec) {
  std::lock_guard lock(mutex_);
  const std::string name = rec_.channel;
  rec_ = rec;
  rec_.channel = name;
  streak_.store(rec_.consecutive_failures);
  if (rec_.state == "healthy") {
    out_until_ms_.store(0);
  } else {
    // A probe that was running in another life is over; probe again.
    rec_.state = "cooling_down";
    out_until_ms_.store(rec_.until_ms > 0 ? rec_.until_ms : 1);
  }
}

ChannelHealth::Admit ChannelHealth::admit(std::int64_t now_ms) {
  const std::int64_t until = out_until_ms_.load(std::memory_order_relaxed);
  if (until == 0) return Admit::yes;
  if (now_ms < until) return Admit::no;
  bool expected = false;
  if (!probe_taken_.compare_exchange_strong(expected, true)) return Admit::no;
  std::lock_guard lock(mutex_);
  rec_.state = "probing";
  return Admit::probe;
}

bool ChannelHealth::in_rotation(std::int64_t now_ms) const {
  const std::int64_t until = out_until_ms_.load(std::memory_order_relaxed);
  return until == 0 || (now_ms >= until && !probe_taken_.load(std::memory_order_relaxed));
}

bool ChannelHealth::succeeded(std::int64_t now_ms) {
  if (out_until_ms_.load(std::memory_order_relaxed) == 0) {
    // The common case: only a failure streak needs clearing, under the lock.
    if (streak_.load(std::memory_order_relaxed) == 0) return false;
    std::lock_guard lock(mutex_);
    rec_.consecutive_failures = 0;
    streak_.store(0);
    return false;
  }
  std::lock_guard lock(mutex_);
  rec_.state = "healthy";
  rec_.reason.clear();
  rec_.consecutive_failures = 0;
  streak_.store(0);
  rec_.since_ms = now_ms;
  rec_.until_ms = 0;
  out_until_ms_.store(0);
  probe_taken_.store(false);
  return true;
}

bool ChannelHealth::failed(Failure kind, const std::string& reason, const RoutingConfig& rules,
                           std::int64_t now_ms) {
  if (kind == Failure::none || kind == Failure::client) {
    // Says nothing about the channel; a probe that got this answer reached
    // the provider, which is what a probe asks.
    if (out_until_ms_.load(std::memory_order_relaxed) != 0) return succeeded(now_ms);
    return false;
  }
  std::lock_guard lock(mutex_);
  streak_.store(++rec_.consecutive_failures);
  const bool was_out = out_until_ms_.load(std::memory_order_relaxed) != 0;
  const bool at_once = kind == Failure::auth || kind == Failure::quota;
  if (!was_out && !at_once && rec_.consecutive_failures < rules.failure_threshold) return false;
  const int cooldown = at_once ? rules.auth_cooldown_seconds : rules.cooldown_seconds;
  rec_.state = "cooling_down";
  rec_.reason = std::string(failure_name(kind)) + ": " + reason;
  rec_.since_ms = now_ms;
  rec_.until_ms = now_ms + cooldown * 1000LL;
  out_until_ms_.store(rec_.until_ms);
  probe_taken_.store(false);
  return true;
}

void ChannelHealth::probe_abandoned() {
  std::lock_guard lock(mutex_);
  if (rec_.state == "probing") rec_.state = "cooling_down";
  probe_taken_.store(false);
}

ChannelHealthRecord ChannelHealth::record() const {
  std::lock_guard lock(mutex_);
  return rec_;
}

}  // namespace aiohub
