#include "config/snapshot_builder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "billing/image_pricing.hpp"
#include "billing/key_state.hpp"
#include "providers/adaptor.hpp"
#include "router/health.hpp"
#include "store/record_json.hpp"
#include "store/store.hpp"

namespace aiohub {

std::shared_ptr<const Snapshot> build_snapshot(Store& store, const Snapshot* previous) {
  auto snap = std::make_shared<Snapshot>();
  snap->revision = store.config_revision();

  for (auto& g : store.groups())
    snap->groups[g.name] =
        Group{g.name, endpoint_mask(g.endpoints), ratio_to_ppm(g.ratio), g.limits};
  if (auto order = store.meta(kAutoGroupsMeta)) snap->auto_groups = strings_from_json(*order);
  snap->allow_free_models = store.meta(kAllowFreeModelsMeta).value_or("0") == "1";
  if (auto v = store.meta(kMaxOutputTokensMeta)) {
    try {
      snap->max_output_tokens = std::max<std::int64_t>(1, std::stoll(*v));
    } catch (const std::exception&) {
      spdlog::warn("setting max_output_tokens is not a number ('{}'); using {}", *v,
                   snap->max_output_tokens);
    }
  }

  std::unordered_map<std::string, ChannelHealthRecord> recorded;
  if (!previous)
    for (auto& h : store.channel_health()) recorded[h.channel] = h;

  for (auto& rec : store.channels()) {
    std::string problem;
    auto built = channel_from_record(std::move(rec), problem);
    if (!built) {
      spdlog::warn("{}; it is left out", problem);
      continue;
    }
    Channel& c = *built;
    const ProviderAdaptor& adaptor = adaptor_for(c);
    for (Endpoint e : kAllEndpoints)
      if (adaptor.serves(e)) c.endpoints |= static_cast<unsigned>(e);
    const std::string& name = c.record.name;
    if (previous) {
      auto it = previous->channel_health.find(name);
      if (it != previous->channel_health.end()) c.health = it->second;
    }
    if (!c.health) {
      c.health = std::make_shared<ChannelHealth>(name);
      if (auto it = recorded.find(name); it != recorded.end()) c.health->restore(it->second);
    }
    snap->channel_health[name] = c.health;
    snap->channels.push_back(std::move(c));
  }

  for (auto& p : store.prices()) {
    snap->prices[p.model] =
        Price{usd_to_micros(p.input),       usd_to_micros(p.output),   usd_to_micros(p.cache_read),
              usd_to_micros(p.cache_write), usd_to_micros(p.per_call), usd_to_micros(p.per_image)};
    snap->image_prices[p.model] = image_price_of(p);
  }

  for (auto& rec : store.keys()) {
    std::shared_ptr<KeyState> state;
    if (previous) {
      auto it = previous->key_states.find(rec.id);
      if (it != previous->key_states.end()) state = it->second;
    }
    if (!state) {
      state = std::make_shared<KeyState>();
      state->balance.used.store(rec.used);
      state->balance.held.store(rec.used);
    }
    snap->key_states[rec.id] = state;
    Key k;
    k.allowed_models.insert(rec.models.begin(), rec.models.end());
    k.state = std::move(state);
    std::string hash = rec.hash;
    k.record = std::move(rec);
    snap->keys_by_hash.emplace(std::move(hash), std::move(k));
  }

  for (auto& c : snap->channels) {
    if (!c.record.enabled) continue;
    for (auto& g : c.record.groups)
      for (auto& m : c.record.models) snap->routes[g][m].push_back(&c);
  }
  for (auto& [g, models] : snap->routes)
    for (auto& [m, list] : models)
      std::stable_sort(list.begin(), list.end(), [](const Channel* a, const Channel* b) {
        return a->record.priority > b->record.priority;
      });
  return snap;
}

}  // namespace aiohub
