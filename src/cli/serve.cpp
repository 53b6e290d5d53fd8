// `aiohub serve`: the gateway, until SIGTERM or SIGINT.
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "admin/admin_api.hpp"
#include "app/front_door.hpp"
#include "billing/key_state.hpp"
#include "billing/usage_writer.hpp"
#include "cli/command.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/redis_shared_state.hpp"
#include "config/config_watcher.hpp"
#include "config/paths.hpp"
#include "config/provision.hpp"
#include "gateway/gateway.hpp"
#include "images/service.hpp"
#include "metrics/metrics.hpp"
#include "server/http_server.hpp"
#include "store/pg_connection.hpp"
#include "store/usage_sink.hpp"
#include "util/files.hpp"
#include "util/logging.hpp"
#include "util/time.hpp"

namespace aiohub::cli {

namespace {

// Admin API calls are few and short; two store threads keep a slow query
// from holding up the next one.
constexpr std::size_t kAdminStoreThreads = 2;

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
  for (const auto& f : paths::private_files(s))
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

int serve(const DatabaseOptions& o, const std::string& listen_override) {
  // Signals are taken synchronously on this thread. Blocked before any thread
  // starts, so that every thread inherits the mask and none is killed by one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Config cfg = o.load();
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
  sink.spool_dir = paths::usage_queue_dir(cfg.server);
  sink.journal_file = paths::usage_journal_file(cfg.server);
  sink.instance =
      InstanceRecord{paths::instance_id(cfg.server, true), cfg.server.listen, unix_now_ms(), 0, 0};
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

}  // namespace

void add_serve(CLI::App& app, Commands& out) {
  struct Options {
    DatabaseOptions db;
    std::string listen;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("serve", "run the gateway");
  o->db.add_to(cmd);
  cmd->add_option("--listen", o->listen, "address to listen on, e.g. 127.0.0.1:3000");
  out.push_back({cmd, [o] { return serve(o->db, o->listen); }});
}

}  // namespace aiohub::cli
