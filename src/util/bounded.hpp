#pragma once
// Client-chosen text the gateway records (usage rows, logs) or echoes (error
// messages): kept, but never more than a bound, so that a megabyte model name
// costs a megabyte once, in the request, and nowhere else.
#include <cstddef>
#include <string>
#include <string_view>

namespace aiohub {

// Bounds for the usual kinds of client text.
inline constexpr std::size_t kMaxLoggedName = 256;    // model names, header values
inline constexpr std::size_t kMaxLoggedPath = 256;    // request paths quoted in errors
inline constexpr std::size_t kMaxLoggedError = 2048;  // an error text in a usage row
inline constexpr std::size_t kMaxEchoedError = 4096;  // an error message in an answer

// `text` when it has at most `max` bytes; else its longest prefix that ends on
// a UTF-8 character boundary and leaves room for the marker "…(N more bytes)",
// followed by that marker. The result never exceeds `max` bytes (for max >= 32).
std::string bounded_for_log(std::string_view text, std::size_t max);

}  // namespace aiohub
