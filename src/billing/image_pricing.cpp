#include "billing/image_pricing.hpp"

#include <algorithm>

namespace aiohub {

ImagePrice image_price_of(const PriceRecord& p) {
  ImagePrice out;
  out.per_image = usd_to_micros(p.per_image);
  for (auto& [key, usd] : p.image_prices) out.by_size_quality[key] = usd_to_micros(usd);
  return out;
}

Micros image_unit_price(const ImagePrice& price, std::string_view size, std::string_view quality) {
  if (!size.empty()) {
    if (!quality.empty()) {
      std::string key(size);
      key += '/';
      key += quality;
      if (auto it = price.by_size_quality.find(key); it != price.by_size_quality.end())
        return it->second;
    }
    if (auto it = price.by_size_quality.find(size); it != price.by_size_quality.end())
      return it->second;
  }
  return price.per_image;
}

Micros image_cost(const ImageBill& bill, const Price* tokens, const ImagePrice* images,
                  std::int64_t ratio_ppm) {
  Micros cost = tokens ? cost_of(bill.tokens, *tokens, ratio_ppm) : 0;
  if (images && bill.images > 0) {
    using i128 = __int128;
    const i128 scaled =
        i128(image_unit_price(*images, bill.size, bill.quality)) * bill.images * ratio_ppm;
    cost += static_cast<Micros>((scaled + 500'000) / 1'000'000);
  }
  return cost;
}

Micros image_reservation(std::int64_t images, std::string_view size, std::string_view quality,
                         std::size_t body_bytes, const Price* tokens, const ImagePrice* prices,
                         std::int64_t ratio_ppm) {
  ImageBill bill;
  bill.images = images;
  bill.size = std::string(size);
  bill.quality = std::string(quality);
  bill.tokens.input = static_cast<std::int64_t>(std::min<std::size_t>(body_bytes / 4, 20'000));
  bill.tokens.output = 6'500 * images;
  return image_cost(bill, tokens, prices, ratio_ppm);
}

}  // namespace aiohub
