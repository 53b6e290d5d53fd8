#pragma once
// Why a key cannot be served (its group, the model, the channel types), in
// words that say what to change; shared by the text endpoints and images.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/endpoint.hpp"
#include "domain/snapshot.hpp"
#include "protocols/errors.hpp"

namespace aiohub {

struct RouteDecision;

// "/v1/messages", "/v1/images" ...: where the endpoint is, for messages.
std::string endpoint_path(Endpoint e);
// 403 when the key's group (or every auto group) is gone or does not allow
// the endpoint.
std::optional<ApiError> check_group(const Snapshot& snap, const Key& key, Endpoint endpoint);
// 404/400 for a routing decision that found no channel.
std::optional<ApiError> route_error(const RouteDecision& decision, const std::string& model,
                                    const Key& key, Endpoint endpoint);
std::string retry_after_header(std::int64_t seconds);

}  // namespace aiohub
