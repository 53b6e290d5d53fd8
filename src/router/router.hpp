#pragma once
// Choosing the channels that may serve one request: the key's group, the
// model, the endpoint's protocol; highest priority first, and among equal
// priorities a weighted random order so that load follows the weights.
#include <random>
#include <string>
#include <vector>

#include "gateway/snapshot.hpp"

namespace aiohub {

struct RouteDecision {
  enum class Status { ok, model_not_in_group, model_not_allowed_for_key, no_channel_for_endpoint };
  Status status = Status::ok;
  std::vector<const Channel*> candidates;  // in the order to try them
  const Channel* unusable = nullptr;       // for no_channel_for_endpoint: one that has the model
};

RouteDecision route_request(const Snapshot& snap, const Key& key, Endpoint endpoint,
                            const std::string& model, std::mt19937_64& rng);

// Every model the key may call on this endpoint, sorted.
std::vector<std::string> models_for_key(const Snapshot& snap, const Key& key, Endpoint endpoint);

}  // namespace aiohub
