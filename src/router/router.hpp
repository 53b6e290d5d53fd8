#pragma once
// Choosing the channels that may serve one request: the key's group (or, for
// an `auto` key, each group of the auto order in turn), the model, the
// endpoint's protocol; highest priority first, and among equal priorities a
// weighted random order so that load follows the weights. Channels out of
// rotation are left out, unless nothing else could serve.
#include <random>
#include <string>
#include <vector>

#include "domain/snapshot.hpp"

namespace aiohub {

struct Candidate {
  const Channel* channel = nullptr;
  const Group* group = nullptr;  // the group it serves the request for (billing ratio, log)
};

struct RouteDecision {
  enum class Status { ok, model_not_in_group, model_not_allowed_for_key, no_channel_for_endpoint };
  Status status = Status::ok;
  std::vector<Candidate> candidates;  // in the order to try them
  const Channel* unusable = nullptr;  // for no_channel_for_endpoint: one that has the model
};

// The groups a key's requests may be served by, in order: its own group, or
// the auto order.
std::vector<const Group*> groups_for_key(const Snapshot& snap, const Key& key);

RouteDecision route_request(const Snapshot& snap, const Key& key, Endpoint endpoint,
                            const std::string& model, std::mt19937_64& rng, std::int64_t now_ms);

// Every model the key may call on this endpoint, sorted.
std::vector<std::string> models_for_key(const Snapshot& snap, const Key& key, Endpoint endpoint);

}  // namespace aiohub
