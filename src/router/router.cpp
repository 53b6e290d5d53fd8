#include "router/router.hpp"

#include "router/health.hpp"

#include <algorithm>
#include <set>

namespace aiohub {
namespace {

// Weighted order without replacement: each step picks among the remaining
// channels with probability proportional to weight (weight 0 goes last).
void weighted_order(std::vector<Candidate>& tier, std::mt19937_64& rng) {
  for (std::size_t i = 0; i + 1 < tier.size(); ++i) {
    std::int64_t total = 0;
    for (std::size_t j = i; j < tier.size(); ++j)
      total += std::max(0, tier[j].channel->record.weight);
    if (total == 0) return;
    std::int64_t pick = std::uniform_int_distribution<std::int64_t>(0, total - 1)(rng);
    for (std::size_t j = i; j < tier.size(); ++j) {
      pick -= std::max(0, tier[j].channel->record.weight);
      if (pick < 0) {
        std::swap(tier[i], tier[j]);
        break;
      }
    }
  }
}

// `list` is sorted by priority; shuffle each equal-priority run by weight.
void order_by_priority_and_weight(std::vector<Candidate>& list, std::mt19937_64& rng) {
  auto begin = list.begin();
  while (begin != list.end()) {
    auto end = std::find_if(begin, list.end(), [&](const Candidate& c) {
      return c.channel->record.priority != begin->channel->record.priority;
    });
    if (end - begin > 1) {
      std::vector<Candidate> tier(begin, end);
      weighted_order(tier, rng);
      std::copy(tier.begin(), tier.end(), begin);
    }
    begin = end;
  }
}

const std::vector<const Channel*>* channels_for(const Snapshot& snap, const Group& group,
                                                const std::string& model) {
  auto g = snap.routes.find(group.name);
  if (g == snap.routes.end()) return nullptr;
  auto m = g->second.find(model);
  return m == g->second.end() ? nullptr : &m->second;
}

}  // namespace

std::vector<const Group*> groups_for_key(const Snapshot& snap, const Key& key) {
  std::vector<const Group*> out;
  if (key.record.group != kAutoGroup) {
    if (const Group* g = snap.group(key.record.group)) out.push_back(g);
    return out;
  }
  std::set<std::string> seen;
  for (auto& name : snap.auto_groups)
    if (const Group* g = snap.group(name); g && seen.insert(name).second) out.push_back(g);
  return out;
}

RouteDecision route_request(const Snapshot& snap, const Key& key, Endpoint endpoint,
                            const std::string& model, std::mt19937_64& rng, std::int64_t now_ms) {
  RouteDecision d;
  if (!key.allowed_models.empty() && !key.allowed_models.count(model)) {
    d.status = RouteDecision::Status::model_not_allowed_for_key;
    return d;
  }
  bool offered = false;
  std::vector<Candidate> resting;  // out of rotation: tried only when nothing else can
  for (const Group* group : groups_for_key(snap, key)) {
    if (!group->allows(endpoint)) continue;
    const auto* channels = channels_for(snap, *group, model);
    if (!channels) continue;
    offered = true;
    std::vector<Candidate> usable;
    for (const Channel* c : *channels) {
      if (!c->serves(endpoint)) {
        if (!d.unusable) d.unusable = c;
        continue;
      }
      if (c->health && !c->health->in_rotation(now_ms))
        resting.push_back({c, group});
      else
        usable.push_back({c, group});
    }
    order_by_priority_and_weight(usable, rng);
    d.candidates.insert(d.candidates.end(), usable.begin(), usable.end());
  }
  if (d.candidates.empty() && !resting.empty()) d.candidates = std::move(resting);
  if (!d.candidates.empty()) return d;
  d.status = offered && d.unusable ? RouteDecision::Status::no_channel_for_endpoint
                                   : RouteDecision::Status::model_not_in_group;
  return d;
}

std::vector<std::string> models_for_key(const Snapshot& snap, const Key& key, Endpoint endpoint) {
  std::set<std::string> out;
  for (const Group* group : groups_for_key(snap, key)) {
    auto g = snap.routes.find(group->name);
    if (g == snap.routes.end()) continue;
    for (auto& [model, channels] : g->second) {
      if (!key.allowed_models.empty() && !key.allowed_models.count(model)) continue;
      if (std::any_of(channels.begin(), channels.end(),
                      [&](const Channel* c) { return c->serves(endpoint); }))
        out.insert(model);
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace aiohub
