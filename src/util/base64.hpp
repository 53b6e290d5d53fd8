#pragma once
// Standard base64 (RFC 4648, with padding), for images carried inside JSON.
#include <optional>
#include <string>
#include <string_view>

namespace aiohub {

std::string base64_encode(std::string_view bytes);
// Null on anything but well-formed padded base64 (whitespace is not allowed).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace aiohub
