#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aiohub {

std::int64_t unix_now_s();
std::int64_t unix_now_ms();
// Monotonic clock in microseconds, for latencies.
std::int64_t mono_now_us();

// RFC 3339 / ISO 8601 date-time ("2027-01-01T00:00:00Z", "...+02:00", or a
// bare date) to Unix seconds; nullopt when it does not parse.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
std::string format_rfc3339(std::int64_t unix_s);

}  // namespace aiohub
