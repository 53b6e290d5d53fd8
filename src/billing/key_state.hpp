#pragma once
#include "billing/quota.hpp"
#include "billing/rate_limits.hpp"

namespace aiohub {

// Survives snapshot swaps, so that spending counted in memory and the rate
// windows are never lost when the configuration changes.
struct KeyState {
  KeyBalance balance;
  KeyLimiter limiter;
};

}  // namespace aiohub
