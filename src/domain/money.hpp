#pragma once
// Money is integer micro-USD everywhere; floating point only at the edges
// (config file, JSON output). Prices are integer micro-USD per 1M tokens, so
// tokens x price is exact in pico-USD and only the final amount is rounded.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace aiohub {

using Micros = std::int64_t;

Micros usd_to_micros(double usd);
double micros_to_usd(Micros m);

// Output tokens a request whose client sets no cap is reserved for, unless
// [billing] max_output_tokens says otherwise: above what most models write
// in one answer.
inline constexpr std::int64_t kDefaultMaxOutputTokens = 65'536;

// Group price multiplier in parts per million (1.0 -> 1'000'000).
std::int64_t ratio_to_ppm(double ratio);

// Token counts as the upstream reported them. `input` counts every prompt
// token, cached ones included; `output` includes reasoning tokens.
struct Usage {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
  std::int64_t reasoning = 0;
  bool reported = false;  // false: none came from the upstream
};

struct Price {
  Micros input = 0;  // per 1M tokens
  Micros output = 0;
  Micros cache_read = 0;
  Micros cache_write = 0;
  Micros per_call = 0;   // per request
  Micros per_image = 0;  // per generated image
};

// Cost of `usage` at `price` (tokens plus the per-call price) times the
// group ratio, rounded to the nearest micro-USD.
Micros cost_of(const Usage& usage, const Price& price, std::int64_t ratio_ppm);

// Images API prices: per image, by "SIZE/QUALITY" or "SIZE" where set
// (billing/image_pricing.hpp looks them up).
struct ImagePrice {
  Micros per_image = 0;
  std::map<std::string, Micros, std::less<>> by_size_quality;
};

}  // namespace aiohub
