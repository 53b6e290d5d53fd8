// /api/groups, /api/prices and /api/settings: the configuration around keys
// and channels. Every change moves the config revision, so a running
// gateway picks it up within a second.
#include <algorithm>

#include "admin/json_util.hpp"
#include "admin/request.hpp"
#include "config/config.hpp"
#include "store/record_json.hpp"
#include "store/store.hpp"

namespace aiohub::admin {
namespace {

json::object group_json(const GroupRecord& g) {
  json::object o;
  o["name"] = g.name;
  o["endpoints"] = string_array(g.endpoints);
  o["ratio"] = g.ratio;
  o["limits"] = limits_json(g.limits);
  return o;
}

std::vector<std::string> auto_groups(Store& store) {
  auto v = store.meta(kAutoGroupsMeta);
  return v ? strings_from_json(*v) : std::vector<std::string>{};
}

bool allow_free_models(Store& store) {
  auto v = store.meta(kAllowFreeModelsMeta);
  return v && *v == "1";
}

std::optional<GroupRecord> group_by_name(Store& store, const std::string& name) {
  for (auto& g : store.groups())
    if (g.name == name) return g;
  return std::nullopt;
}

json::object price_json(const PriceRecord& p) {
  json::object o;
  o["model"] = p.model;
  o["input"] = p.input;
  o["output"] = p.output;
  o["cache_read"] = p.cache_read;
  o["cache_write"] = p.cache_write;
  o["per_call"] = p.per_call;
  o["per_image"] = p.per_image;
  json::object images;
  for (auto& [size, usd] : p.image_prices) images[size] = usd;
  o["image_prices"] = std::move(images);
  return o;
}

std::int64_t max_output_tokens(Store& store) {
  auto v = store.meta(kMaxOutputTokensMeta);
  try {
    return v ? std::stoll(*v) : kDefaultMaxOutputTokens;
  } catch (const std::exception&) {
    return kDefaultMaxOutputTokens;
  }
}

json::object settings_body(Store& store) {
  json::object o;
  o["auto_groups"] = string_array(auto_groups(store));
  o["allow_free_models"] = allow_free_models(store);
  o["max_output_tokens"] = max_output_tokens(store);
  return o;
}

AdminResponse reply(int status, json::object o) {
  return {status, json::serialize(o), {}};
}

AdminResponse deleted() {
  json::object o;
  o["deleted"] = true;
  return reply(200, std::move(o));
}

void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > 128) bad_request(what + " must be 1 to 128 characters.");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '/')
      bad_request(what + " must not contain '/' or control characters.");
}

}  // namespace

AdminResponse groups_api(ApiContext& ctx, const AdminRequest& req) {
  Store& store = ctx.store;
  const auto& seg = req.segments;
  if (seg.size() == 1) {
    if (req.method != "GET") return method_not_allowed(req, "GET");
    json::array list;
    for (auto& g : store.groups()) list.push_back(group_json(g));
    json::object o;
    o["groups"] = std::move(list);
    o["auto_groups"] = string_array(auto_groups(store));
    return reply(200, std::move(o));
  }
  if (seg.size() != 2) not_found("Unknown admin API path.");
  const std::string& name = seg[1];
  if (req.method == "GET") {
    auto g = group_by_name(store, name);
    if (!g) not_found("No group named '" + name + "'.");
    json::object o;
    o["group"] = group_json(*g);
    return reply(200, std::move(o));
  }
  if (req.method == "PUT") {
    check_name("A group name", name);
    if (name == kAutoGroup)
      bad_request("'auto' is a routing value, not a group; set its order in /api/settings.");
    auto current = group_by_name(store, name);
    GroupRecord g =
        current.value_or(GroupRecord{name, {"chat", "responses", "messages", "gemini"}, 1.0, {}});
    json::object body = parse_object(req.body);
    Fields f(body);
    if (auto n = f.string("name"); n && *n != name)
      bad_request("The body names group '" + *n + "' but the path names '" + name + "'.");
    if (auto e = f.strings("endpoints")) {
      for (auto& ep : *e)
        if (!is_known_endpoint(ep))
          bad_request("Unknown endpoint '" + ep +
                      "' (known: chat, responses, messages, gemini, images).");
      g.endpoints = *e;
    }
    if (auto r = f.number("ratio", 0, 1000)) g.ratio = *r;
    if (f.present_null("limits"))
      g.limits = {};
    else if (auto l = f.limits("limits"))
      g.limits = *l;
    f.refuse_unknown();
    store.upsert_group(g);
    json::object o;
    o["group"] = group_json(g);
    return reply(current ? 200 : 201, std::move(o));
  }
  if (req.method == "DELETE") {
    if (!group_by_name(store, name)) not_found("No group named '" + name + "'.");
    std::vector<std::string> users;
    for (auto& k : store.keys())
      if (k.group == name) users.push_back("key '" + k.name + "'");
    for (auto& c : store.channels())
      if (std::find(c.groups.begin(), c.groups.end(), name) != c.groups.end())
        users.push_back("channel '" + c.name + "'");
    auto order = auto_groups(store);
    if (std::find(order.begin(), order.end(), name) != order.end())
      users.push_back("the auto_groups order");
    if (!users.empty()) {
      std::string list;
      for (std::size_t i = 0; i < users.size() && i < 5; ++i) list += (i ? ", " : "") + users[i];
      if (users.size() > 5) list += " and " + std::to_string(users.size() - 5) + " more";
      conflict("Group '" + name + "' is in use by " + list + ".");
    }
    store.delete_group(name);
    return deleted();
  }
  return method_not_allowed(req, "GET, PUT, DELETE");
}

AdminResponse prices_api(ApiContext& ctx, const AdminRequest& req) {
  Store& store = ctx.store;
  const auto& seg = req.segments;
  if (seg.size() == 1) {
    if (req.method != "GET") return method_not_allowed(req, "GET");
    json::array list;
    for (auto& p : store.prices()) list.push_back(price_json(p));
    json::object o;
    o["prices"] = std::move(list);
    return reply(200, std::move(o));
  }
  if (seg.size() != 2) not_found("Unknown admin API path.");
  const std::string& model = seg[1];
  std::optional<PriceRecord> current;
  for (auto& p : store.prices())
    if (p.model == model) current = p;
  if (req.method == "GET") {
    if (!current) not_found("No price for model '" + model + "'.");
    json::object o;
    o["price"] = price_json(*current);
    return reply(200, std::move(o));
  }
  if (req.method == "PUT") {
    check_name("A model name", model);
    PriceRecord fresh;
    fresh.model = model;
    PriceRecord p = current.value_or(fresh);
    json::object body = parse_object(req.body);
    Fields f(body);
    if (auto m = f.string("model"); m && *m != model)
      bad_request("The body names model '" + *m + "' but the path names '" + model + "'.");
    constexpr double kMax = 1e6;  // USD per 1M tokens or per call: far above any real price
    if (auto v = f.number("input", 0, kMax)) p.input = *v;
    if (auto v = f.number("output", 0, kMax)) p.output = *v;
    if (auto v = f.number("cache_read", 0, kMax)) p.cache_read = *v;
    if (auto v = f.number("cache_write", 0, kMax)) p.cache_write = *v;
    if (auto v = f.number("per_call", 0, kMax)) p.per_call = *v;
    if (auto v = f.number("per_image", 0, kMax)) p.per_image = *v;
    if (auto v = f.number_map("image_prices", 0, kMax)) p.image_prices = std::move(*v);
    f.refuse_unknown();
    store.upsert_price(p);
    json::object o;
    o["price"] = price_json(p);
    return reply(current ? 200 : 201, std::move(o));
  }
  if (req.method == "DELETE") {
    if (!store.delete_price(model)) not_found("No price for model '" + model + "'.");
    return deleted();
  }
  return method_not_allowed(req, "GET, PUT, DELETE");
}

AdminResponse settings_api(ApiContext& ctx, const AdminRequest& req) {
  Store& store = ctx.store;
  if (req.segments.size() != 1) not_found("Unknown admin API path.");
  if (req.method == "GET") return reply(200, settings_body(store));
  if (req.method != "PATCH") return method_not_allowed(req, "GET, PATCH");
  json::object body = parse_object(req.body);
  Fields f(body);
  auto order = f.strings("auto_groups");
  auto free_models = f.boolean("allow_free_models");
  auto max_output = f.integer("max_output_tokens", 1, 10'000'000);
  f.refuse_unknown();
  if (order) {
    auto groups = store.groups();
    for (auto& name : *order) {
      bool found = false;
      for (auto& g : groups) found |= g.name == name;
      if (!found) bad_request("Unknown group '" + name + "' in auto_groups.");
    }
  }
  store.transaction([&] {
    if (order) store.set_config_meta(kAutoGroupsMeta, to_json(*order));
    if (free_models) store.set_config_meta(kAllowFreeModelsMeta, *free_models ? "1" : "0");
    if (max_output) store.set_config_meta(kMaxOutputTokensMeta, std::to_string(*max_output));
  });
  return reply(200, settings_body(store));
}

}  // namespace aiohub::admin
