#include "gateway/snapshot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>

#include "store/record_json.hpp"
#include "store/store.hpp"

namespace aiohub {

ChannelKind channel_kind(std::string_view type) {
  if (type == "openai-compatible") return ChannelKind::openai_compatible;
  if (type == "openai-responses") return ChannelKind::openai_responses;
  if (type == "anthropic") return ChannelKind::anthropic;
  if (type == "gemini") return ChannelKind::gemini;
  if (type == "bedrock") return ChannelKind::bedrock;
  if (type == "demo") return ChannelKind::demo;
  return ChannelKind::openai;
}

bool kind_serves(ChannelKind kind, Endpoint endpoint) {
  // Every text protocol reaches every text upstream: the same protocol by
  // passthrough, the others through the IR. Bedrock's signing and framing
  // are not there yet.
  switch (endpoint) {
    case Endpoint::chat:
    case Endpoint::messages:
    case Endpoint::responses:
    case Endpoint::gemini:
      return kind != ChannelKind::bedrock;
    case Endpoint::images:
      return false;
  }
  return false;
}

std::optional<UpstreamAddress> parse_base_url(std::string_view base_url) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) return std::nullopt;
  auto& u = *parsed;
  UpstreamAddress a;
  if (u.scheme() == "https")
    a.tls = true;
  else if (u.scheme() != "http")
    return std::nullopt;
  a.host = std::string(u.encoded_host().data(), u.encoded_host().size());
  if (a.host.empty()) return std::nullopt;
  if (u.host_type() == boost::urls::host_type::ipv6) a.host = u.host_ipv6_address().to_string();
  const std::string default_port = a.tls ? "443" : "80";
  a.port = u.has_port() ? std::string(u.port()) : default_port;
  std::string host_for_header =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + a.host + "]" : a.host;
  a.host_header = a.port == default_port ? host_for_header : host_for_header + ":" + a.port;
  std::string path(u.encoded_path().data(), u.encoded_path().size());
  while (!path.empty() && path.back() == '/') path.pop_back();
  // The config asks for the provider root, but "https://api.example.com/v1"
  // is what most provider pages show; accept both.
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0)
    path.resize(path.size() - 3);
  a.path_prefix = path;
  a.pool_key = std::string(a.tls ? "https://" : "http://") + a.host + ":" + a.port;
  return a;
}

const std::string& Channel::upstream_model(const std::string& model) const {
  auto it = record.model_map.find(model);
  return it == record.model_map.end() ? model : it->second;
}

const Group* Snapshot::group(const std::string& name) const {
  auto it = groups.find(name);
  return it == groups.end() ? nullptr : &it->second;
}

const Price* Snapshot::price(const std::string& model) const {
  auto it = prices.find(model);
  return it == prices.end() ? nullptr : &it->second;
}

std::shared_ptr<const Snapshot> build_snapshot(Store& store, const Snapshot* previous) {
  auto snap = std::make_shared<Snapshot>();
  snap->revision = store.config_revision();

  for (auto& g : store.groups())
    snap->groups[g.name] =
        Group{g.name, endpoint_mask(g.endpoints), ratio_to_ppm(g.ratio), g.limits};
  if (auto order = store.meta(kAutoGroupsMeta)) snap->auto_groups = strings_from_json(*order);
  snap->allow_free_models = store.meta(kAllowFreeModelsMeta).value_or("0") == "1";

  std::unordered_map<std::string, ChannelHealthRecord> recorded;
  if (!previous)
    for (auto& h : store.channel_health()) recorded[h.channel] = h;

  for (auto& rec : store.channels()) {
    Channel c;
    c.kind = channel_kind(rec.type);
    if (c.kind != ChannelKind::demo) {
      auto addr = parse_base_url(rec.base_url);
      if (!addr) {
        spdlog::warn("channel '{}' has an unusable base_url; it is left out", rec.name);
        continue;
      }
      c.upstream = *addr;
    }
    if (!rec.api_key.empty()) c.authorization = "Bearer " + rec.api_key;
    if (previous) {
      auto it = previous->channel_health.find(rec.name);
      if (it != previous->channel_health.end()) c.health = it->second;
    }
    if (!c.health) {
      c.health = std::make_shared<ChannelHealth>(rec.name);
      if (auto it = recorded.find(rec.name); it != recorded.end()) c.health->restore(it->second);
    }
    snap->channel_health[rec.name] = c.health;
    c.record = std::move(rec);
    snap->channels.push_back(std::move(c));
  }

  for (auto& p : store.prices())
    snap->prices[p.model] =
        Price{usd_to_micros(p.input),       usd_to_micros(p.output),   usd_to_micros(p.cache_read),
              usd_to_micros(p.cache_write), usd_to_micros(p.per_call), usd_to_micros(p.per_image)};

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
