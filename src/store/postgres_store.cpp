// PostgreSQL back end (cluster mode): many gateway instances share one
// database. Statements are prepared once per pooled connection; usage rows
// go in as one multi-row INSERT that also moves the balances, in a single
// statement, so a batch is all or nothing.
#include <algorithm>
#include <functional>
#include <limits>

#include "store/change_listener.hpp"
#include "store/pg_pool.hpp"
#include "store/postgres_schema.hpp"
#include "store/record_json.hpp"
#include "store/store.hpp"
#include "store/usage_buckets.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

// PostgreSQL array literals ('{"a","b"}', '{1,2}') for unnest(): a batch of
// any size is one prepared statement with one parameter per column.
class ArrayLiteral {
 public:
  void add(std::string_view s) {
    sep();
    out_ += '"';
    for (char c : pg_text(s)) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }
  void add(std::int64_t v) {
    sep();
    out_ += std::to_string(v);
  }
  void add(bool v) {
    sep();
    out_ += v ? 't' : 'f';
  }
  std::string str() const { return "{" + out_ + "}"; }

 private:
  void sep() {
    if (!out_.empty()) out_ += ',';
  }
  std::string out_;
};

constexpr const char* kUsageColumns =
    "ts_ms, request_id, key_id, key_name, group_name, model, upstream_model, channel, endpoint, "
    "stream, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
    "reasoning_tokens, usage_estimated, cost_micros, latency_ms, ttfb_ms, status, error, attempts";

std::string write_usage_sql() {
  std::string cols = kUsageColumns;
  // Rows whose request id is already logged (a replay from a disk queue) are
  // skipped, and so is their charge: only inserted rows move a balance.
  return "WITH batch AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], "
         "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], "
         "$10::boolean[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
         "$15::bigint[], $16::boolean[], $17::bigint[], $18::bigint[], $19::bigint[], "
         "$20::integer[], $21::text[], $22::text[]) WITH ORDINALITY AS t(" +
         cols +
         ", ord)), "
         "inserted AS (INSERT INTO usage_logs (" +
         cols + ") SELECT " + cols +
         " FROM batch ORDER BY ord "
         "ON CONFLICT (request_id) WHERE request_id <> '' DO NOTHING "
         "RETURNING key_id, cost_micros) "
         "UPDATE keys SET used_micros = keys.used_micros + c.total "
         "FROM (SELECT key_id, sum(cost_micros)::bigint AS total FROM inserted GROUP BY key_id) c "
         "WHERE keys.id = c.key_id AND c.total <> 0";
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const std::string& url) : conn_(pg_acquire(url)) {}

  void migrate() override { migrate_postgres(*conn_); }

  std::optional<std::string> meta(std::string_view key) override {
    auto r = conn_->query("SELECT v FROM meta WHERE k = $1", PgParams().add(key));
    if (r.rows() == 0) return std::nullopt;
    return r.text(0, 0);
  }

  void set_meta(std::string_view key, std::string_view value) override {
    conn_->query(
        "INSERT INTO meta (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
        PgParams().add(key).add(value));
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
    auto r = conn_->query("SELECT name, endpoints, ratio, limits FROM groups ORDER BY name");
    std::vector<GroupRecord> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.text(i, 0), strings_from_json(r.text(i, 1)), r.real(i, 2),
                     limits_from_json(r.text(i, 3))});
    return out;
  }

  void upsert_group(const GroupRecord& g) override {
    transaction([&] {
      conn_->query(
          "INSERT INTO groups (name, endpoints, ratio, limits) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (name) DO UPDATE SET endpoints = excluded.endpoints, ratio = "
          "excluded.ratio, limits = excluded.limits",
          PgParams().add(g.name).add(to_json(g.endpoints)).add(g.ratio).add(to_json(g.limits)));
      bump_revision();
    });
  }

  bool delete_group(std::string_view name) override {
    return delete_where("DELETE FROM groups WHERE name = $1", name);
  }

  std::vector<ChannelRecord> channels() override {
    auto r = conn_->query(
        "SELECT id, name, type, base_url, api_key, groups, models, model_map, priority, weight, "
        "enabled, settings FROM channels ORDER BY id");
    std::vector<ChannelRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      ChannelRecord c;
      c.id = r.integer(i, 0);
      c.name = r.text(i, 1);
      c.type = r.text(i, 2);
      c.base_url = r.text(i, 3);
      c.api_key = r.text(i, 4);
      c.groups = strings_from_json(r.text(i, 5));
      c.models = strings_from_json(r.text(i, 6));
      c.model_map = map_from_json(r.text(i, 7));
      c.priority = static_cast<int>(r.integer(i, 8));
      c.weight = static_cast<int>(r.integer(i, 9));
      c.enabled = r.boolean(i, 10);
      c.settings = settings_from_json(r.text(i, 11));
      out.push_back(std::move(c));
    }
    return out;
  }

  void upsert_channel(const ChannelRecord& c) override {
    transaction([&] {
      conn_->query(
          "INSERT INTO channels (name, type, base_url, api_key, groups, models, model_map, "
          "priority, weight, enabled, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
          "$11) ON CONFLICT (name) DO UPDATE SET type = excluded.type, base_url = "
          "excluded.base_url, api_key = excluded.api_key, groups = excluded.groups, models = "
          "excluded.models, model_map = excluded.model_map, priority = excluded.priority, weight "
          "= excluded.weight, enabled = excluded.enabled, settings = excluded.settings",
          PgParams()
              .add(c.name)
              .add(c.type)
              .add(c.base_url)
              .add(c.api_key)
              .add(to_json(c.groups))
              .add(to_json(c.models))
              .add(to_json(c.model_map))
              .add(c.priority)
              .add(c.weight)
              .add(c.enabled)
              .add(to_json(c.settings)));
      bump_revision();
    });
  }

  bool delete_channel(std::string_view name) override {
    bool deleted = false;
    transaction([&] {
      deleted = delete_where("DELETE FROM channels WHERE name = $1", name);
      conn_->query("DELETE FROM channel_health WHERE channel = $1", PgParams().add(name));
    });
    return deleted;
  }

  std::vector<PriceRecord> prices() override {
    auto r = conn_->query(
        "SELECT model, input, output, cache_read, cache_write, per_call, per_image, image_prices "
        "FROM prices ORDER BY model");
    std::vector<PriceRecord> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.text(i, 0), r.real(i, 1), r.real(i, 2), r.real(i, 3), r.real(i, 4),
                     r.real(i, 5), r.real(i, 6), number_map_from_json(r.text(i, 7))});
    return out;
  }

  void upsert_price(const PriceRecord& p) override {
    transaction([&] {
      conn_->query(
          "INSERT INTO prices (model, input, output, cache_read, cache_write, per_call, "
          "per_image, image_prices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (model) "
          "DO UPDATE SET input = excluded.input, output = excluded.output, cache_read = "
          "excluded.cache_read, cache_write = excluded.cache_write, per_call = "
          "excluded.per_call, per_image = excluded.per_image, image_prices = "
          "excluded.image_prices",
          PgParams()
              .add(p.model)
              .add(p.input)
              .add(p.output)
              .add(p.cache_read)
              .add(p.cache_write)
              .add(p.per_call)
              .add(p.per_image)
              .add(to_json(p.image_prices)));
      bump_revision();
    });
  }

  bool delete_price(std::string_view model) override {
    return delete_where("DELETE FROM prices WHERE model = $1", model);
  }

  std::vector<KeyRecord> keys() override { return select_keys(std::nullopt); }

  std::optional<KeyRecord> key_by_name(std::string_view name) override {
    auto v = select_keys(name);
    if (v.empty()) return std::nullopt;
    return v.front();
  }

  void upsert_key(const KeyRecord& k) override {
    transaction([&] {
      conn_->query(
          "INSERT INTO keys (name, hash, prefix, group_name, quota_micros, used_micros, "
          "expires_at, models, enabled, created_at, limits) VALUES ($1, $2, $3, $4, $5, $6, $7, "
          "$8, $9, $10, $11) ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, prefix = "
          "excluded.prefix, group_name = excluded.group_name, quota_micros = "
          "excluded.quota_micros, expires_at = excluded.expires_at, models = excluded.models, "
          "enabled = excluded.enabled, limits = excluded.limits",
          PgParams()
              .add(k.name)
              .add(k.hash)
              .add(k.prefix)
              .add(k.group)
              .add(k.quota)
              .add(k.used)
              .add(k.expires_at)
              .add(to_json(k.models))
              .add(k.enabled)
              .add(k.created_at ? k.created_at : unix_now_s())
              .add(to_json(k.limits)));
      bump_revision();
    });
  }

  bool set_key_enabled(std::string_view name, bool enabled) override {
    bool changed = false;
    transaction([&] {
      auto r = conn_->query("UPDATE keys SET enabled = $1 WHERE name = $2",
                            PgParams().add(enabled).add(name));
      changed = r.affected() > 0;
      if (changed) bump_revision();
    });
    return changed;
  }

  bool delete_key(std::string_view name) override {
    return delete_where("DELETE FROM keys WHERE name = $1", name);
  }

  std::vector<std::pair<std::int64_t, Micros>> key_spending() override {
    auto r = conn_->query("SELECT id, used_micros FROM keys WHERE quota_micros IS NOT NULL");
    std::vector<std::pair<std::int64_t, Micros>> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.integer(i, 0), r.integer(i, 1));
    return out;
  }

  void write_usage(const std::vector<UsageRecord>& rows) override {
    if (rows.empty()) return;
    ArrayLiteral cols[22];
    for (auto& r : rows) {
      cols[0].add(r.ts_ms);
      cols[1].add(r.request_id);
      cols[2].add(r.key_id);
      cols[3].add(r.key_name);
      cols[4].add(r.group);
      cols[5].add(r.model);
      cols[6].add(r.upstream_model);
      cols[7].add(r.channel);
      cols[8].add(r.endpoint);
      cols[9].add(r.stream);
      cols[10].add(r.usage.input);
      cols[11].add(r.usage.output);
      cols[12].add(r.usage.cache_read);
      cols[13].add(r.usage.cache_write);
      cols[14].add(r.usage.reasoning);
      cols[15].add(r.usage_estimated);
      cols[16].add(r.cost);
      cols[17].add(r.latency_ms);
      cols[18].add(r.ttfb_ms);
      cols[19].add(static_cast<std::int64_t>(r.status));
      cols[20].add(r.error);
      cols[21].add(r.attempts);
    }
    PgParams p;
    for (auto& c : cols) p.add(c.str());
    static const std::string sql = write_usage_sql();
    conn_->query(sql, p);
  }

  std::vector<UsageRecord> recent_usage(int limit) override {
    UsageQuery q;
    q.limit = limit;
    return query_usage(q);
  }

  std::vector<UsageRecord> query_usage(const UsageQuery& q) override {
    std::string sql = std::string("SELECT id, ") + kUsageColumns + " FROM usage_logs WHERE true";
    PgParams p;
    int n = 0;
    auto filter = [&](const char* condition, const auto& value) {
      if (!value) return;
      p.add(*value);
      sql += std::string(" AND ") + condition + std::to_string(++n);
    };
    filter("key_name = $", q.key_name);
    filter("model = $", q.model);
    filter("channel = $", q.channel);
    filter("group_name = $", q.group);
    filter("status = $", q.status);
    if (q.errors_only) sql += " AND status >= 400";
    filter("ts_ms >= $", q.since_ms);
    filter("ts_ms < $", q.until_ms);
    filter("id < $", q.before_id);
    p.add(std::max(0, q.limit));
    sql += " ORDER BY id DESC LIMIT $" + std::to_string(++n);
    return usage_rows(conn_->query(sql, p));
  }

  std::optional<UsageRecord> usage_row(std::string_view request_id) override {
    auto rows = usage_rows(conn_->query(std::string("SELECT id, ") + kUsageColumns +
                                            " FROM usage_logs WHERE request_id = $1 ORDER BY id "
                                            "DESC LIMIT 1",
                                        PgParams().add(request_id)));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  std::vector<UsageSummary> usage_by(UsageBucket by, std::optional<std::int64_t> since_ms,
                                     std::optional<std::int64_t> until_ms) override {
    const bool by_time = is_time_bucket(by);
    const std::string bucket = usage_bucket_sql(by);
    std::string sql =
        "SELECT " + bucket +
        " AS b, count(*), count(*) FILTER (WHERE status >= 400), sum(input_tokens), "
        "sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), "
        "sum(reasoning_tokens), sum(cost_micros), sum(latency_ms), "
        "coalesce(sum(ttfb_ms) FILTER (WHERE status < 400), 0), "
        "count(*) FILTER (WHERE status < 400) FROM usage_logs WHERE ts_ms >= $1 AND ts_ms < $2 "
        "GROUP BY b ORDER BY ";
    sql += by_time ? "b ASC" : "sum(cost_micros) DESC, count(*) DESC, b ASC";
    auto r =
        conn_->query(sql, PgParams()
                              .add(since_ms.value_or(std::numeric_limits<std::int64_t>::min()))
                              .add(until_ms.value_or(std::numeric_limits<std::int64_t>::max())));
    std::vector<UsageSummary> out;
    for (int i = 0; i < r.rows(); ++i) {
      UsageSummary u;
      if (by_time)
        u.bucket_ms = r.integer(i, 0);
      else
        u.bucket = r.text(i, 0);
      u.requests = r.integer(i, 1);
      u.errors = r.integer(i, 2);
      u.input_tokens = r.integer(i, 3);
      u.output_tokens = r.integer(i, 4);
      u.cache_read_tokens = r.integer(i, 5);
      u.cache_write_tokens = r.integer(i, 6);
      u.reasoning_tokens = r.integer(i, 7);
      u.cost = r.integer(i, 8);
      u.latency_ms_total = r.integer(i, 9);
      u.ttfb_ms_total = r.integer(i, 10);
      u.ttfb_count = r.integer(i, 11);
      out.push_back(std::move(u));
    }
    return out;
  }

  std::vector<ChannelHealthRecord> channel_health() override {
    auto r = conn_->query(
        "SELECT channel, state, reason, consecutive_failures, since_ms, until_ms FROM "
        "channel_health ORDER BY channel");
    std::vector<ChannelHealthRecord> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.integer(i, 3), r.integer(i, 4),
                     r.integer(i, 5)});
    return out;
  }

  void write_channel_health(const std::vector<ChannelHealthRecord>& rows) override {
    if (rows.empty()) return;
    transaction([&] {
      for (auto& h : rows)
        conn_->query(
            "INSERT INTO channel_health (channel, state, reason, consecutive_failures, since_ms, "
            "until_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel) DO UPDATE SET state "
            "= excluded.state, reason = excluded.reason, consecutive_failures = "
            "excluded.consecutive_failures, since_ms = excluded.since_ms, until_ms = "
            "excluded.until_ms",
            PgParams()
                .add(h.channel)
                .add(h.state)
                .add(h.reason)
                .add(h.consecutive_failures)
                .add(h.since_ms)
                .add(h.until_ms));
    });
  }

  void record_instance(const InstanceRecord& i) override {
    conn_->query(
        "INSERT INTO instances (id, address, started_ms, seen_ms, queued_rows) VALUES ($1, $2, "
        "$3, $4, $5) ON CONFLICT (id) DO UPDATE SET address = excluded.address, started_ms = "
        "excluded.started_ms, seen_ms = excluded.seen_ms, queued_rows = excluded.queued_rows",
        PgParams().add(i.id).add(i.address).add(i.started_ms).add(i.seen_ms).add(i.queued_rows));
  }

  std::vector<InstanceRecord> instances() override {
    auto r = conn_->query(
        "SELECT id, address, started_ms, seen_ms, queued_rows FROM instances ORDER BY id");
    std::vector<InstanceRecord> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back(
          {r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3), r.integer(i, 4)});
    return out;
  }

  void transaction(const std::function<void()>& fn) override {
    if (depth_ == 0) {
      // Configuration writers take turns (instances provisioning at the same
      // start, shell commands); usage writes do not come through here.
      conn_->exec("BEGIN");
      try {
        conn_->exec("SELECT pg_advisory_xact_lock(7235018842)");
      } catch (...) {
        rollback_quietly();
        throw;
      }
    }
    ++depth_;
    try {
      fn();
    } catch (...) {
      if (--depth_ == 0) rollback_quietly();
      throw;
    }
    if (--depth_ == 0) {
      try {
        conn_->exec("COMMIT");
      } catch (...) {
        rollback_quietly();
        throw;
      }
    }
  }

 private:
  // A configuration row removed by its name; true when there was one.
  bool delete_where(const char* sql, std::string_view name) {
    bool deleted = false;
    transaction([&] {
      deleted = conn_->query(sql, PgParams().add(name)).affected() > 0;
      if (deleted) bump_revision();
    });
    return deleted;
  }

  // Rows of "SELECT id, <kUsageColumns>".
  static std::vector<UsageRecord> usage_rows(const PgResult& r) {
    std::vector<UsageRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      UsageRecord u;
      u.id = r.integer(i, 0);
      u.ts_ms = r.integer(i, 1);
      u.request_id = r.text(i, 2);
      u.key_id = r.integer(i, 3);
      u.key_name = r.text(i, 4);
      u.group = r.text(i, 5);
      u.model = r.text(i, 6);
      u.upstream_model = r.text(i, 7);
      u.channel = r.text(i, 8);
      u.endpoint = r.text(i, 9);
      u.stream = r.boolean(i, 10);
      u.usage.input = r.integer(i, 11);
      u.usage.output = r.integer(i, 12);
      u.usage.cache_read = r.integer(i, 13);
      u.usage.cache_write = r.integer(i, 14);
      u.usage.reasoning = r.integer(i, 15);
      u.usage_estimated = r.boolean(i, 16);
      u.cost = r.integer(i, 17);
      u.latency_ms = r.integer(i, 18);
      u.ttfb_ms = r.integer(i, 19);
      u.status = static_cast<int>(r.integer(i, 20));
      u.error = r.text(i, 21);
      u.attempts = r.text(i, 22);
      out.push_back(std::move(u));
    }
    return out;
  }

  void rollback_quietly() {
    try {
      if (conn_->in_transaction()) conn_->exec("ROLLBACK");
    } catch (...) {
    }
  }

  void bump_revision() {
    conn_->query("UPDATE meta SET v = (v::bigint + 1)::text WHERE k = 'config_revision'");
    // Delivered to every listening instance when the transaction commits.
    conn_->exec(std::string("NOTIFY ") + kConfigChangedChannel);
  }

  std::vector<KeyRecord> select_keys(std::optional<std::string_view> name) {
    std::string sql =
        "SELECT id, name, hash, prefix, group_name, quota_micros, used_micros, expires_at, "
        "models, enabled, created_at, limits FROM keys ";
    PgParams p;
    if (name) {
      sql += "WHERE name = $1 ";
      p.add(*name);
    }
    sql += "ORDER BY id";
    auto r = conn_->query(sql, p);
    std::vector<KeyRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      KeyRecord k;
      k.id = r.integer(i, 0);
      k.name = r.text(i, 1);
      k.hash = r.text(i, 2);
      k.prefix = r.text(i, 3);
      k.group = r.text(i, 4);
      k.quota = r.opt_integer(i, 5);
      k.used = r.integer(i, 6);
      k.expires_at = r.opt_integer(i, 7);
      k.models = strings_from_json(r.text(i, 8));
      k.enabled = r.boolean(i, 9);
      k.created_at = r.integer(i, 10);
      k.limits = limits_from_json(r.text(i, 11));
      out.push_back(std::move(k));
    }
    return out;
  }

  PgLease conn_;
  int depth_ = 0;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url) {
  return std::make_unique<PostgresStore>(url);
}

}  // namespace aiohub
