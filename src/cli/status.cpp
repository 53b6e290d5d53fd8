// `aiohub status`: back ends, schema version, instances and their usage
// queues.
#include <boost/json.hpp>
#include <iostream>

#include "cli/command.hpp"
#include "cluster/redis_client.hpp"
#include "config/paths.hpp"
#include "store/pg_connection.hpp"
#include "store/usage_spool.hpp"
#include "util/time.hpp"

namespace aiohub::cli {

namespace json = boost::json;

namespace {

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
  o["data_dir"] = paths::data_dir(s).string();
  o["instance_id"] = paths::instance_id(s, false);
  o["usage_queue_rows"] = UsageSpool::count_rows(paths::usage_queue_dir(s));
  auto oldest = UsageSpool::oldest_row_ms(paths::usage_queue_dir(s));
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

int status(const DatabaseOptions& o, bool as_json) {
  auto st = status_json(o.load());
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

void add_status(CLI::App& app, Commands& out) {
  struct Options {
    DatabaseOptions db;
    bool as_json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("status", "back ends, schema version, instances and their usage queues");
  o->db.add_to(cmd);
  cmd->add_flag("--json", o->as_json, "one JSON object");
  out.push_back({cmd, [o] { return status(o->db, o->as_json); }});
}

}  // namespace aiohub::cli
