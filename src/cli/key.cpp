// `aiohub key create|list|revoke`: the rules and the JSON of /api/keys
// (admin/keys.hpp).
#include <algorithm>
#include <iostream>

#include "admin/keys.hpp"
#include "cli/command.hpp"
#include "cli/text_table.hpp"
#include "config/provision.hpp"
#include "util/time.hpp"

namespace aiohub::cli {

namespace json = boost::json;

namespace {

std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string limits_text(const RateLimits& l) {
  std::string out;
  auto add = [&](const char* name, const std::optional<std::int64_t>& v) {
    if (!v) return;
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    out += std::to_string(*v);
  };
  add("rpm", l.rpm);
  add("tpm", l.tpm);
  add("concurrency", l.concurrency);
  return out.empty() ? "-" : out;
}

struct CreateOptions {
  DatabaseOptions db;
  std::string name, group = "openai", expires, models;
  double quota = -1;
};

int create(const CreateOptions& o) {
  NewKey k = make_key(o.name, o.group);
  if (o.quota >= 0) k.record.quota = usd_to_micros(o.quota);
  if (!o.expires.empty()) {
    auto t = parse_rfc3339(o.expires);
    if (!t) return fail("--expires is not an RFC 3339 date-time: " + o.expires);
    k.record.expires_at = *t;
  }
  k.record.models = split_csv(o.models);
  auto store = o.db.open();
  auto stored = admin::create_key(*store, k.record);
  if (!stored.ok()) return fail(stored.error().message);
  std::cout << k.secret << std::endl;
  std::cerr << "key '" << o.name << "' created in group '" << o.group
            << "'; the secret above is shown only this once\n";
  return 0;
}

int list(const DatabaseOptions& db, bool as_json) {
  auto store = db.open();
  TextTable table({"name", "prefix", "group", "used_usd", "remaining_usd", "quota_usd", "limits",
                   "expires", "status"},
                  {false, false, false, true, true, true});
  for (auto& k : store->keys()) {
    if (as_json) {
      std::cout << json::serialize(admin::key_json(k, k.used)) << "\n";
      continue;
    }
    const bool expired = k.expires_at && *k.expires_at <= unix_now_s();
    table.add({k.name, k.prefix + "...", k.group, usd_text(k.used),
               k.quota ? usd_text(std::max<Micros>(0, *k.quota - k.used)) : "-",
               k.quota ? usd_text(*k.quota) : "unlimited", limits_text(k.limits),
               k.expires_at ? format_rfc3339(*k.expires_at) : "never",
               !k.enabled ? "revoked"
               : expired  ? "expired"
                          : "enabled"});
  }
  if (!as_json) std::cout << table.render();
  return 0;
}

int revoke(const DatabaseOptions& db, const std::string& name) {
  auto store = db.open();
  if (!store->set_key_enabled(name, false)) return fail("no key named '" + name + "'");
  std::cerr << "key '" << name << "' revoked\n";
  return 0;
}

}  // namespace

void add_key(CLI::App& app, Commands& out) {
  auto* key = app.add_subcommand("key", "manage API keys");
  key->require_subcommand(1);

  auto c = std::make_shared<CreateOptions>();
  auto* create_cmd = key->add_subcommand("create", "create a key and print its secret once");
  c->db.add_to(create_cmd);
  create_cmd->add_option("--name", c->name, "key name")->required();
  create_cmd->add_option("--group", c->group, "group, or auto (default openai)");
  create_cmd->add_option("--quota", c->quota, "quota in USD (default unlimited)");
  create_cmd->add_option("--expires", c->expires, "expiry, RFC 3339");
  create_cmd->add_option("--models", c->models, "comma-separated model allow list");
  out.push_back({create_cmd, [c] { return create(*c); }});

  struct ListOptions {
    DatabaseOptions db;
    bool as_json = false;
  };
  auto l = std::make_shared<ListOptions>();
  auto* list_cmd = key->add_subcommand("list", "list keys (never their secrets)");
  l->db.add_to(list_cmd);
  list_cmd->add_flag("--json", l->as_json, "one JSON object per line, as GET /api/keys lists them");
  out.push_back({list_cmd, [l] { return list(l->db, l->as_json); }});

  struct RevokeOptions {
    DatabaseOptions db;
    std::string name;
  };
  auto r = std::make_shared<RevokeOptions>();
  auto* revoke_cmd = key->add_subcommand("revoke", "disable a key");
  r->db.add_to(revoke_cmd);
  revoke_cmd->add_option("name", r->name, "key name")->required();
  out.push_back({revoke_cmd, [r] { return revoke(r->db, r->name); }});
}

}  // namespace aiohub::cli
