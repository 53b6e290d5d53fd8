#pragma once
// The endpoints a group can allow: one per client protocol, and the other
// API families the gateway serves.
#include <string>
#include <string_view>
#include <vector>

namespace aiohub {

// The client protocols a group can allow (the `endpoints` of a group).
enum class Endpoint : unsigned { chat = 1, responses = 2, messages = 4, gemini = 8, images = 16 };

inline constexpr Endpoint kAllEndpoints[] = {
    Endpoint::chat, Endpoint::responses, Endpoint::messages, Endpoint::gemini, Endpoint::images};

std::string_view endpoint_name(Endpoint e);
// Bit mask from names like "chat"; unknown names are ignored.
unsigned endpoint_mask(const std::vector<std::string>& names);

}  // namespace aiohub
