#include "domain/money.hpp"

#include <algorithm>
#include <cmath>

namespace aiohub {

Micros usd_to_micros(double usd) {
  return static_cast<Micros>(std::llround(usd * 1e6));
}

double micros_to_usd(Micros m) {
  return static_cast<double>(m) / 1e6;
}

std::int64_t ratio_to_ppm(double ratio) {
  return static_cast<std::int64_t>(std::llround(ratio * 1e6));
}

Micros cost_of(const Usage& u, const Price& p, std::int64_t ratio_ppm) {
  using i128 = __int128;
  std::int64_t cached =
      std::max<std::int64_t>(0, u.cache_read) + std::max<std::int64_t>(0, u.cache_write);
  std::int64_t plain_input = std::max<std::int64_t>(0, u.input - cached);
  i128 pico = i128(plain_input) * p.input + i128(std::max<std::int64_t>(0, u.output)) * p.output +
              i128(std::max<std::int64_t>(0, u.cache_read)) * p.cache_read +
              i128(std::max<std::int64_t>(0, u.cache_write)) * p.cache_write +
              i128(p.per_call) * 1'000'000;
  i128 scaled = pico * ratio_ppm;  // pico-USD x 1e6
  const i128 unit = i128(1'000'000) * 1'000'000;
  return static_cast<Micros>((scaled + unit / 2) / unit);
}

}  // namespace aiohub
