#pragma once
// What an image costs: a price per image, looked up by size and quality
// ("1024x1024/high", then "1024x1024", then the flat per_image), on top of
// the token prices when the upstream reports tokens (gpt-image, Gemini).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "domain/money.hpp"
#include "domain/records.hpp"

namespace aiohub {

ImagePrice image_price_of(const PriceRecord& p);

// The price of one image of this size and quality.
Micros image_unit_price(const ImagePrice& price, std::string_view size, std::string_view quality);

struct ImageBill {
  Usage tokens;
  std::int64_t images = 0;
  std::string size;     // as answered, else as asked
  std::string quality;  // likewise
};

// Tokens at `tokens` prices plus images at their unit price, times the group
// ratio, in micro-USD. Either price may be null (not configured).
Micros image_cost(const ImageBill& bill, const Price* tokens, const ImagePrice* images,
                  std::int64_t ratio_ppm);

// What to reserve from the key's balance before relaying: `images` at their
// unit price and, where tokens are priced, the prompt from the body size
// (capped: uploaded images are not prompt text) and a generous answer
// (a large high-quality GPT-image picture is about 6,200 output tokens).
Micros image_reservation(std::int64_t images, std::string_view size, std::string_view quality,
                         std::size_t body_bytes, const Price* tokens, const ImagePrice* prices,
                         std::int64_t ratio_ppm);

}  // namespace aiohub
