// aiohub: the command line. `serve` runs the gateway; the other commands
// work on the same database from the shell.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <boost/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "billing/usage_writer.hpp"
#include "config/config.hpp"
#include "gateway/config_watcher.hpp"
#include "gateway/gateway.hpp"
#include "server/http_server.hpp"
#include "store/pg_connection.hpp"
#include "store/provision.hpp"
#include "store/store.hpp"
#include "store/usage_sink.hpp"
#include "store/usage_spool.hpp"
#include "util/crypto.hpp"
#include "util/logging.hpp"
#include "util/time.hpp"

using namespace aiohub;
namespace json = boost::json;

namespace {

struct CommonOptions {
  std::string config_path;
  std::string database;
};

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("-c,--config", o.config_path, "TOML configuration file");
  cmd->add_option("--database", o.database, "database URL (overrides the config file)");
}

Config load(const CommonOptions& o) {
  Config cfg = o.config_path.empty() ? Config{} : load_config_file(o.config_path);
  if (!o.database.empty()) cfg.server.database = o.database;
  return cfg;
}

std::unique_ptr<Store> open_for_cli(const CommonOptions& o) {
  auto store = open_store(load(o).server.database);
  store->migrate();
  return store;
}

// This instance's own files: the SQLite file's directory, or ./data.
std::filesystem::path data_dir_of(const ServerConfig& s) {
  if (!s.data_dir.empty()) return s.data_dir;
  constexpr std::string_view kSqlite = "sqlite://";
  if (s.database.rfind(kSqlite, 0) == 0) {
    auto parent = std::filesystem::path(s.database.substr(kSqlite.size())).parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
  }
  return "data";
}

std::filesystem::path usage_queue_dir(const ServerConfig& s) {
  return data_dir_of(s) / "usage-queue";
}

// The configured id, else one generated on first start and kept in the data
// directory, so that a restarted instance is the same instance.
std::string instance_id_of(const ServerConfig& s, bool create) {
  if (!s.instance_id.empty()) return s.instance_id;
  auto file = data_dir_of(s) / "instance-id";
  std::string id;
  if (std::ifstream in(file); in) std::getline(in, id);
  if (!id.empty() || !create) return id;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  id = std::string(host) + "-" + random_urlsafe(6);
  std::filesystem::create_directories(data_dir_of(s));
  std::ofstream(file) << id << "\n";
  return id;
}

void print_banner(const ProvisionResult& r, const std::string& address) {
  if (!r.new_admin_token && !r.demo_key && r.generated_keys.empty()) return;
  std::cout << "\n  aiohub: save these now, they are shown only once.\n";
  if (r.new_admin_token) std::cout << "  admin token: " << *r.new_admin_token << "\n";
  if (r.demo_key)
    std::cout << "  demo key:    " << *r.demo_key << "   (group openai, model aiohub-demo)\n";
  for (auto& [name, secret] : r.generated_keys)
    std::cout << "  key " << name << ": " << secret << "\n";
  if (r.demo_key) {
    std::cout << "\n  Try it:\n"
              << "    curl http://" << address << "/v1/chat/completions \\\n"
              << "      -H 'Authorization: Bearer " << *r.demo_key << "' \\\n"
              << "      -H 'Content-Type: application/json' \\\n"
              << "      -d "
                 "'{\"model\":\"aiohub-demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hello "
                 "from aiohub\"}]}'\n";
  }
  std::cout << std::endl;
}

// What other instances charged, added to this instance's view of each
// balance (settled spending, and so what admission compares with the quota).
void add_spending(const Snapshot& snap, const std::map<std::int64_t, Micros>& spent) {
  for (auto& [id, micros] : spent) {
    auto it = snap.key_states.find(id);
    if (it == snap.key_states.end()) continue;
    it->second->balance.used.fetch_add(micros, std::memory_order_relaxed);
    it->second->balance.held.fetch_add(micros, std::memory_order_relaxed);
  }
}

int serve(const CommonOptions& o, const std::string& listen_override) {
  // Signals are taken synchronously on this thread. Blocked before any thread
  // starts, so that every thread inherits the mask and none is killed by one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Config cfg = load(o);
  if (!listen_override.empty()) cfg.server.listen = listen_override;
  setup_logging(cfg.server.log_level, cfg.server.log_format);
  for (auto& w : cfg.warnings) spdlog::warn("{}", w);

  {
    auto store = open_store(cfg.server.database);
    auto result = provision(*store, cfg);
    print_banner(result, cfg.server.listen);
  }

  UsageSinkOptions sink;
  sink.spool_dir = usage_queue_dir(cfg.server);
  sink.journal_file = data_dir_of(cfg.server) / "usage-journal";
  sink.instance =
      InstanceRecord{instance_id_of(cfg.server, true), cfg.server.listen, unix_now_ms(), 0, 0};
  // Instances sharing a database count each other's spending against quotas.
  std::atomic<ConfigWatcher*> config_for_balances{nullptr};
  sink.on_others_spent = [&config_for_balances](const std::map<std::int64_t, Micros>& spent) {
    if (auto* w = config_for_balances.load()) add_spending(*w->current(), spent);
  };
  UsageWriter usage(cfg.server.database, sink);
  usage.start();
  ConfigWatcher watcher(cfg.server.database, std::chrono::milliseconds(1000));
  watcher.start();
  config_for_balances = &watcher;

  RelaySettings relay;
  relay.timeouts.connect = std::chrono::seconds(cfg.server.upstream_connect_timeout_seconds);
  relay.timeouts.first_byte = std::chrono::seconds(cfg.server.upstream_timeout_seconds);
  relay.timeouts.idle = std::chrono::seconds(cfg.server.upstream_timeout_seconds);
  Gateway gateway(watcher, usage, relay, cfg.routing);

  ServerOptions options;
  options.listen = cfg.server.listen;
  options.threads = cfg.server.threads;
  options.max_body_bytes = cfg.server.max_body_bytes;
  HttpServer server(options, gateway);

  server.start();
  spdlog::info("aiohub listening on http://{} (database {}, instance {})", server.bound_address(),
               redact_database_url(cfg.server.database), sink.instance->id);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: no new connections; waiting up to {} s for {} running requests", sig,
               cfg.server.shutdown_grace_seconds, server.active_requests());
  server.begin_shutdown();
  const auto deadline = mono_now_us() + cfg.server.shutdown_grace_seconds * 1'000'000LL;
  // A second signal cuts the grace period short.
  timespec tick{0, 50'000'000};
  while (server.active_requests() > 0 && mono_now_us() < deadline) {
    siginfo_t info;
    if (sigtimedwait(&signals, &info, &tick) > 0) break;
  }
  if (server.active_requests() > 0)
    spdlog::warn("stopping with {} requests still running", server.active_requests());
  server.stop();
  watcher.stop();
  usage.stop();
  spdlog::info("stopped; {} usage rows written", usage.written());
  if (auto queued = usage.queued_on_disk())
    spdlog::warn("{} usage rows wait in {} for the database; they are replayed on the next start",
                 queued, sink.spool_dir.string());
  return 0;
}

json::object health_json(const ChannelHealthRecord& h) {
  return json::object{{"state", h.state},
                      {"reason", h.reason},
                      {"consecutive_failures", h.consecutive_failures},
                      {"since_ms", h.since_ms},
                      {"until_ms", h.until_ms}};
}

json::value attempts_json(const std::string& text) {
  if (text.empty()) return json::array();
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(json::array()) : v;
}

std::string key_json(const KeyRecord& k) {
  json::object o{{"name", k.name},       {"prefix", k.prefix},
                 {"group", k.group},     {"used_usd", micros_to_usd(k.used)},
                 {"enabled", k.enabled}, {"created_at", format_rfc3339(k.created_at)}};
  o["quota_usd"] = k.quota ? json::value(micros_to_usd(*k.quota)) : json::value(nullptr);
  o["remaining_usd"] =
      k.quota ? json::value(micros_to_usd(*k.quota - k.used)) : json::value(nullptr);
  o["expires"] = k.expires_at ? json::value(format_rfc3339(*k.expires_at)) : json::value(nullptr);
  json::array models;
  for (auto& m : k.models) models.emplace_back(m);
  o["models"] = std::move(models);
  return json::serialize(o);
}

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

int migrate_command(const CommonOptions& o) {
  Config cfg = load(o);
  auto store = open_store(cfg.server.database);
  store->migrate();
  std::cout << (is_postgres_url(cfg.server.database) ? "postgresql" : "sqlite") << " "
            << redact_database_url(cfg.server.database) << ": schema version "
            << store->meta("schema_version").value_or("?") << "\n";
  return 0;
}

json::object status_json(const Config& cfg) {
  const auto& s = cfg.server;
  json::object o;
  o["database_backend"] = is_postgres_url(s.database) ? "postgresql" : "sqlite";
  o["database"] = redact_database_url(s.database);
  o["shared_state_backend"] = "local";  // Redis: not in this build yet
  o["data_dir"] = data_dir_of(s).string();
  o["instance_id"] = instance_id_of(s, false);
  o["usage_queue_rows"] = UsageSpool::count_rows(usage_queue_dir(s));
  auto oldest = UsageSpool::oldest_row_ms(usage_queue_dir(s));
  o["usage_queue_lag_seconds"] =
      oldest ? json::value((unix_now_ms() - *oldest) / 1000) : json::value(nullptr);
  try {
    auto store = open_store(s.database);
    o["database_reachable"] = true;
    o["schema_version"] = store->meta("schema_version").value_or("");
    o["config_revision"] = store->config_revision();
    json::array instances;
    auto now = unix_now_ms();
    for (auto& i : store->instances()) {
      json::object e;
      e["id"] = i.id;
      e["address"] = i.address;
      e["started"] = format_rfc3339(i.started_ms / 1000);
      e["seen_seconds_ago"] = (now - i.seen_ms) / 1000;
      e["usage_queue_rows"] = i.queued_rows;
      instances.push_back(std::move(e));
    }
    o["instances"] = std::move(instances);
  } catch (const std::exception& e) {
    o["database_reachable"] = false;
    o["database_error"] = e.what();
  }
  return o;
}

int status_command(const CommonOptions& o, bool as_json) {
  auto st = status_json(load(o));
  if (as_json) {
    std::cout << json::serialize(st) << "\n";
  } else {
    auto str = [&](const char* k) {
      auto* v = st.if_contains(k);
      if (!v) return std::string("-");
      return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    };
    std::cout << "database:       " << str("database_backend") << " " << str("database")
              << (st.at("database_reachable").as_bool()
                      ? ""
                      : "  (UNREACHABLE: " + str("database_error") + ")")
              << "\n"
              << "schema version: " << str("schema_version") << "\n"
              << "shared state:   " << str("shared_state_backend") << "\n"
              << "this instance:  " << (str("instance_id").empty() ? "-" : str("instance_id"))
              << " (data dir " << str("data_dir") << ", " << str("usage_queue_rows")
              << " usage rows queued on disk"
              << (st.at("usage_queue_lag_seconds").is_null()
                      ? std::string()
                      : ", the oldest " + str("usage_queue_lag_seconds") + " s old")
              << ")\n";
    if (auto* list = st.if_contains("instances")) {
      std::cout << "instances:\n";
      for (auto& v : list->as_array()) {
        auto& i = v.as_object();
        std::cout << "  " << i.at("id").as_string() << "\t" << i.at("address").as_string()
                  << "\tseen " << i.at("seen_seconds_ago").as_int64() << " s ago\tqueue "
                  << i.at("usage_queue_rows").as_int64() << " rows\n";
      }
    }
  }
  return st.at("database_reachable").as_bool() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aiohub: one LLM gateway for every client protocol"};
  app.require_subcommand(1);

  CommonOptions serve_opts;
  std::string listen;
  auto* serve_cmd = app.add_subcommand("serve", "run the gateway");
  add_common(serve_cmd, serve_opts);
  serve_cmd->add_option("--listen", listen, "address to listen on, e.g. 127.0.0.1:3000");

  auto* key_cmd = app.add_subcommand("key", "manage API keys");
  key_cmd->require_subcommand(1);
  CommonOptions key_opts;
  std::string key_name, key_group = "openai", key_expires, key_models, key_secret;
  double key_quota = -1;
  auto* key_create = key_cmd->add_subcommand("create", "create a key and print its secret once");
  add_common(key_create, key_opts);
  key_create->add_option("--name", key_name, "key name")->required();
  key_create->add_option("--group", key_group, "group (default openai)");
  key_create->add_option("--quota", key_quota, "quota in USD (default unlimited)");
  key_create->add_option("--expires", key_expires, "expiry, RFC 3339");
  key_create->add_option("--models", key_models, "comma-separated model allow list");
  bool json_out = false;
  auto* key_list = key_cmd->add_subcommand("list", "list keys (never their secrets)");
  add_common(key_list, key_opts);
  key_list->add_flag("--json", json_out, "one JSON object per line");
  auto* key_revoke = key_cmd->add_subcommand("revoke", "disable a key");
  add_common(key_revoke, key_opts);
  key_revoke->add_option("name", key_name, "key name")->required();

  auto* channel_cmd = app.add_subcommand("channel", "inspect channels");
  channel_cmd->require_subcommand(1);
  CommonOptions channel_opts;
  auto* channel_list =
      channel_cmd->add_subcommand("list", "list channels (never their credentials)");
  add_common(channel_list, channel_opts);
  channel_list->add_flag("--json", json_out, "one JSON object per line");

  CommonOptions logs_opts;
  int logs_limit = 20;
  auto* logs_cmd = app.add_subcommand("logs", "print recent usage rows");
  add_common(logs_cmd, logs_opts);
  logs_cmd->add_option("--limit", logs_limit, "how many (newest first)");
  logs_cmd->add_flag("--json", json_out, "a JSON array");

  CommonOptions migrate_opts;
  auto* migrate_cmd =
      app.add_subcommand("migrate", "create or upgrade the database schema, then exit");
  add_common(migrate_cmd, migrate_opts);

  CommonOptions status_opts;
  auto* status_cmd =
      app.add_subcommand("status", "back ends, schema version, instances and their usage queues");
  add_common(status_cmd, status_opts);
  status_cmd->add_flag("--json", json_out, "one JSON object");

  CLI11_PARSE(app, argc, argv);

  try {
    if (serve_cmd->parsed()) return serve(serve_opts, listen);
    if (migrate_cmd->parsed()) return migrate_command(migrate_opts);
    if (status_cmd->parsed()) return status_command(status_opts, json_out);

    if (key_create->parsed()) {
      auto store = open_for_cli(key_opts);
      if (store->key_by_name(key_name)) {
        std::cerr << "a key named '" << key_name << "' already exists\n";
        return 1;
      }
      bool group_found = false;
      for (auto& g : store->groups()) group_found |= g.name == key_group;
      if (!group_found) {
        std::cerr << "unknown group '" << key_group << "'\n";
        return 1;
      }
      auto k = make_key(key_name, key_group);
      if (key_quota >= 0) k.record.quota = usd_to_micros(key_quota);
      if (!key_expires.empty()) {
        auto t = parse_rfc3339(key_expires);
        if (!t) {
          std::cerr << "--expires is not an RFC 3339 date-time: " << key_expires << "\n";
          return 1;
        }
        k.record.expires_at = *t;
      }
      k.record.models = split_csv(key_models);
      store->upsert_key(k.record);
      std::cout << k.secret << std::endl;
      std::cerr << "key '" << key_name << "' created in group '" << key_group
                << "'; the secret above is shown only this once\n";
      return 0;
    }
    if (key_list->parsed()) {
      auto store = open_for_cli(key_opts);
      for (auto& k : store->keys()) {
        if (json_out) {
          std::cout << key_json(k) << "\n";
        } else {
          std::cout << k.name << "\t" << k.prefix << "...\t" << k.group << "\tused $"
                    << micros_to_usd(k.used) << "\tquota "
                    << (k.quota ? "$" + std::to_string(micros_to_usd(*k.quota)) : "unlimited")
                    << "\t" << (k.enabled ? "enabled" : "revoked") << "\n";
        }
      }
      return 0;
    }
    if (key_revoke->parsed()) {
      auto store = open_for_cli(key_opts);
      if (!store->set_key_enabled(key_name, false)) {
        std::cerr << "no key named '" << key_name << "'\n";
        return 1;
      }
      std::cerr << "key '" << key_name << "' revoked\n";
      return 0;
    }
    if (channel_list->parsed()) {
      auto store = open_for_cli(channel_opts);
      std::map<std::string, ChannelHealthRecord> health;
      for (auto& h : store->channel_health()) health[h.channel] = h;
      for (auto& c : store->channels()) {
        ChannelHealthRecord h;
        if (auto it = health.find(c.name); it != health.end()) h = it->second;
        if (json_out) {
          json::array groups, models;
          for (auto& g : c.groups) groups.emplace_back(g);
          for (auto& m : c.models) models.emplace_back(m);
          std::cout << json::serialize(json::object{{"name", c.name},
                                                    {"type", c.type},
                                                    {"base_url", c.base_url},
                                                    {"has_api_key", !c.api_key.empty()},
                                                    {"groups", std::move(groups)},
                                                    {"models", std::move(models)},
                                                    {"priority", c.priority},
                                                    {"weight", c.weight},
                                                    {"enabled", c.enabled},
                                                    {"health", health_json(h)}})
                    << "\n";
        } else {
          std::cout << c.name << "\t" << c.type << "\t" << (c.base_url.empty() ? "-" : c.base_url)
                    << "\tpriority " << c.priority << "\tweight " << c.weight << "\t"
                    << (c.enabled ? "enabled" : "disabled") << "\t" << c.models.size()
                    << " models\t" << h.state
                    << (h.reason.empty() ? std::string() : " (" + h.reason + ")") << "\n";
        }
      }
      return 0;
    }
    if (logs_cmd->parsed()) {
      auto store = open_for_cli(logs_opts);
      json::array rows;
      for (auto& r : store->recent_usage(logs_limit)) {
        rows.push_back(json::object{{"ts", r.ts_ms},
                                    {"request_id", r.request_id},
                                    {"key", r.key_name},
                                    {"group", r.group},
                                    {"model", r.model},
                                    {"upstream_model", r.upstream_model},
                                    {"channel", r.channel},
                                    {"endpoint", r.endpoint},
                                    {"stream", r.stream},
                                    {"input_tokens", r.usage.input},
                                    {"output_tokens", r.usage.output},
                                    {"cached_tokens", r.usage.cache_read},
                                    {"cache_write_tokens", r.usage.cache_write},
                                    {"reasoning_tokens", r.usage.reasoning},
                                    {"usage_estimated", r.usage_estimated},
                                    {"cost_usd", micros_to_usd(r.cost)},
                                    {"latency_ms", r.latency_ms},
                                    {"ttfb_ms", r.ttfb_ms},
                                    {"status", r.status},
                                    {"error", r.error},
                                    {"cost_micros", r.cost},
                                    {"attempts", attempts_json(r.attempts)}});
      }
      if (json_out) {
        std::cout << json::serialize(rows) << "\n";
      } else {
        for (auto& v : rows) std::cout << json::serialize(v) << "\n";
      }
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "aiohub: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
