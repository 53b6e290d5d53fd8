#pragma once
// The two clocks the request path reads, behind one interface so that tests
// of retry budgets, cool-downs and limit windows can move time by hand.
#include <cstdint>

namespace aiohub {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic microseconds, for latencies and budgets.
  virtual std::int64_t mono_us() const = 0;
  // Wall-clock milliseconds since the Unix epoch, for records and windows.
  virtual std::int64_t unix_ms() const = 0;
};

// The machine's clocks (util/time.hpp).
const Clock& system_clock();

}  // namespace aiohub
