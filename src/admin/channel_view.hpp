#pragma once
// How a channel is shown (API, shell): never its credentials.
#include <optional>
#include <string>

#include "admin/json_util.hpp"
#include "domain/records.hpp"

namespace aiohub {
class Store;
}

namespace aiohub::admin {

// "sk-...abcd" for a long enough key, "***" for a short one, "" for none.
std::string api_key_hint(const std::string& key);
json::object health_json(const std::optional<ChannelHealthRecord>& h);
json::object channel_json(const ChannelRecord& c, const std::optional<ChannelHealthRecord>& h);

std::optional<ChannelRecord> channel_by_name(Store& store, const std::string& name);

}  // namespace aiohub::admin
