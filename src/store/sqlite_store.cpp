// SQLite back end: one file in WAL mode, so that the usage writer, the
// configuration reloader and shell commands can work on it at the same time.
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <variant>

#include "store/record_json.hpp"
#include "store/store.hpp"
#include "store/usage_buckets.hpp"
#include "util/files.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (
  name TEXT PRIMARY KEY,
  endpoints TEXT NOT NULL,
  ratio REAL NOT NULL DEFAULT 1.0,
  limits TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS channels (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  base_url TEXT NOT NULL,
  api_key TEXT NOT NULL,
  groups TEXT NOT NULL,
  models TEXT NOT NULL,
  model_map TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  weight INTEGER NOT NULL DEFAULT 1,
  enabled INTEGER NOT NULL DEFAULT 1,
  settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS prices (
  model TEXT PRIMARY KEY,
  input REAL NOT NULL, output REAL NOT NULL,
  cache_read REAL NOT NULL, cache_write REAL NOT NULL,
  per_call REAL NOT NULL DEFAULT 0,
  per_image REAL NOT NULL DEFAULT 0,
  image_prices TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  group_name TEXT NOT NULL,
  quota_micros INTEGER,
  used_micros INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER,
  models TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  limits TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS usage_logs (
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  key_id INTEGER NOT NULL,
  key_name TEXT NOT NULL,
  group_name TEXT NOT NULL,
  model TEXT NOT NULL,
  upstream_model TEXT NOT NULL,
  channel TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  stream INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  usage_estimated INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  ttfb_ms INTEGER NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL,
  attempts TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS usage_logs_ts ON usage_logs (ts_ms);
CREATE INDEX IF NOT EXISTS usage_logs_key ON usage_logs (key_id, ts_ms);
CREATE INDEX IF NOT EXISTS usage_logs_request ON usage_logs (request_id);
CREATE TABLE IF NOT EXISTS channel_health (
  channel TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT NOT NULL,
  consecutive_failures INTEGER NOT NULL,
  since_ms INTEGER NOT NULL,
  until_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  seen_ms INTEGER NOT NULL,
  queued_rows INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO meta (k, v) VALUES ('schema_version', '1');
INSERT OR IGNORE INTO meta (k, v) VALUES ('config_revision', '0');
)sql";

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK)
      throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view s) {
    check(sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, const char* s) { return bind(i, std::string_view(s)); }
  Statement& bind(int i, const std::string& s) { return bind(i, std::string_view(s)); }
  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Statement& bind(int i, double v) {
    check(sqlite3_bind_double(stmt_, i, v));
    return *this;
  }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  void run() {
    step();
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> opt_integer(int col) const {
    if (is_null(col)) return std::nullopt;
    return integer(col);
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) create_private_directories(parent);
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError("cannot open database " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // The usage indexes (one of them on random request ids) outgrow the
    // default 2 MB page cache within hours of traffic; then each batch of
    // rows costs a pread per index page. Read the file through a mapping
    // and keep more of it cached.
    exec("PRAGMA mmap_size=268435456");
    exec("PRAGMA cache_size=-32768");
  }
  ~SqliteStore() override { sqlite3_close(db_); }

  void migrate() override {
    exec(kSchema);
    // Version 1 databases lack the columns added since; CREATE TABLE IF NOT
    // EXISTS leaves their tables as they were.
    add_column_if_missing("groups", "limits", "TEXT NOT NULL DEFAULT '{}'");
    add_column_if_missing("channels", "settings", "TEXT NOT NULL DEFAULT '{}'");
    add_column_if_missing("prices", "per_call", "REAL NOT NULL DEFAULT 0");
    add_column_if_missing("prices", "per_image", "REAL NOT NULL DEFAULT 0");
    add_column_if_missing("prices", "image_prices", "TEXT NOT NULL DEFAULT '{}'");
    add_column_if_missing("keys", "limits", "TEXT NOT NULL DEFAULT '{}'");
    add_column_if_missing("usage_logs", "attempts", "TEXT NOT NULL DEFAULT ''");
    set_meta("schema_version", "2");
  }

  std::optional<std::string> meta(std::string_view key) override {
    Statement s(db_, "SELECT v FROM meta WHERE k = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  void set_meta(std::string_view key, std::string_view value) override {
    Statement s(
        db_, "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    s.bind(1, key).bind(2, value).run();
  }

  void set_config_meta(std::string_view key, std::string_view value) override {
    transaction([&] {
      set_meta(key, value);
      bump_revision();
    });
  }

  std::int64_t config_revision() override {
    auto v = meta("config_revision");
    return v ? std::stoll(*v) : 0;
  }

  std::vector<GroupRecord> groups() override {
    std::vector<GroupRecord> out;
    Statement s(db_, "SELECT name, endpoints, ratio, limits FROM groups ORDER BY name");
    while (s.step())
      out.push_back(
          {s.text(0), strings_from_json(s.text(1)), s.real(2), limits_from_json(s.text(3))});
    return out;
  }

  void upsert_group(const GroupRecord& g) override {
    transaction([&] {
      Statement s(db_,
                  "INSERT INTO groups (name, endpoints, ratio, limits) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (name) DO UPDATE SET endpoints = excluded.endpoints, ratio = "
                  "excluded.ratio, limits = excluded.limits");
      s.bind(1, g.name)
          .bind(2, to_json(g.endpoints))
          .bind(3, g.ratio)
          .bind(4, to_json(g.limits))
          .run();
      bump_revision();
    });
  }

  bool delete_group(std::string_view name) override {
    return delete_where("DELETE FROM groups WHERE name = ?", name);
  }

  std::vector<ChannelRecord> channels() override {
    std::vector<ChannelRecord> out;
    Statement s(db_,
                "SELECT id, name, type, base_url, api_key, groups, models, model_map, priority, "
                "weight, enabled, settings FROM channels ORDER BY id");
    while (s.step()) {
      ChannelRecord c;
      c.id = s.integer(0);
      c.name = s.text(1);
      c.type = s.text(2);
      c.base_url = s.text(3);
      c.api_key = s.text(4);
      c.groups = strings_from_json(s.text(5));
      c.models = strings_from_json(s.text(6));
      c.model_map = map_from_json(s.text(7));
      c.priority = static_cast<int>(s.integer(8));
      c.weight = static_cast<int>(s.integer(9));
      c.enabled = s.integer(10) != 0;
      c.settings = settings_from_json(s.text(11));
      out.push_back(std::move(c));
    }
    return out;
  }

  void upsert_channel(const ChannelRecord& c) override {
    transaction([&] {
      Statement s(
          db_,
          "INSERT INTO channels (name, type, base_url, api_key, groups, models, model_map, "
          "priority, weight, enabled, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (name) DO UPDATE SET type = excluded.type, base_url = excluded.base_url, "
          "api_key = excluded.api_key, groups = excluded.groups, models = excluded.models, "
          "model_map = excluded.model_map, priority = excluded.priority, "
          "weight = excluded.weight, enabled = excluded.enabled, settings = excluded.settings");
      s.bind(1, c.name)
          .bind(2, c.type)
          .bind(3, c.base_url)
          .bind(4, c.api_key)
          .bind(5, to_json(c.groups))
          .bind(6, to_json(c.models))
          .bind(7, to_json(c.model_map))
          .bind(8, c.priority)
          .bind(9, c.weight)
          .bind(10, c.enabled)
          .bind(11, to_json(c.settings))
          .run();
      bump_revision();
    });
  }

  bool delete_channel(std::string_view name) override {
    bool deleted = false;
    transaction([&] {
      deleted = delete_where("DELETE FROM channels WHERE name = ?", name);
      Statement s(db_, "DELETE FROM channel_health WHERE channel = ?");
      s.bind(1, name).run();
    });
    return deleted;
  }

  std::vector<PriceRecord> prices() override {
    std::vector<PriceRecord> out;
    Statement s(db_,
                "SELECT model, input, output, cache_read, cache_write, per_call, per_image, "
                "image_prices FROM prices ORDER BY model");
    while (s.step())
      out.push_back({s.text(0), s.real(1), s.real(2), s.real(3), s.real(4), s.real(5), s.real(6),
                     number_map_from_json(s.text(7))});
    return out;
  }

  void upsert_price(const PriceRecord& p) override {
    transaction([&] {
      Statement s(
          db_,
          "INSERT INTO prices (model, input, output, cache_read, cache_write, per_call, "
          "per_image, image_prices) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (model) DO UPDATE SET input = excluded.input, output = excluded.output, "
          "cache_read = excluded.cache_read, cache_write = excluded.cache_write, "
          "per_call = excluded.per_call, per_image = excluded.per_image, "
          "image_prices = excluded.image_prices");
      s.bind(1, p.model)
          .bind(2, p.input)
          .bind(3, p.output)
          .bind(4, p.cache_read)
          .bind(5, p.cache_write)
          .bind(6, p.per_call)
          .bind(7, p.per_image)
          .bind(8, to_json(p.image_prices))
          .run();
      bump_revision();
    });
  }

  bool delete_price(std::string_view model) override {
    return delete_where("DELETE FROM prices WHERE model = ?", model);
  }

  std::vector<KeyRecord> keys() override { return select_keys("", {}); }

  std::optional<KeyRecord> key_by_name(std::string_view name) override {
    auto v = select_keys("WHERE name = ?", name);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  void upsert_key(const KeyRecord& k) override {
    transaction([&] {
      Statement s(
          db_,
          "INSERT INTO keys (name, hash, prefix, group_name, quota_micros, used_micros, "
          "expires_at, models, enabled, created_at, limits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?) "
          "ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, prefix = excluded.prefix, "
          "group_name = excluded.group_name, quota_micros = excluded.quota_micros, "
          "expires_at = excluded.expires_at, models = excluded.models, "
          "enabled = excluded.enabled, limits = excluded.limits");
      s.bind(1, k.name)
          .bind(2, k.hash)
          .bind(3, k.prefix)
          .bind(4, k.group)
          .bind(5, k.quota)
          .bind(6, k.used)
          .bind(7, k.expires_at)
          .bind(8, to_json(k.models))
          .bind(9, k.enabled)
          .bind(10, k.created_at ? k.created_at : unix_now_s())
          .bind(11, to_json(k.limits))
          .run();
      bump_revision();
    });
  }

  bool set_key_enabled(std::string_view name, bool enabled) override {
    bool changed = false;
    transaction([&] {
      Statement s(db_, "UPDATE keys SET enabled = ? WHERE name = ?");
      s.bind(1, enabled).bind(2, name).run();
      changed = sqlite3_changes(db_) > 0;
      if (changed) bump_revision();
    });
    return changed;
  }

  bool delete_key(std::string_view name) override {
    return delete_where("DELETE FROM keys WHERE name = ?", name);
  }

  std::vector<std::pair<std::int64_t, Micros>> key_spending() override {
    std::vector<std::pair<std::int64_t, Micros>> out;
    Statement s(db_, "SELECT id, used_micros FROM keys WHERE quota_micros IS NOT NULL");
    while (s.step()) out.emplace_back(s.integer(0), s.integer(1));
    return out;
  }

  void write_usage(const std::vector<UsageRecord>& rows) override {
    if (rows.empty()) return;
    transaction([&] {
      Statement ins(
          db_,
          "INSERT INTO usage_logs (ts_ms, request_id, key_id, key_name, group_name, model, "
          "upstream_model, channel, endpoint, stream, input_tokens, output_tokens, "
          "cache_read_tokens, cache_write_tokens, reasoning_tokens, usage_estimated, "
          "cost_micros, latency_ms, ttfb_ms, status, error, attempts) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      Statement charge(db_, "UPDATE keys SET used_micros = used_micros + ? WHERE id = ?");
      // A row replayed from the crash journal may be committed already: each
      // request id is logged, and charged, once.
      Statement logged(db_, "SELECT 1 FROM usage_logs WHERE request_id = ? LIMIT 1");
      std::map<std::int64_t, Micros> charges;
      for (auto& r : rows) {
        if (!r.request_id.empty()) {
          logged.bind(1, r.request_id);
          const bool seen = logged.step();
          logged.reset();
          if (seen) continue;
        }
        ins.bind(1, r.ts_ms)
            .bind(2, r.request_id)
            .bind(3, r.key_id)
            .bind(4, r.key_name)
            .bind(5, r.group)
            .bind(6, r.model)
            .bind(7, r.upstream_model)
            .bind(8, r.channel)
            .bind(9, r.endpoint)
            .bind(10, r.stream)
            .bind(11, r.usage.input)
            .bind(12, r.usage.output)
            .bind(13, r.usage.cache_read)
            .bind(14, r.usage.cache_write)
            .bind(15, r.usage.reasoning)
            .bind(16, r.usage_estimated)
            .bind(17, r.cost)
            .bind(18, r.latency_ms)
            .bind(19, r.ttfb_ms)
            .bind(20, r.status)
            .bind(21, r.error)
            .bind(22, r.attempts)
            .run();
        if (r.cost != 0) charges[r.key_id] += r.cost;
      }
      // One update per key and batch, not per row: a batch is a few
      // thousand rows of the same few keys under load.
      for (const auto& [key_id, cost] : charges)
        if (cost != 0) charge.bind(1, cost).bind(2, key_id).run();
    });
  }

  std::vector<UsageRecord> recent_usage(int limit) override {
    UsageQuery q;
    q.limit = limit;
    return query_usage(q);
  }

  std::vector<UsageRecord> query_usage(const UsageQuery& q) override {
    std::string sql = std::string(kUsageColumns) + " FROM usage_logs WHERE 1 = 1";
    std::vector<std::variant<std::string, std::int64_t>> args;
    auto text_filter = [&](const char* column, const std::optional<std::string>& v) {
      if (!v) return;
      sql += std::string(" AND ") + column + " = ?";
      args.emplace_back(*v);
    };
    text_filter("key_name", q.key_name);
    text_filter("model", q.model);
    text_filter("channel", q.channel);
    text_filter("group_name", q.group);
    auto int_filter = [&](const char* condition, const std::optional<std::int64_t>& v) {
      if (!v) return;
      sql += std::string(" AND ") + condition;
      args.emplace_back(*v);
    };
    int_filter("status = ?",
               q.status ? std::optional<std::int64_t>(*q.status) : std::optional<std::int64_t>());
    if (q.errors_only) sql += " AND status >= 400";
    int_filter("ts_ms >= ?", q.since_ms);
    int_filter("ts_ms < ?", q.until_ms);
    int_filter("id < ?", q.before_id);
    sql += " ORDER BY id DESC LIMIT ?";
    args.emplace_back(static_cast<std::int64_t>(std::max(0, q.limit)));
    Statement s(db_, sql);
    for (std::size_t i = 0; i < args.size(); ++i)
      std::visit([&](const auto& v) { s.bind(static_cast<int>(i + 1), v); }, args[i]);
    std::vector<UsageRecord> out;
    while (s.step()) out.push_back(usage_from_row(s));
    return out;
  }

  std::optional<UsageRecord> usage_row(std::string_view request_id) override {
    Statement s(db_, std::string(kUsageColumns) +
                         " FROM usage_logs WHERE request_id = ? ORDER BY id DESC LIMIT 1");
    s.bind(1, request_id);
    if (!s.step()) return std::nullopt;
    return usage_from_row(s);
  }

  std::vector<UsageSummary> usage_by(UsageBucket by, std::optional<std::int64_t> since_ms,
                                     std::optional<std::int64_t> until_ms) override {
    const bool by_time = is_time_bucket(by);
    const std::string bucket = usage_bucket_sql(by);
    std::string sql =
        "SELECT " + bucket +
        " AS b, COUNT(*), SUM(status >= 400), SUM(input_tokens), SUM(output_tokens), "
        "SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), "
        "SUM(cost_micros), SUM(latency_ms), SUM(CASE WHEN status < 400 THEN ttfb_ms ELSE 0 END), "
        "SUM(status < 400) FROM usage_logs WHERE ts_ms >= ? AND ts_ms < ? GROUP BY b ORDER BY ";
    sql += by_time ? "b ASC" : "SUM(cost_micros) DESC, COUNT(*) DESC, b ASC";
    Statement s(db_, sql);
    s.bind(1, since_ms.value_or(std::numeric_limits<std::int64_t>::min()))
        .bind(2, until_ms.value_or(std::numeric_limits<std::int64_t>::max()));
    std::vector<UsageSummary> out;
    while (s.step()) {
      UsageSummary u;
      if (by_time)
        u.bucket_ms = s.integer(0);
      else
        u.bucket = s.text(0);
      u.requests = s.integer(1);
      u.errors = s.integer(2);
      u.input_tokens = s.integer(3);
      u.output_tokens = s.integer(4);
      u.cache_read_tokens = s.integer(5);
      u.cache_write_tokens = s.integer(6);
      u.reasoning_tokens = s.integer(7);
      u.cost = s.integer(8);
      u.latency_ms_total = s.integer(9);
      u.ttfb_ms_total = s.integer(10);
      u.ttfb_count = s.integer(11);
      out.push_back(std::move(u));
    }
    return out;
  }

  std::vector<ChannelHealthRecord> channel_health() override {
    std::vector<ChannelHealthRecord> out;
    Statement s(db_,
                "SELECT channel, state, reason, consecutive_failures, since_ms, until_ms FROM "
                "channel_health ORDER BY channel");
    while (s.step())
      out.push_back({s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4), s.integer(5)});
    return out;
  }

  void write_channel_health(const std::vector<ChannelHealthRecord>& rows) override {
    if (rows.empty()) return;
    transaction([&] {
      Statement s(db_,
                  "INSERT INTO channel_health (channel, state, reason, consecutive_failures, "
                  "since_ms, until_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE "
                  "SET state = excluded.state, reason = excluded.reason, consecutive_failures = "
                  "excluded.consecutive_failures, since_ms = excluded.since_ms, until_ms = "
                  "excluded.until_ms");
      for (auto& h : rows)
        s.bind(1, h.channel)
            .bind(2, h.state)
            .bind(3, h.reason)
            .bind(4, h.consecutive_failures)
            .bind(5, h.since_ms)
            .bind(6, h.until_ms)
            .run();
    });
  }

  void record_instance(const InstanceRecord& i) override {
    Statement s(db_,
                "INSERT INTO instances (id, address, started_ms, seen_ms, queued_rows) VALUES (?, "
                "?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET address = excluded.address, "
                "started_ms = excluded.started_ms, seen_ms = excluded.seen_ms, queued_rows = "
                "excluded.queued_rows");
    s.bind(1, i.id)
        .bind(2, i.address)
        .bind(3, i.started_ms)
        .bind(4, i.seen_ms)
        .bind(5, i.queued_rows)
        .run();
  }

  std::vector<InstanceRecord> instances() override {
    std::vector<InstanceRecord> out;
    Statement s(db_,
                "SELECT id, address, started_ms, seen_ms, queued_rows FROM instances ORDER BY id");
    while (s.step())
      out.push_back({s.text(0), s.text(1), s.integer(2), s.integer(3), s.integer(4)});
    return out;
  }

  void transaction(const std::function<void()>& fn) override {
    // Only the outermost level talks to SQLite, and the depth moves only once
    // BEGIN has succeeded, so a busy database cannot leave it out of step
    // (rows committed one by one, then written again on retry).
    if (depth_ == 0) exec("BEGIN IMMEDIATE");
    ++depth_;
    try {
      fn();
    } catch (...) {
      if (--depth_ == 0) rollback_quietly();
      throw;
    }
    if (--depth_ == 0) {
      try {
        exec("COMMIT");
      } catch (...) {
        rollback_quietly();
        throw;
      }
    }
  }

 private:
  void rollback_quietly() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError("sqlite: " + msg);
    }
  }

  void add_column_if_missing(const char* table, const char* column, const char* declaration) {
    Statement s(db_,
                std::string("SELECT 1 FROM pragma_table_info('") + table + "') WHERE name = ?");
    s.bind(1, column);
    if (s.step()) return;
    exec((std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + declaration)
             .c_str());
  }

  // A configuration row removed by its name; true when there was one.
  bool delete_where(const char* sql, std::string_view name) {
    bool deleted = false;
    transaction([&] {
      Statement s(db_, sql);
      s.bind(1, name).run();
      deleted = sqlite3_changes(db_) > 0;
      if (deleted) bump_revision();
    });
    return deleted;
  }

  static constexpr const char* kUsageColumns =
      "SELECT id, ts_ms, request_id, key_id, key_name, group_name, model, upstream_model, "
      "channel, endpoint, stream, input_tokens, output_tokens, cache_read_tokens, "
      "cache_write_tokens, reasoning_tokens, usage_estimated, cost_micros, latency_ms, "
      "ttfb_ms, status, error, attempts";

  static UsageRecord usage_from_row(const Statement& s) {
    UsageRecord r;
    r.id = s.integer(0);
    r.ts_ms = s.integer(1);
    r.request_id = s.text(2);
    r.key_id = s.integer(3);
    r.key_name = s.text(4);
    r.group = s.text(5);
    r.model = s.text(6);
    r.upstream_model = s.text(7);
    r.channel = s.text(8);
    r.endpoint = s.text(9);
    r.stream = s.integer(10) != 0;
    r.usage.input = s.integer(11);
    r.usage.output = s.integer(12);
    r.usage.cache_read = s.integer(13);
    r.usage.cache_write = s.integer(14);
    r.usage.reasoning = s.integer(15);
    r.usage_estimated = s.integer(16) != 0;
    r.cost = s.integer(17);
    r.latency_ms = s.integer(18);
    r.ttfb_ms = s.integer(19);
    r.status = static_cast<int>(s.integer(20));
    r.error = s.text(21);
    r.attempts = s.text(22);
    return r;
  }

  void bump_revision() {
    exec("UPDATE meta SET v = CAST(v AS INTEGER) + 1 WHERE k = 'config_revision'");
  }

  std::vector<KeyRecord> select_keys(std::string_view where, std::optional<std::string_view> arg) {
    std::string sql =
        "SELECT id, name, hash, prefix, group_name, quota_micros, used_micros, expires_at, models, "
        "enabled, created_at, limits FROM keys ";
    sql += where;
    sql += " ORDER BY id";
    Statement s(db_, sql);
    if (arg) s.bind(1, *arg);
    std::vector<KeyRecord> out;
    while (s.step()) {
      KeyRecord k;
      k.id = s.integer(0);
      k.name = s.text(1);
      k.hash = s.text(2);
      k.prefix = s.text(3);
      k.group = s.text(4);
      k.quota = s.opt_integer(5);
      k.used = s.integer(6);
      k.expires_at = s.opt_integer(7);
      k.models = strings_from_json(s.text(8));
      k.enabled = s.integer(9) != 0;
      k.created_at = s.integer(10);
      k.limits = limits_from_json(s.text(11));
      out.push_back(std::move(k));
    }
    return out;
  }

  sqlite3* db_ = nullptr;
  int depth_ = 0;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace aiohub
