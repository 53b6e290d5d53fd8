// /api/keys: create, list, change and revoke client keys. Secrets are shown
// once, at creation; the store keeps only their hashes.
#include "admin/json_util.hpp"
#include "admin/keys.hpp"
#include "admin/request.hpp"
#include "billing/key_state.hpp"
#include "config/provision.hpp"
#include "domain/snapshot.hpp"
#include "store/store.hpp"

namespace aiohub::admin {
namespace {

// The balance the gateway counts in memory runs ahead of the database by
// the rows still queued for writing.
Micros live_used(const ApiContext& ctx, const KeyRecord& k) {
  if (ctx.live) {
    auto it = ctx.live->key_states.find(k.id);
    if (it != ctx.live->key_states.end())
      return it->second->balance.used.load(std::memory_order_relaxed);
  }
  return k.used;
}

// The key as GET /api/keys shows it, with the running balance.
json::object live_key_json(const ApiContext& ctx, const KeyRecord& k) {
  return key_json(k, live_used(ctx, k));
}

// The fields POST and PATCH share.
void apply_fields(Store& store, Fields& f, KeyRecord& k) {
  if (auto g = f.string("group")) {
    throw_if_failed(check_key_group(store, *g));
    k.group = *g;
  }
  if (f.present_null("quota_usd"))
    k.quota.reset();
  else if (auto q = f.number("quota_usd", 0, 1e12))
    k.quota = usd_to_micros(*q);
  if (f.present_null("expires_at"))
    k.expires_at.reset();
  else if (auto e = f.integer("expires_at", 0, 253402300799))  // up to 9999-12-31
    k.expires_at = *e;
  if (f.present_null("models"))
    k.models.clear();
  else if (auto m = f.strings("models"))
    k.models = *m;
  if (f.present_null("limits"))
    k.limits = {};
  else if (auto l = f.limits("limits"))
    k.limits = *l;
  if (auto e = f.boolean("enabled")) k.enabled = *e;
  // What a GET returned, sent back by a form: read-only.
  f.ignore({"prefix", "used_usd", "used_micros", "remaining_usd", "remaining_micros",
            "quota_micros", "created_at"});
}

AdminResponse reply(int status, json::object o) {
  return {status, json::serialize(o), {}};
}

AdminResponse one_key(const ApiContext& ctx, int status, const KeyRecord& k) {
  json::object o;
  o["key"] = live_key_json(ctx, k);
  return reply(status, std::move(o));
}

KeyRecord existing(Store& store, const std::string& name) {
  auto k = store.key_by_name(name);
  if (!k) not_found("No key named '" + name + "'.");
  return *k;
}

}  // namespace

AdminResponse keys_api(ApiContext& ctx, const AdminRequest& req) {
  Store& store = ctx.store;
  const auto& seg = req.segments;
  if (seg.size() == 1) {
    if (req.method == "GET") {
      json::array list;
      for (auto& k : store.keys()) list.push_back(live_key_json(ctx, k));
      json::object o;
      o["keys"] = std::move(list);
      return reply(200, std::move(o));
    }
    if (req.method != "POST") return method_not_allowed(req, "GET, POST");
    json::object body = parse_object(req.body);
    Fields f(body);
    auto name = f.string("name");
    if (!name) bad_request("'name' is required.");
    throw_if_failed(check_key_name(*name));
    auto group = f.string("group");
    if (!group) bad_request("'group' is required.");
    NewKey created = make_key(*name, *group);
    apply_fields(store, f, created.record);
    f.refuse_unknown();
    auto stored = create_key(store, created.record);
    if (!stored.ok()) throw_if_failed(stored.error());
    json::object o;
    o["key"] = live_key_json(ctx, stored.value());
    o["secret"] = created.secret;
    return reply(201, std::move(o));
  }
  if (seg.size() != 2) not_found("Unknown admin API path.");
  const std::string& name = seg[1];
  if (req.method == "GET") return one_key(ctx, 200, existing(store, name));
  if (req.method == "PATCH") {
    KeyRecord k = existing(store, name);
    json::object body = parse_object(req.body);
    Fields f(body);
    if (auto n = f.string("name"); n && *n != name)
      bad_request("A key cannot be renamed; create a new key instead.");
    apply_fields(store, f, k);
    f.refuse_unknown();
    store.upsert_key(k);
    return one_key(ctx, 200, existing(store, name));
  }
  if (req.method == "DELETE") {
    if (!store.delete_key(name)) not_found("No key named '" + name + "'.");
    json::object o;
    o["deleted"] = true;
    return reply(200, std::move(o));
  }
  return method_not_allowed(req, "GET, PATCH, DELETE");
}

}  // namespace aiohub::admin
