#pragma once
// The JSON text of the record fields that are stored as one document
// (lists, maps, limits, channel settings), shared by every Store back end so
// that they read and write the same shapes.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"

namespace aiohub {

std::string to_json(const std::vector<std::string>& v);
std::string to_json(const std::map<std::string, std::string>& m);
std::string to_json(const std::map<std::string, double>& m);
std::string to_json(const RateLimits& limits);
std::string to_json(const ChannelSettings& settings);

// Malformed or missing text reads as empty: a hand-edited row never stops
// the gateway from starting.
std::vector<std::string> strings_from_json(std::string_view text);
std::map<std::string, std::string> map_from_json(std::string_view text);
std::map<std::string, double> number_map_from_json(std::string_view text);
RateLimits limits_from_json(std::string_view text);
ChannelSettings settings_from_json(std::string_view text);

}  // namespace aiohub
