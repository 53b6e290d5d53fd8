// /api/channels: the upstream accounts. Credentials go in and never come
// out: a channel shows whether it has a key and its last four characters.
#include "admin/channel_view.hpp"
#include "admin/json_util.hpp"
#include "admin/request.hpp"
#include "config/config.hpp"
#include "domain/snapshot.hpp"
#include "router/health.hpp"
#include "store/store.hpp"

namespace aiohub::admin {

std::string api_key_hint(const std::string& key) {
  // Short keys would be half given away by their last four characters.
  if (key.size() < 12) return key.empty() ? "" : "***";
  return key.substr(0, 3) + "..." + key.substr(key.size() - 4);
}

json::object health_json(const std::optional<ChannelHealthRecord>& h) {
  ChannelHealthRecord d = h.value_or(ChannelHealthRecord{});
  json::object o;
  o["state"] = d.state;
  o["reason"] = d.reason;
  o["consecutive_failures"] = d.consecutive_failures;
  o["since_ms"] = d.since_ms;
  o["until_ms"] = d.until_ms;
  return o;
}

json::object channel_json(const ChannelRecord& c, const std::optional<ChannelHealthRecord>& h) {
  json::object o;
  o["name"] = c.name;
  o["type"] = c.type;
  o["base_url"] = c.base_url;
  o["api_key_set"] = !c.api_key.empty();
  o["api_key_hint"] = api_key_hint(c.api_key);
  o["groups"] = string_array(c.groups);
  o["models"] = string_array(c.models);
  o["model_map"] = string_object(c.model_map);
  o["priority"] = c.priority;
  o["weight"] = c.weight;
  o["enabled"] = c.enabled;
  o["settings"] = settings_json(c.settings);
  o["health"] = health_json(h);
  return o;
}

namespace {

// The running gateway's view when it has one (fresher than the row it
// persists a moment later), else what the database holds.
std::optional<ChannelHealthRecord> current_health(const ApiContext& ctx,
                                                  const std::vector<ChannelHealthRecord>& stored,
                                                  const std::string& channel) {
  if (ctx.live) {
    auto it = ctx.live->channel_health.find(channel);
    if (it != ctx.live->channel_health.end() && it->second) return it->second->record();
  }
  for (auto& h : stored)
    if (h.channel == channel) return h;
  return std::nullopt;
}

}  // namespace

std::optional<ChannelRecord> channel_by_name(Store& store, const std::string& name) {
  for (auto& c : store.channels())
    if (c.name == name) return c;
  return std::nullopt;
}

namespace {

void apply_fields(Store& store, Fields& f, ChannelRecord& c) {
  if (auto t = f.string("type")) {
    if (!is_known_channel_type(*t)) bad_request("Unknown channel type '" + *t + "'.");
    c.type = *t;
  }
  if (auto u = f.string("base_url")) c.base_url = *u;
  if (auto k = f.string("api_key"); k && !k->empty()) c.api_key = *k;
  if (auto g = f.strings("groups")) {
    auto known = store.groups();
    for (auto& name : *g) {
      bool found = false;
      for (auto& rec : known) found |= rec.name == name;
      if (!found) bad_request("Unknown group '" + name + "'.");
    }
    c.groups = *g;
  }
  if (auto m = f.strings("models")) c.models = *m;
  if (f.present_null("model_map"))
    c.model_map.clear();
  else if (auto m = f.string_map("model_map"))
    c.model_map = *m;
  if (auto p = f.integer("priority", -1'000'000, 1'000'000)) c.priority = static_cast<int>(*p);
  if (auto w = f.integer("weight", 0, 1'000'000)) c.weight = static_cast<int>(*w);
  if (auto e = f.boolean("enabled")) c.enabled = *e;
  if (f.present_null("settings"))
    c.settings = {};
  else if (auto s = f.settings("settings"))
    c.settings = *s;
  f.ignore({"api_key_set", "api_key_hint", "health"});

  if (c.type != "demo") {
    if (c.base_url.empty()) bad_request("A channel of type '" + c.type + "' needs a base_url.");
    if (!parse_base_url(c.base_url))
      bad_request("'base_url' must be an http:// or https:// URL with a host.");
  }
}

void check_name(const std::string& name) {
  if (name.empty() || name.size() > 64) bad_request("'name' must be 1 to 64 characters.");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '/')
      bad_request("'name' must not contain '/' or control characters.");
}

AdminResponse one_channel(const ApiContext& ctx, int status, const std::string& name) {
  auto c = channel_by_name(ctx.store, name);
  if (!c) not_found("No channel named '" + name + "'.");
  json::object o;
  o["channel"] = channel_json(*c, current_health(ctx, ctx.store.channel_health(), name));
  return {status, json::serialize(o), {}};
}

}  // namespace

AdminResponse channels_api(ApiContext& ctx, const AdminRequest& req) {
  Store& store = ctx.store;
  const auto& seg = req.segments;
  if (seg.size() == 1) {
    if (req.method == "GET") {
      auto health = store.channel_health();
      json::array list;
      for (auto& c : store.channels())
        list.push_back(channel_json(c, current_health(ctx, health, c.name)));
      json::object o;
      o["channels"] = std::move(list);
      return {200, json::serialize(o), {}};
    }
    if (req.method != "POST") return method_not_allowed(req, "GET, POST");
    json::object body = parse_object(req.body);
    Fields f(body);
    auto name = f.string("name");
    if (!name) bad_request("'name' is required.");
    check_name(*name);
    if (!f.string("type")) bad_request("'type' is required.");
    ChannelRecord c;
    c.name = *name;
    apply_fields(store, f, c);
    f.refuse_unknown();
    if (channel_by_name(store, *name)) conflict("A channel named '" + *name + "' already exists.");
    store.upsert_channel(c);
    return one_channel(ctx, 201, *name);
  }
  if (seg.size() == 3 && seg[2] == "test") {
    // Served by the caller (it needs the network); reaching here is a bad method.
    return method_not_allowed(req, "POST");
  }
  if (seg.size() != 2) not_found("Unknown admin API path.");
  const std::string& name = seg[1];
  if (req.method == "GET") return one_channel(ctx, 200, name);
  if (req.method == "PATCH") {
    auto c = channel_by_name(store, name);
    if (!c) not_found("No channel named '" + name + "'.");
    json::object body = parse_object(req.body);
    Fields f(body);
    if (auto n = f.string("name"); n && *n != name)
      bad_request("A channel cannot be renamed; create a new one instead.");
    apply_fields(store, f, *c);
    f.refuse_unknown();
    store.upsert_channel(*c);
    return one_channel(ctx, 200, name);
  }
  if (req.method == "DELETE") {
    if (!store.delete_channel(name)) not_found("No channel named '" + name + "'.");
    json::object o;
    o["deleted"] = true;
    return {200, json::serialize(o), {}};
  }
  return method_not_allowed(req, "GET, PATCH, DELETE");
}

}  // namespace aiohub::admin
