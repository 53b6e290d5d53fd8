#include "domain/endpoint.hpp"

namespace aiohub {

std::string_view endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::chat:
      return "chat";
    case Endpoint::responses:
      return "responses";
    case Endpoint::messages:
      return "messages";
    case Endpoint::gemini:
      return "gemini";
    case Endpoint::images:
      return "images";
  }
  return "?";
}

unsigned endpoint_mask(const std::vector<std::string>& names) {
  unsigned mask = 0;
  for (auto& n : names)
    for (auto e : kAllEndpoints)
      if (n == endpoint_name(e)) mask |= static_cast<unsigned>(e);
  return mask;
}

}  // namespace aiohub
