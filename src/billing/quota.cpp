#include "billing/quota.hpp"

#include <algorithm>

namespace aiohub {

bool try_reserve(KeyBalance& balance, const std::optional<Micros>& quota, Micros estimate) {
  if (estimate < 0) estimate = 0;
  Micros held = balance.held.load(std::memory_order_relaxed);
  do {
    if (quota && held >= *quota) return false;
  } while (!balance.held.compare_exchange_weak(held, held + estimate, std::memory_order_relaxed));
  return true;
}

Micros reservation_estimate(std::size_t body_bytes, std::int64_t max_output_tokens,
                            const Price& price, std::int64_t ratio_ppm) {
  constexpr std::int64_t kMaxPromptEstimate = 200'000;
  Usage u;
  u.input = std::min<std::int64_t>(static_cast<std::int64_t>(body_bytes / 4), kMaxPromptEstimate);
  u.output = std::max<std::int64_t>(max_output_tokens, 0);
  return cost_of(u, price, ratio_ppm);
}

void settle(KeyBalance& balance, Micros reserved, Micros cost) {
  if (cost) balance.used.fetch_add(cost, std::memory_order_relaxed);
  if (cost != reserved) balance.held.fetch_add(cost - reserved, std::memory_order_relaxed);
}

}  // namespace aiohub
