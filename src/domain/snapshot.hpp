#pragma once
// The immutable view of configuration that every request reads: keys, groups,
// channels and prices, plus the routing index built from them. A change
// builds a new Snapshot and swaps it in atomically; nothing on the request
// path takes a lock.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/endpoint.hpp"
#include "domain/money.hpp"
#include "domain/protocol.hpp"
#include "domain/records.hpp"
#include "domain/upstream_address.hpp"

namespace aiohub {

// The key's balance and rate windows (billing/key_state.hpp): they survive
// snapshot swaps.
struct KeyState;
// Whether a channel is in rotation (router/health.hpp); outlives snapshots.
class ChannelHealth;

enum class ChannelKind {
  openai,
  openai_compatible,
  openai_responses,
  anthropic,
  gemini,
  bedrock,
  demo
};

ChannelKind channel_kind(std::string_view type);
// The protocol a channel's upstream speaks.
Protocol upstream_protocol(ChannelKind kind);

struct Channel {
  ChannelRecord record;
  ChannelKind kind = ChannelKind::openai;
  UpstreamAddress upstream;
  std::string extra_headers;  // the `headers` setting, as "Name: value\r\n" lines
  std::shared_ptr<ChannelHealth> health;
  unsigned endpoints = 0;  // what its kind can answer (Endpoint bits, set by its adaptor)

  bool serves(Endpoint e) const { return endpoints & static_cast<unsigned>(e); }

  const std::string& upstream_model(const std::string& model) const;
};

// A channel ready to serve from its record: its address parsed (and its
// proxy's), its extra headers as header lines. Nullopt, with `problem` set,
// when the record cannot serve (an unusable base URL or proxy).
std::optional<Channel> channel_from_record(ChannelRecord record, std::string& problem);

struct Group {
  std::string name;
  unsigned endpoints = 0;
  std::int64_t ratio_ppm = 1'000'000;
  RateLimits limits;
  bool allows(Endpoint e) const { return endpoints & static_cast<unsigned>(e); }
};

struct Key {
  KeyRecord record;
  std::shared_ptr<KeyState> state;
  std::unordered_set<std::string> allowed_models;  // empty: all of the group's
};

struct Snapshot {
  std::int64_t revision = 0;
  std::map<std::string, Group> groups;
  std::deque<Channel> channels;  // stable addresses
  std::unordered_map<std::string, Price> prices;
  std::unordered_map<std::string, ImagePrice>
      image_prices;  // Images API (billing/image_pricing.hpp)
  std::unordered_map<std::string, Key> keys_by_hash;
  std::unordered_map<std::int64_t, std::shared_ptr<KeyState>> key_states;
  std::unordered_map<std::string, std::shared_ptr<ChannelHealth>> channel_health;  // by name
  std::vector<std::string> auto_groups;  // the order an `auto` key's groups are tried in
  bool allow_free_models = false;
  // Output tokens assumed for a request without a cap ([billing] max_output_tokens).
  std::int64_t max_output_tokens = kDefaultMaxOutputTokens;
  // group -> model -> enabled channels offering it, highest priority first
  std::unordered_map<std::string, std::map<std::string, std::vector<const Channel*>>> routes;

  const Group* group(const std::string& name) const;
  const Price* price(const std::string& model) const;
};

}  // namespace aiohub
