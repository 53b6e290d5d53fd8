#include "config/provision.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "store/record_json.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace aiohub {

const std::vector<GroupRecord>& default_groups() {
  static const std::vector<std::string> text = {"chat", "responses", "messages", "gemini"};
  static const std::vector<std::string> text_images = {"chat", "responses", "messages", "gemini",
                                                       "images"};
  // The three opensource groups sell one model at three prices (ratio 1.0,
  // 0.8, 0.5), each served by its own channels (docs/providers.md).
  static const std::vector<GroupRecord> groups = {
      {"anthropic", text, 1.0, {}},          {"claude-bedrock", text, 1.0, {}},
      {"claude-kiro", text, 1.0, {}},        {"codex", text, 1.0, {}},
      {"codex-passthrough", text, 1.0, {}},  {"openai", text_images, 1.0, {}},
      {"opensource", text, 1.0, {}},         {"opensource-discount", text, 0.8, {}},
      {"opensource-economy", text, 0.5, {}}, {"gemini", text_images, 1.0, {}},
  };
  return groups;
}

NewKey make_key(const std::string& name, const std::string& group,
                std::optional<std::string> secret) {
  NewKey k;
  k.secret = secret && !secret->empty() ? *secret : "sk-" + random_urlsafe(48);
  k.record.name = name;
  k.record.group = group;
  k.record.hash = sha256_hex(k.secret);
  k.record.prefix = k.secret.substr(0, 7);
  k.record.created_at = unix_now_s();
  return k;
}

bool admin_token_matches(Store& store, std::string_view token) {
  auto stored = store.meta("admin_token_sha256");
  if (!stored || token.empty()) return false;
  return constant_time_equal(*stored, sha256_hex(token));
}

ProvisionResult provision(Store& store, const Config& config) {
  ProvisionResult result;
  store.migrate();
  store.transaction([&] {
    // Read inside the transaction: instances starting together on one shared
    // database take turns here, and only the first sees it fresh.
    result.fresh_database = !store.meta("provisioned_at").has_value();
    if (result.fresh_database) {
      for (auto& g : default_groups()) store.upsert_group(g);
      store.set_meta("provisioned_at", std::to_string(unix_now_s()));
    }

    std::set<std::string> known_groups;
    std::map<std::string, GroupRecord> existing;
    for (auto& g : store.groups()) existing[g.name] = g;
    for (auto& gc : config.groups) {
      GroupRecord g;
      if (auto it = existing.find(gc.name); it != existing.end())
        g = it->second;
      else
        g = {gc.name, {"chat", "responses", "messages", "gemini"}, 1.0, {}};
      if (gc.endpoints) g.endpoints = *gc.endpoints;
      if (gc.ratio) g.ratio = *gc.ratio;
      if (!gc.limits.empty()) g.limits = gc.limits;
      store.upsert_group(g);
      existing[g.name] = g;
    }
    for (auto& [name, g] : existing) known_groups.insert(name);

    if (config.auto_groups) {
      for (auto& g : *config.auto_groups)
        if (!known_groups.count(g))
          throw ConfigError("[auto] groups names unknown group '" + g + "'");
      store.set_config_meta(kAutoGroupsMeta, to_json(*config.auto_groups));
    } else if (!store.meta(kAutoGroupsMeta)) {
      std::vector<std::string> order;
      for (auto& g : default_groups()) order.push_back(g.name);
      store.set_config_meta(kAutoGroupsMeta, to_json(order));
    }
    if (config.allow_free_models)
      store.set_config_meta(kAllowFreeModelsMeta, *config.allow_free_models ? "1" : "0");
    if (config.max_output_tokens)
      store.set_config_meta(kMaxOutputTokensMeta, std::to_string(*config.max_output_tokens));
    known_groups.insert(kAutoGroup);

    for (auto& cc : config.channels) {
      for (auto& g : cc.groups)
        if (!known_groups.count(g))
          throw ConfigError("channel '" + cc.name + "' names unknown group '" + g + "'");
      ChannelRecord c;
      c.name = cc.name;
      c.type = cc.type;
      c.base_url = cc.base_url;
      c.api_key = cc.api_key;
      c.groups = cc.groups;
      c.models = cc.models;
      c.model_map = cc.model_map;
      c.priority = cc.priority;
      c.weight = cc.weight;
      c.enabled = cc.enabled;
      c.settings = cc.settings;
      store.upsert_channel(c);
    }

    for (auto& pc : config.prices)
      store.upsert_price({pc.model, pc.input, pc.output, pc.cache_read, pc.cache_write, pc.per_call,
                          pc.per_image, pc.image_prices});

    for (auto& kc : config.keys) {
      if (!known_groups.count(kc.group))
        throw ConfigError("key '" + kc.name + "' names unknown group '" + kc.group + "'");
      auto current = store.key_by_name(kc.name);
      KeyRecord rec;
      if (current) {
        rec = *current;
        if (kc.key) {
          auto fresh = make_key(kc.name, kc.group, kc.key);
          rec.hash = fresh.record.hash;
          rec.prefix = fresh.record.prefix;
        }
      } else {
        auto fresh = make_key(kc.name, kc.group, kc.key);
        rec = fresh.record;
        if (!kc.key) result.generated_keys.emplace_back(kc.name, fresh.secret);
      }
      rec.group = kc.group;
      rec.quota = kc.quota ? std::optional<Micros>(usd_to_micros(*kc.quota)) : std::nullopt;
      rec.expires_at = kc.expires;
      rec.models = kc.models.value_or(std::vector<std::string>{});
      if (kc.enabled) rec.enabled = *kc.enabled;
      rec.limits = kc.limits;
      store.upsert_key(rec);
    }

    if (result.fresh_database && config.channels.empty() && config.keys.empty()) {
      ChannelRecord demo;
      demo.name = kDemoChannel;
      demo.type = "demo";
      demo.groups = {kDemoGroup};
      demo.models = {kDemoModel};
      store.upsert_channel(demo);
      store.upsert_price({kDemoModel, 0, 0, 0, 0, 0, 0, {}});
      auto key = make_key("demo", kDemoGroup);
      store.upsert_key(key.record);
      result.demo_key = key.secret;
    }

    if (config.server.admin_token) {
      store.set_meta("admin_token_sha256", sha256_hex(*config.server.admin_token));
    } else if (!store.meta("admin_token_sha256")) {
      std::string token = "aiohub-admin-" + random_urlsafe(32);
      store.set_meta("admin_token_sha256", sha256_hex(token));
      result.new_admin_token = token;
    }
  });
  return result;
}

}  // namespace aiohub
