#pragma once
// A key's balance on the request path: what it has spent, and what its
// requests in flight have reserved. Admission and settlement are lock-free
// (compare-and-swap on one counter), so that any number of concurrent
// requests can never overspend a quota by more than one reservation.
#include <atomic>
#include <cstddef>
#include <optional>

#include "domain/money.hpp"

namespace aiohub {

struct KeyBalance {
  std::atomic<Micros> used{0};  // settled spending, as in the database plus what is queued
  std::atomic<Micros> held{0};  // used plus open reservations: what admission compares
};

// Reserves `estimate` unless what is already held reaches `quota`. A request
// is admitted while the key has any credit left, so the overshoot is bounded
// by the estimate of the last request admitted.
bool try_reserve(KeyBalance& balance, const std::optional<Micros>& quota, Micros estimate);

// Replaces a reservation by the exact cost (0 releases it).
void settle(KeyBalance& balance, Micros reserved, Micros cost);

// What to reserve before relaying a request: the prompt from the body size
// (about four bytes a token, capped so that inline images do not lock a
// whole balance), and the answer's most: the output cap the upstream is
// sent, or what a request without one is assumed to produce. So that
// concurrent requests overspend a quota by at most one of them, this must
// not be less than what the upstream may bill.
Micros reservation_estimate(std::size_t body_bytes, std::int64_t max_output_tokens,
                            const Price& price, std::int64_t ratio_ppm);

}  // namespace aiohub
