// aiohub: the command line. `serve` runs the gateway; the other commands
// work on the same database from the shell.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "admin/admin_api.hpp"
#include "admin/channel_view.hpp"
#include "admin/text_table.hpp"
#include "admin/usage_view.hpp"
#include "app/front_door.hpp"
#include "billing/key_state.hpp"
#include "billing/usage_writer.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/redis_shared_state.hpp"
#include "config/config.hpp"
#include "config/config_watcher.hpp"
#include "config/provision.hpp"
#include "gateway/gateway.hpp"
#include "images/service.hpp"
#include "metrics/metrics.hpp"
#include "server/http_server.hpp"
#include "store/pg_connection.hpp"
#include "store/store.hpp"
#include "store/usage_sink.hpp"
#include "store/usage_spool.hpp"
#include "util/crypto.hpp"
#include "util/files.hpp"
#include "util/logging.hpp"
#include "util/time.hpp"
#include "web/client_config_command.hpp"

using namespace aiohub;
namespace json = boost::json;

namespace {

// Admin API calls are few and short; two store threads keep a slow query
// from holding up the next one.
constexpr std::size_t kAdminStoreThreads = 2;

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

// Next to an SQLite file (one journal per database, like its -wal), else in
// the instance's data directory.
std::filesystem::path usage_journal_file(const ServerConfig& s) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (s.data_dir.empty() && s.database.rfind(kSqlite, 0) == 0)
    return s.database.substr(kSqlite.size()) + ".usage-journal";
  return data_dir_of(s) / "usage-journal";
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
  create_private_directories(data_dir_of(s));
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

// Files an earlier version (or an operator) left readable by others: the
// database holds upstream keys.
void restrict_data_files(const ServerConfig& s) {
  std::vector<std::filesystem::path> files{usage_journal_file(s), data_dir_of(s) / "instance-id"};
  constexpr std::string_view kSqlite = "sqlite://";
  if (s.database.rfind(kSqlite, 0) == 0) {
    const std::string db = s.database.substr(kSqlite.size());
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) files.emplace_back(db + suffix);
  }
  for (const auto& f : files)
    if (auto was = restrict_to_owner(f))
      spdlog::warn("{} was readable by others (mode {:o}); it is now 0600", f.string(),
                   static_cast<unsigned>(*was));
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
  restrict_data_files(cfg.server);
  // Every client connection, and the upstream connection it makes, is a
  // descriptor: take all the system allows, and cap connections below it.
  const OpenFileLimit files = raise_open_file_limit();
  std::size_t max_connections = static_cast<std::size_t>(cfg.server.max_connections);
  if (max_connections == 0) max_connections = std::max<std::uint64_t>(64, files.now / 2);
  spdlog::info("open file limit {}{}; at most {} client connections", files.now,
               files.now != files.before ? " (raised from " + std::to_string(files.before) + ")"
                                         : std::string(),
               max_connections);

  {
    auto store = open_store(cfg.server.database);
    auto result = provision(*store, cfg);
    print_banner(result, cfg.server.listen);
  }

  UsageSinkOptions sink;
  sink.spool_dir = usage_queue_dir(cfg.server);
  sink.journal_file = usage_journal_file(cfg.server);
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
  Metrics metrics;
  // Metric labels name only what the configuration knows.
  auto label_names = [&metrics, &watcher] {
    metrics.set_known_names(
        std::make_shared<const Metrics::KnownNames>(Metrics::known_names_of(*watcher.current())));
  };
  // Shared state for a cluster: quota, limits, channel health and change
  // notices in Redis; without it each instance keeps its own.
  std::unique_ptr<RedisSharedState> redis;
  if (!cfg.server.redis.empty()) {
    RedisSharedStateOptions ro;
    ro.url = cfg.server.redis;
    ro.instance_id = sink.instance->id;
    redis = std::make_unique<RedisSharedState>(
        ro, [&watcher] { return watcher.current(); }, [&watcher] { watcher.poke(); });
  }
  watcher.on_reload = [r = redis.get(), &label_names](std::int64_t revision) {
    label_names();
    if (r) r->config_changed(revision);
  };
  watcher.start();
  label_names();
  config_for_balances = &watcher;
  if (redis) redis->start();

  RelaySettings relay;
  relay.timeouts.connect = std::chrono::seconds(cfg.server.upstream_connect_timeout_seconds);
  relay.timeouts.first_byte = std::chrono::seconds(cfg.server.upstream_timeout_seconds);
  relay.timeouts.idle = std::chrono::seconds(cfg.server.upstream_timeout_seconds);
  relay.drain_after_client_gone = std::chrono::seconds(cfg.server.drain_after_hangup_seconds);
  SharedState local_shared;
  Pipeline pipeline(usage, redis ? *redis : local_shared, cfg.routing);
  pipeline.attach_metrics(metrics);
  Gateway gateway(pipeline, relay);
  ImageService images(image_service_options(cfg), pipeline, relay);
  admin::AdminApi admin_api(cfg.server.database, kAdminStoreThreads, &watcher, metrics, &usage);
  if (redis) admin_api.attach_shared_state(redis.get());
  FrontDoor front(watcher, gateway, images, admin_api, metrics);

  ServerOptions options;
  options.listen = cfg.server.listen;
  options.threads = cfg.server.threads;
  options.max_body_bytes = cfg.server.max_body_bytes;
  options.header_timeout = std::chrono::seconds(cfg.server.header_timeout_seconds);
  options.max_connections = max_connections;
  HttpServer server(options, front);

  server.start();
  spdlog::info("aiohub listening on http://{} (database {}, shared state {}, instance {})",
               server.bound_address(), redact_database_url(cfg.server.database),
               redis ? "redis " + redact_redis_url(cfg.server.redis) : std::string("local"),
               sink.instance->id);
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
  admin_api.stop();
  if (redis) redis->stop();  // after the last settlement was queued: sends it
  watcher.stop();
  usage.stop();
  spdlog::info("stopped; {} usage rows written", usage.written());
  if (auto queued = usage.queued_on_disk())
    spdlog::warn("{} usage rows wait in {} for the database; they are replayed on the next start",
                 queued, sink.spool_dir.string());
  return 0;
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
  o["used_micros"] = k.used;
  o["quota_micros"] = k.quota ? json::value(*k.quota) : json::value(nullptr);
  o["remaining_micros"] = k.quota ? json::value(*k.quota - k.used) : json::value(nullptr);
  o["limits"] = admin::limits_json(k.limits);
  return json::serialize(o);
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

std::string health_text(const std::optional<ChannelHealthRecord>& h) {
  if (!h || h->state == "healthy") return "healthy";
  std::string out = h->state;
  if (h->state == "cooling_down" && h->until_ms)
    out += " until " + format_rfc3339(h->until_ms / 1000);
  if (!h->reason.empty()) out += ": " + h->reason;
  return out;
}

int print_usage(const CommonOptions& o, const std::string& by_text, const std::string& since_text,
                const std::string& until_text, bool as_json) {
  auto by = admin::parse_bucket(by_text);
  if (!by || *by == UsageBucket::minute) {
    std::cerr << "--by must be model, key, channel, group, day or hour\n";
    return 2;
  }
  const std::int64_t now = unix_now_ms();
  auto since = admin::parse_time_ago(since_text, now);
  if (!since) {
    std::cerr << "--since must be like 24h, 7d, 30m, an RFC 3339 time or Unix milliseconds\n";
    return 2;
  }
  std::optional<std::int64_t> until;
  if (!until_text.empty()) {
    until = admin::parse_time_ago(until_text, now);
    if (!until) {
      std::cerr << "--until must be like 1h, an RFC 3339 time or Unix milliseconds\n";
      return 2;
    }
  }
  auto store = open_for_cli(o);
  auto rows = store->usage_by(*by, since, until);
  if (as_json) {
    std::cout << json::serialize(admin::usage_json(*by, rows)) << "\n";
    return 0;
  }
  TextTable table({std::string(admin::bucket_name(*by)), "requests", "errors", "input", "output",
                   "cache_read", "cache_write", "cost_usd", "avg_ms", "avg_ttfb_ms"},
                  {false, true, true, true, true, true, true, true, true, true});
  UsageSummary total;
  for (auto& r : rows) {
    auto v = admin::usage_row_json(*by, r);
    table.add({admin::bucket_label(*by, r).empty() ? "(none)" : admin::bucket_label(*by, r),
               std::to_string(r.requests), std::to_string(r.errors), std::to_string(r.input_tokens),
               std::to_string(r.output_tokens), std::to_string(r.cache_read_tokens),
               std::to_string(r.cache_write_tokens), usd_text(r.cost),
               json::serialize(v["avg_latency_ms"]), json::serialize(v["avg_ttfb_ms"])});
    total.requests += r.requests;
    total.errors += r.errors;
    total.input_tokens += r.input_tokens;
    total.output_tokens += r.output_tokens;
    total.cache_read_tokens += r.cache_read_tokens;
    total.cache_write_tokens += r.cache_write_tokens;
    total.cost += r.cost;
    total.latency_ms_total += r.latency_ms_total;
    total.ttfb_ms_total += r.ttfb_ms_total;
    total.ttfb_count += r.ttfb_count;
  }
  auto t = admin::usage_row_json(*by, total);
  table.add({"TOTAL", std::to_string(total.requests), std::to_string(total.errors),
             std::to_string(total.input_tokens), std::to_string(total.output_tokens),
             std::to_string(total.cache_read_tokens), std::to_string(total.cache_write_tokens),
             usd_text(total.cost), json::serialize(t["avg_latency_ms"]),
             json::serialize(t["avg_ttfb_ms"])});
  std::cout << table.render();
  return 0;
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
  o["shared_state_backend"] = s.redis.empty() ? "local" : "redis";
  if (!s.redis.empty()) {
    o["redis"] = redact_redis_url(s.redis);
    std::string error;
    auto endpoint = parse_redis_url(s.redis, &error);
    std::unique_ptr<RedisConnection> conn;
    if (endpoint) conn = RedisConnection::open(*endpoint, std::chrono::milliseconds(1000), error);
    std::optional<RedisReply> pong;
    if (conn) pong = conn->command({"PING"});
    if (conn && !pong) error = conn->error();
    o["redis_reachable"] = pong && !pong->is_error();
    if (!(pong && !pong->is_error())) o["redis_error"] = error.empty() ? "no answer" : error;
  }
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
              << "shared state:   " << str("shared_state_backend")
              << (st.contains("redis")
                      ? " " + str("redis") +
                            (st.at("redis_reachable").as_bool()
                                 ? std::string("  (reachable)")
                                 : "  (UNREACHABLE: " + str("redis_error") +
                                       "; instances count quota and limits locally)")
                      : std::string())
              << "\n"
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
  // The database, its journal, the usage queue and stored images are the
  // owner's alone, whichever command creates them.
  umask(077);
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

  const web::ClientConfigCommand client_config(app);
  CommonOptions usage_opts;
  std::string usage_by = "model", usage_since = "24h", usage_until;
  auto* usage_cmd =
      app.add_subcommand("usage", "usage and cost summaries (the same as GET /api/usage)");
  add_common(usage_cmd, usage_opts);
  usage_cmd->add_option("--by", usage_by, "model, key, channel, group, day or hour");
  usage_cmd->add_option("--since", usage_since, "24h (default), 7d, 30m, or an RFC 3339 time");
  usage_cmd->add_option("--until", usage_until, "end of the span (default: now)");
  usage_cmd->add_flag("--json", json_out, "the JSON of GET /api/usage");

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
    if (client_config.parsed()) return client_config.run();
    if (usage_cmd->parsed())
      return print_usage(usage_opts, usage_by, usage_since, usage_until, json_out);
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
      TextTable table({"name", "prefix", "group", "used_usd", "remaining_usd", "quota_usd",
                       "limits", "expires", "status"},
                      {false, false, false, true, true, true});
      for (auto& k : store->keys()) {
        if (json_out) {
          std::cout << key_json(k) << "\n";
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
      if (!json_out) std::cout << table.render();
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
      auto health = store->channel_health();
      TextTable table(
          {"name", "type", "base_url", "priority", "weight", "enabled", "models", "health"},
          {false, false, false, true, true, false, true});
      for (auto& c : store->channels()) {
        std::optional<ChannelHealthRecord> h;
        for (auto& rec : health)
          if (rec.channel == c.name) h = rec;
        if (json_out) {
          json::object o = admin::channel_json(c, h);
          o["has_api_key"] = !c.api_key.empty();
          std::cout << json::serialize(o) << "\n";
          continue;
        }
        table.add({c.name, c.type, c.base_url.empty() ? "-" : c.base_url,
                   std::to_string(c.priority), std::to_string(c.weight), c.enabled ? "yes" : "no",
                   std::to_string(c.models.size()), health_text(h)});
      }
      if (!json_out) std::cout << table.render();
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
