#include "router/router.hpp"

#include <algorithm>

namespace aiohub {
namespace {

// Weighted order without replacement: each step picks among the remaining
// channels with probability proportional to weight (weight 0 goes last).
void weighted_order(std::vector<const Channel*>& tier, std::mt19937_64& rng) {
  for (std::size_t i = 0; i + 1 < tier.size(); ++i) {
    std::int64_t total = 0;
    for (std::size_t j = i; j < tier.size(); ++j) total += std::max(0, tier[j]->record.weight);
    if (total == 0) return;
    std::int64_t pick = std::uniform_int_distribution<std::int64_t>(0, total - 1)(rng);
    for (std::size_t j = i; j < tier.size(); ++j) {
      pick -= std::max(0, tier[j]->record.weight);
      if (pick < 0) {
        std::swap(tier[i], tier[j]);
        break;
      }
    }
  }
}

}  // namespace

RouteDecision route_request(const Snapshot& snap, const Key& key, Endpoint endpoint,
                            const std::string& model, std::mt19937_64& rng) {
  RouteDecision d;
  if (!key.allowed_models.empty() && !key.allowed_models.count(model)) {
    d.status = RouteDecision::Status::model_not_allowed_for_key;
    return d;
  }
  auto g = snap.routes.find(key.record.group);
  if (g == snap.routes.end()) {
    d.status = RouteDecision::Status::model_not_in_group;
    return d;
  }
  auto m = g->second.find(model);
  if (m == g->second.end()) {
    d.status = RouteDecision::Status::model_not_in_group;
    return d;
  }
  for (const Channel* c : m->second) {
    if (kind_serves(c->kind, endpoint))
      d.candidates.push_back(c);
    else if (!d.unusable)
      d.unusable = c;
  }
  if (d.candidates.empty()) {
    d.status = RouteDecision::Status::no_channel_for_endpoint;
    return d;
  }
  // Candidates are sorted by priority; shuffle each equal-priority run by weight.
  auto begin = d.candidates.begin();
  while (begin != d.candidates.end()) {
    auto end = std::find_if(begin, d.candidates.end(), [&](const Channel* c) {
      return c->record.priority != (*begin)->record.priority;
    });
    if (end - begin > 1) {
      std::vector<const Channel*> tier(begin, end);
      weighted_order(tier, rng);
      std::copy(tier.begin(), tier.end(), begin);
    }
    begin = end;
  }
  return d;
}

std::vector<std::string> models_for_key(const Snapshot& snap, const Key& key, Endpoint endpoint) {
  std::vector<std::string> out;
  auto g = snap.routes.find(key.record.group);
  if (g == snap.routes.end()) return out;
  for (auto& [model, channels] : g->second) {
    if (!key.allowed_models.empty() && !key.allowed_models.count(model)) continue;
    if (std::any_of(channels.begin(), channels.end(),
                    [&](const Channel* c) { return kind_serves(c->kind, endpoint); }))
      out.push_back(model);
  }
  return out;  // std::map keeps them sorted
}

}  // namespace aiohub
