#pragma once
// The texts of the errors relays report, written once. They go to the
// client (in its protocol's shape) and to the usage log; none holds a
// credential.
#include <string>
#include <string_view>

#include "domain/snapshot.hpp"

namespace aiohub::relay_errors {

inline constexpr const char* kClientGoneDuringStream = "client went away during the stream";
inline constexpr const char* kClientGone = "client went away; upstream request cancelled";

// The upstream could not be reached (connect, TLS, send).
std::string unreachable(const Channel& channel, std::string_view why);
// Reading the answer failed (reset, timeout, too large).
std::string broken(const Channel& channel, std::string_view why);
// The upstream refused the channel's credentials; `message` is its own text.
std::string credentials_rejected(const Channel& channel, int status, std::string_view message);
// The upstream answered with an error status; `message` is its own text, if any.
std::string answered(const Channel& channel, int status, std::string_view message);
// The upstream refused at the start of a stream.
std::string refused(const Channel& channel, std::string_view message);
// The upstream's answer could not be read.
std::string unreadable(const Channel& channel, std::string_view why);

}  // namespace aiohub::relay_errors
