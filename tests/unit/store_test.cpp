#include "store/store.hpp"
#include "billing/key_state.hpp"
#include "config/snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "config/provision.hpp"
#include "domain/snapshot.hpp"
#include "store/change_listener.hpp"
#include "store/pg_connection.hpp"
#include "store/postgres_schema.hpp"
#include "store/usage_sink.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

// A fresh database of one back end. PostgreSQL comes from
// AIOHUB_TEST_POSTGRES_URL (ctest starts a throwaway server, see
// CMakeLists.txt); each test works in a schema of its own.
class TestDatabase {
 public:
  // Empty url(): the test is to be skipped (said so on purpose).
  explicit TestDatabase(const std::string& backend) {
    if (backend == "sqlite") {
      dir_ = fs::temp_directory_path() / ("aiohub-store-" + random_urlsafe(8));
      url_ = "sqlite://" + (dir_ / "sub" / "aiohub.db").string();
      return;
    }
    const char* skip = std::getenv("AIOHUB_TEST_POSTGRES");
    if (skip && std::string(skip) == "skip") return;
    const char* base = std::getenv("AIOHUB_TEST_POSTGRES_URL");
    if (!base || !*base) {
      throw std::runtime_error(
          "no PostgreSQL for the Store suite: run it through ctest (which starts one with "
          "scripts/test-postgres), or set AIOHUB_TEST_POSTGRES_URL, or AIOHUB_TEST_POSTGRES=skip "
          "to leave PostgreSQL out on purpose");
    }
    base_url_ = base;
    schema_ = "t_";
    for (char c : random_urlsafe(12))
      schema_ += std::isalnum(static_cast<unsigned char>(c))
                     ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                     : 'x';
    PgConnection admin(base_url_);
    admin.exec("CREATE SCHEMA " + schema_);
    url_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-c%20search_path%3D" + schema_ + "&application_name=" + schema_;
  }
  ~TestDatabase() {
    if (!dir_.empty()) fs::remove_all(dir_);
    if (!schema_.empty()) {
      try {
        PgConnection admin(base_url_);
        admin.exec("DROP SCHEMA " + schema_ + " CASCADE");
      } catch (...) {
      }
    }
  }
  const std::string& url() const { return url_; }

 private:
  fs::path dir_;
  std::string url_, base_url_, schema_;
};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    try {
      db_ = std::make_unique<TestDatabase>(GetParam());
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    if (db_->url().empty()) GTEST_SKIP() << "AIOHUB_TEST_POSTGRES=skip";
    url_ = db_->url();
  }
  std::unique_ptr<TestDatabase> db_;
  std::string url_;
};

class PostgresStoreTest : public StoreTest {};

}  // namespace

TEST_P(StoreTest, FreshDatabaseGetsDefaultGroupsDemoAndAdminToken) {
  auto store = open_store(url_);
  auto r = provision(*store, Config{});
  EXPECT_TRUE(r.fresh_database);
  ASSERT_TRUE(r.demo_key);
  ASSERT_TRUE(r.new_admin_token);
  EXPECT_TRUE(admin_token_matches(*store, *r.new_admin_token));
  EXPECT_FALSE(admin_token_matches(*store, "wrong"));
  EXPECT_EQ(store->groups().size(), default_groups().size());
  auto channels = store->channels();
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].type, "demo");
  auto demo = store->key_by_name("demo");
  ASSERT_TRUE(demo);
  EXPECT_EQ(demo->hash, sha256_hex(*r.demo_key));

  // A second start prints nothing again.
  auto again = provision(*store, Config{});
  EXPECT_FALSE(again.fresh_database);
  EXPECT_FALSE(again.demo_key);
  EXPECT_FALSE(again.new_admin_token);
}

TEST_P(StoreTest, ConfigSectionsAreCreatedThenUpdatedByName) {
  auto store = open_store(url_);
  Config cfg = parse_config(R"(
[[groups]]
name = "team"
endpoints = ["chat"]
ratio = 2.0
[[channels]]
name = "up"
type = "openai"
base_url = "http://127.0.0.1:9"
api_key = "k1"
groups = ["team"]
models = ["m1"]
[[keys]]
name = "alice"
key = "sk-alicealicealicealicealiceX"
group = "team"
quota = 1.5
)");
  auto r = provision(*store, cfg);
  EXPECT_FALSE(r.demo_key) << "no demo when the config brings its own setup";
  auto alice = store->key_by_name("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->quota, 1'500'000);
  EXPECT_EQ(alice->hash, sha256_hex("sk-alicealicealicealicealiceX"));

  UsageRecord spent;
  spent.key_id = alice->id;
  spent.cost = 250;
  store->write_usage({spent});
  auto rev = store->config_revision();
  cfg.channels[0].api_key = "k2";
  cfg.keys[0].quota = 3.0;
  provision(*store, cfg);
  EXPECT_GT(store->config_revision(), rev);
  EXPECT_EQ(store->channels().size(), 1u);
  EXPECT_EQ(store->channels()[0].api_key, "k2");
  alice = store->key_by_name("alice");
  EXPECT_EQ(alice->quota, 3'000'000);
  EXPECT_EQ(alice->used, 250) << "re-provisioning must not reset spending";
}

TEST_P(StoreTest, UnknownGroupInConfigIsAnError) {
  auto store = open_store(url_);
  Config cfg = parse_config("[[keys]]\nname='a'\ngroup='nope'\n");
  EXPECT_THROW(provision(*store, cfg), ConfigError);
  EXPECT_FALSE(store->key_by_name("a")) << "a failed provision leaves nothing half-done";
}

TEST_P(StoreTest, UsageRowsAndBalancesMoveTogether) {
  auto store = open_store(url_);
  provision(*store, Config{});
  auto demo = *store->key_by_name("demo");
  std::vector<UsageRecord> rows;
  for (int i = 0; i < 100; ++i) {
    UsageRecord r;
    r.key_id = demo.id;
    r.key_name = "demo";
    r.model = "aiohub-demo";
    r.request_id = "req_" + std::to_string(i);
    r.usage.input = i;
    r.cost = 7;
    r.status = 200;
    rows.push_back(r);
  }
  store->write_usage(rows);
  EXPECT_EQ(store->key_by_name("demo")->used, 700);
  auto recent = store->recent_usage(5);
  ASSERT_EQ(recent.size(), 5u);
  EXPECT_EQ(recent[0].request_id, "req_99");
  EXPECT_EQ(recent[0].usage.input, 99);
}

TEST_P(StoreTest, RevokeBumpsTheRevisionAndSnapshotsKeepLiveBalances) {
  auto store = open_store(url_);
  provision(*store, Config{});
  auto first = build_snapshot(*store, nullptr);
  ASSERT_EQ(first->keys_by_hash.size(), 1u);
  auto& key = first->keys_by_hash.begin()->second;
  EXPECT_TRUE(key.record.enabled);
  key.state->balance.used += 42;  // spent in memory, not yet written

  auto rev = store->config_revision();
  EXPECT_TRUE(store->set_key_enabled("demo", false));
  EXPECT_FALSE(store->set_key_enabled("nobody", false));
  EXPECT_GT(store->config_revision(), rev);

  auto second = build_snapshot(*store, first.get());
  auto& again = second->keys_by_hash.begin()->second;
  EXPECT_FALSE(again.record.enabled);
  EXPECT_EQ(again.state->balance.used.load(), 42);
  ASSERT_EQ(second->routes.at("openai").at(kDemoModel).size(), 1u);
}

TEST(StoreUrl, UnknownSchemesAreRefusedWithoutEchoingCredentials) {
  try {
    open_store("mysql://user:hunter2@db/aiohub");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << "never echo credentials";
  }
  // Nothing listens on port 9: the connection error names the server, not the password.
  try {
    open_store("postgres://user:hunter2@127.0.0.1:9/aiohub?connect_timeout=2");
    FAIL();
  } catch (const StoreError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
  }
}

TEST(StoreUrl, RedactsPasswords) {
  EXPECT_EQ(redact_database_url("postgres://u:p@h:5432/d"), "postgres://u:***@h:5432/d");
  EXPECT_EQ(redact_database_url("postgresql://u@h/d"), "postgresql://u@h/d");
  EXPECT_EQ(redact_database_url("sqlite://./data/a.db"), "sqlite://./data/a.db");
  EXPECT_EQ(redact_database_url("postgresql:///d?host=/tmp/x"), "postgresql:///d?host=/tmp/x");
}

TEST(PgText, KeepsValidUtf8AndReplacesTheRest) {
  EXPECT_EQ(pg_text("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(pg_text(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(pg_text("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(pg_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong";
  EXPECT_EQ(pg_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
  EXPECT_EQ(pg_text("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "truncated";
}

TEST_P(StoreTest, KeySpendingListsKeysWithAQuota) {
  auto store = open_store(url_);
  provision(*store, Config{});
  KeyRecord k;
  k.name = "capped";
  k.hash = "h-capped";
  k.group = "openai";
  k.quota = 1'000'000;
  store->upsert_key(k);
  auto id = store->key_by_name("capped")->id;
  UsageRecord r;
  r.request_id = "r1";
  r.key_id = id;
  r.cost = 123;
  store->write_usage({r});
  auto spending = store->key_spending();
  ASSERT_EQ(spending.size(), 1u) << "the demo key has no quota";
  EXPECT_EQ(spending[0], (std::pair<std::int64_t, Micros>{id, 123}));
}

TEST_P(StoreTest, InstancesReportThemselves) {
  auto store = open_store(url_);
  store->migrate();
  store->record_instance({"a", "10.0.0.1:3000", 1, 2, 0});
  store->record_instance({"b", "10.0.0.2:3000", 1, 2, 0});
  store->record_instance({"a", "10.0.0.1:3000", 1, 9, 17});
  auto all = store->instances();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");
  EXPECT_EQ(all[0].seen_ms, 9);
  EXPECT_EQ(all[0].queued_rows, 17);
  EXPECT_EQ(all[1].address, "10.0.0.2:3000");
}

TEST_P(StoreTest, AFailedTransactionLeavesNothing) {
  auto store = open_store(url_);
  provision(*store, Config{});
  auto rev = store->config_revision();
  EXPECT_THROW(store->transaction([&] {
    store->upsert_group({"temp", {"chat"}, 1.0, {}});
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(store->config_revision(), rev);
  for (auto& g : store->groups()) EXPECT_NE(g.name, "temp");
  // And the store is still usable afterwards.
  store->upsert_group({"kept", {"chat"}, 2.0, {}});
  EXPECT_EQ(store->config_revision(), rev + 1);
}

TEST_P(StoreTest, AnotherConnectionSeesCommittedChanges) {
  auto writer = open_store(url_);
  provision(*writer, Config{});
  auto reader = open_store(url_);
  auto rev = reader->config_revision();
  EXPECT_TRUE(reader->key_by_name("demo")->enabled);
  writer->set_key_enabled("demo", false);
  EXPECT_GT(reader->config_revision(), rev);
  EXPECT_FALSE(reader->key_by_name("demo")->enabled);
}

TEST_P(StoreTest, RecordsRoundTripEveryField) {
  auto store = open_store(url_);
  store->migrate();
  GroupRecord g{"g", {"chat", "messages"}, 1.25, {}};
  g.limits.rpm = 60;
  g.limits.concurrency = 4;
  store->upsert_group(g);
  ChannelRecord c;
  c.name = "up";
  c.type = "openai";
  c.base_url = "https://example.invalid/v1";
  c.api_key = "sk-secret";
  c.groups = {"g"};
  c.models = {"m1", "m2"};
  c.model_map = {{"m1", "upstream-m1"}};
  c.priority = 3;
  c.weight = 5;
  c.enabled = false;
  c.settings.first_byte_timeout_seconds = 12;
  store->upsert_channel(c);
  store->upsert_price({"m1", 1.5, 6.0, 0.15, 1.875, 0.01, 0.04, {}});
  KeyRecord k;
  k.name = "k";
  k.hash = "abc";
  k.prefix = "sk-a";
  k.group = "g";
  k.quota = 5'000'000;
  k.expires_at = 1'900'000'000;
  k.models = {"m1"};
  k.limits.tpm = 1000;
  store->upsert_key(k);

  auto groups = store->groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].endpoints, g.endpoints);
  EXPECT_EQ(groups[0].ratio, 1.25);
  EXPECT_EQ(groups[0].limits.rpm, 60);
  EXPECT_EQ(groups[0].limits.concurrency, 4);
  EXPECT_FALSE(groups[0].limits.tpm);
  auto channels = store->channels();
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_GT(channels[0].id, 0);
  EXPECT_EQ(channels[0].api_key, "sk-secret");
  EXPECT_EQ(channels[0].models, c.models);
  EXPECT_EQ(channels[0].model_map, c.model_map);
  EXPECT_EQ(channels[0].priority, 3);
  EXPECT_EQ(channels[0].weight, 5);
  EXPECT_FALSE(channels[0].enabled);
  EXPECT_EQ(channels[0].settings.first_byte_timeout_seconds, 12);
  EXPECT_FALSE(channels[0].settings.idle_timeout_seconds);
  auto prices = store->prices();
  ASSERT_EQ(prices.size(), 1u);
  EXPECT_EQ(prices[0].cache_write, 1.875);
  EXPECT_EQ(prices[0].per_call, 0.01);
  EXPECT_EQ(prices[0].per_image, 0.04);
  auto key = store->key_by_name("k");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->quota, 5'000'000);
  EXPECT_EQ(key->expires_at, 1'900'000'000);
  EXPECT_EQ(key->models, k.models);
  EXPECT_EQ(key->limits.tpm, 1000);
  EXPECT_GT(key->created_at, 0);
  k.quota.reset();
  k.expires_at.reset();
  store->upsert_key(k);
  key = store->key_by_name("k");
  EXPECT_FALSE(key->quota) << "unlimited again";
  EXPECT_FALSE(key->expires_at);

  store->write_channel_health({{"up", "cooling_down", "HTTP 503", 3, 100, 200}});
  store->write_channel_health({{"up", "probing", "HTTP 503", 3, 200, 0}});
  auto health = store->channel_health();
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].state, "probing");
  EXPECT_EQ(health[0].consecutive_failures, 3);
}

TEST_P(StoreTest, UsageRowsKeepEveryFieldAndSurviveOddBytes) {
  auto store = open_store(url_);
  provision(*store, Config{});
  auto demo = *store->key_by_name("demo");
  UsageRecord r;
  r.ts_ms = 1'700'000'000'123;
  r.request_id = "req_odd";
  r.key_id = demo.id;
  r.key_name = "demo";
  r.group = "openai";
  r.model = "m";
  r.upstream_model = "m-2025";
  r.channel = "c";
  r.endpoint = "chat";
  r.stream = true;
  r.usage = {10, 20, 3, 4, 5, true};
  r.usage_estimated = true;
  r.cost = 1234;
  r.latency_ms = 900;
  r.ttfb_ms = 80;
  r.status = 502;
  r.error = std::string("upstream said \"\\{bad\xFF\0", 22);
  r.attempts = R"([{"channel":"x","status":500}])";
  store->write_usage({r});
  auto got = store->recent_usage(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ts_ms, r.ts_ms);
  EXPECT_EQ(got[0].upstream_model, "m-2025");
  EXPECT_TRUE(got[0].stream);
  EXPECT_EQ(got[0].usage.output, 20);
  EXPECT_EQ(got[0].usage.reasoning, 5);
  EXPECT_TRUE(got[0].usage_estimated);
  EXPECT_EQ(got[0].cost, 1234);
  EXPECT_EQ(got[0].ttfb_ms, 80);
  EXPECT_EQ(got[0].status, 502);
  EXPECT_EQ(got[0].error.rfind("upstream said \"\\{bad", 0), 0u) << got[0].error;
  EXPECT_EQ(got[0].attempts, r.attempts);
  EXPECT_EQ(store->key_by_name("demo")->used, 1234);
}

TEST_P(StoreTest, InstancesProvisioningTogetherAgreeOnOneFirstStart) {
  open_store(url_)->migrate();
  std::atomic<int> fresh{0}, demo_keys{0}, tokens{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] {
      try {
        auto store = open_store(url_);
        auto r = provision(*store, Config{});
        fresh += r.fresh_database;
        demo_keys += r.demo_key.has_value();
        tokens += r.new_admin_token.has_value();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(demo_keys.load(), 1) << "the printed demo key is the one stored";
  EXPECT_EQ(tokens.load(), 1) << "the printed admin token is the one stored";
  EXPECT_EQ(open_store(url_)->keys().size(), 1u);
}

namespace {

UsageRecord usage_row(std::int64_t ts_ms, const std::string& request_id, const std::string& key,
                      const std::string& model, const std::string& channel, int status,
                      Micros cost) {
  UsageRecord r;
  r.ts_ms = ts_ms;
  r.request_id = request_id;
  r.key_name = key;
  r.group = "openai";
  r.model = model;
  r.channel = channel;
  r.endpoint = "chat";
  r.status = status;
  r.cost = cost;
  r.usage.input = 10;
  r.usage.output = 3;
  r.latency_ms = 100;
  r.ttfb_ms = status < 400 ? 40 : 0;
  return r;
}

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kT0 = 1'764'374'400'000;  // 2025-11-29T00:00:00Z

}  // namespace

TEST_P(StoreTest, DeletesByNameMoveTheRevisionAndReportUnknownNames) {
  auto store = open_store(url_);
  provision(*store, Config{});
  store->upsert_group({"team", {"chat"}, 1.0, {}});
  store->upsert_price({"m1", 1, 2, 0, 0, 0, 0, {}});
  ChannelRecord c;
  c.name = "up";
  c.type = "openai";
  c.base_url = "http://127.0.0.1:9";
  c.groups = {"team"};
  store->upsert_channel(c);
  store->write_channel_health({{"up", "cooling_down", "HTTP 401", 3, 1, 2}});

  auto rev = store->config_revision();
  EXPECT_TRUE(store->delete_channel("up"));
  EXPECT_GT(store->config_revision(), rev);
  EXPECT_TRUE(store->channel_health().empty()) << "a deleted channel's health goes with it";
  EXPECT_FALSE(store->delete_channel("up"));

  rev = store->config_revision();
  EXPECT_TRUE(store->delete_price("m1"));
  EXPECT_TRUE(store->delete_group("team"));
  EXPECT_TRUE(store->delete_key("demo"));
  EXPECT_EQ(store->config_revision(), rev + 3);
  EXPECT_FALSE(store->delete_price("m1"));
  EXPECT_FALSE(store->delete_group("team"));
  EXPECT_FALSE(store->delete_key("demo"));
  EXPECT_EQ(store->config_revision(), rev + 3) << "deleting nothing changes nothing";
  EXPECT_FALSE(store->key_by_name("demo"));
}

TEST_P(StoreTest, QueryUsageFiltersAndPagesNewestFirst) {
  auto store = open_store(url_);
  store->migrate();
  std::vector<UsageRecord> rows;
  for (int i = 0; i < 10; ++i)
    rows.push_back(usage_row(kT0 + i * 1000, "req_" + std::to_string(i), i % 2 ? "bob" : "alice",
                             i < 5 ? "m1" : "m2", "c1", i == 3 ? 502 : (i == 7 ? 429 : 200), i));
  store->write_usage(rows);

  UsageQuery all;
  all.limit = 100;
  auto every = store->query_usage(all);
  ASSERT_EQ(every.size(), 10u);
  EXPECT_EQ(every.front().request_id, "req_9");
  EXPECT_GT(every.front().id, every.back().id);

  UsageQuery q;
  q.key_name = "bob";
  q.model = "m2";
  q.limit = 100;
  auto bob = store->query_usage(q);
  ASSERT_EQ(bob.size(), 3u);  // 5, 7, 9
  EXPECT_EQ(bob[0].request_id, "req_9");
  EXPECT_EQ(bob[2].request_id, "req_5");

  UsageQuery errors;
  errors.errors_only = true;
  auto failed = store->query_usage(errors);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].status, 429);
  EXPECT_EQ(failed[1].status, 502);
  UsageQuery exact;
  exact.status = 502;
  ASSERT_EQ(store->query_usage(exact).size(), 1u);

  UsageQuery window;
  window.since_ms = kT0 + 2000;
  window.until_ms = kT0 + 5000;  // exclusive
  auto in_window = store->query_usage(window);
  ASSERT_EQ(in_window.size(), 3u);
  EXPECT_EQ(in_window[0].request_id, "req_4");

  // Paging: each page continues below the last id of the one before.
  UsageQuery page;
  page.limit = 4;
  std::vector<std::string> seen;
  for (int n = 0; n < 5; ++n) {
    auto got = store->query_usage(page);
    for (auto& r : got) seen.push_back(r.request_id);
    if (got.size() < 4u) break;
    page.before_id = got.back().id;
  }
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen.front(), "req_9");
  EXPECT_EQ(seen.back(), "req_0");

  auto one = store->usage_row("req_3");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 502);
  EXPECT_EQ(one->cost, 3);
  EXPECT_FALSE(store->usage_row("req_nope"));
}

TEST_P(StoreTest, UsageByBucketsSumsExactlyAndOrders) {
  auto store = open_store(url_);
  store->migrate();
  store->write_usage({
      usage_row(kT0 + 10, "a", "alice", "cheap", "c1", 200, 5),
      usage_row(kT0 + 20, "b", "alice", "dear", "c1", 200, 1'000'001),
      usage_row(kT0 + kDay + 5, "c", "bob", "dear", "c2", 200, 2'000'000),
      usage_row(kT0 + kDay + 3'600'000, "d", "bob", "cheap", "c2", 500, 0),
      usage_row(kT0 + 3 * kDay, "e", "carol", "cheap", "c2", 200, 7),
  });

  auto by_model = store->usage_by(UsageBucket::model, std::nullopt, std::nullopt);
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].bucket, "dear") << "highest cost first";
  EXPECT_EQ(by_model[0].cost, 3'000'001);
  EXPECT_EQ(by_model[0].requests, 2);
  EXPECT_EQ(by_model[1].bucket, "cheap");
  EXPECT_EQ(by_model[1].cost, 12);
  EXPECT_EQ(by_model[1].requests, 3);
  EXPECT_EQ(by_model[1].errors, 1);
  EXPECT_EQ(by_model[1].input_tokens, 30);
  EXPECT_EQ(by_model[1].output_tokens, 9);
  EXPECT_EQ(by_model[1].latency_ms_total, 300);
  EXPECT_EQ(by_model[1].ttfb_count, 2) << "the failed row does not count";
  EXPECT_EQ(by_model[1].ttfb_ms_total, 80);

  auto by_day = store->usage_by(UsageBucket::day, std::nullopt, std::nullopt);
  ASSERT_EQ(by_day.size(), 3u);
  EXPECT_EQ(by_day[0].bucket_ms, kT0);
  EXPECT_EQ(by_day[0].cost, 1'000'006);
  EXPECT_EQ(by_day[1].bucket_ms, kT0 + kDay);
  EXPECT_EQ(by_day[1].requests, 2);
  EXPECT_EQ(by_day[2].bucket_ms, kT0 + 3 * kDay);

  auto by_hour = store->usage_by(UsageBucket::hour, kT0 + kDay, kT0 + 2 * kDay);
  ASSERT_EQ(by_hour.size(), 2u);
  EXPECT_EQ(by_hour[1].bucket_ms, kT0 + kDay + 3'600'000);

  auto by_key = store->usage_by(UsageBucket::key, kT0 + kDay, std::nullopt);
  ASSERT_EQ(by_key.size(), 2u);
  EXPECT_EQ(by_key[0].bucket, "bob");
  EXPECT_EQ(by_key[1].bucket, "carol");

  auto by_channel = store->usage_by(UsageBucket::channel, std::nullopt, kT0 + kDay);
  ASSERT_EQ(by_channel.size(), 1u);
  EXPECT_EQ(by_channel[0].bucket, "c1");
  EXPECT_EQ(by_channel[0].requests, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// What only the cluster back end promises.

TEST_P(PostgresStoreTest, ReplayedUsageRowsCountOnce) {
  auto store = open_store(url_);
  provision(*store, Config{});
  auto demo = *store->key_by_name("demo");
  std::vector<UsageRecord> rows;
  for (int i = 0; i < 3; ++i) {
    UsageRecord r;
    r.key_id = demo.id;
    r.request_id = "req_" + std::to_string(i);
    r.cost = 100;
    rows.push_back(r);
  }
  store->write_usage(rows);
  rows.push_back(rows[0]);
  rows.back().request_id = "req_3";
  store->write_usage(rows);  // a disk queue replayed after a partial commit
  EXPECT_EQ(store->key_by_name("demo")->used, 400);
  EXPECT_EQ(store->recent_usage(100).size(), 4u);
}

TEST_P(PostgresStoreTest, UpgradesAnOlderSchemaAndKeepsItsRows) {
  {
    PgConnection conn(url_);
    EXPECT_EQ(migrate_postgres(conn, 1), 1);
  }
  auto store = open_store(url_);
  EXPECT_EQ(store->meta("schema_version"), "1");
  store->upsert_group({"old", {"chat"}, 1.0, {}});
  store->migrate();
  EXPECT_EQ(store->meta("schema_version"), std::to_string(postgres_migrations().back().version));
  EXPECT_EQ(store->groups().size(), 1u);
  store->record_instance({"i", "a", 1, 2, 3});  // a table of version 2
  EXPECT_EQ(store->instances().size(), 1u);
  store->migrate();  // nothing left to do
}

TEST_P(PostgresStoreTest, InstancesMigratingTogetherDoNotRace) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        open_store(url_)->migrate();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  PgConnection conn(url_);
  auto r = conn.query("SELECT count(*) FROM schema_migrations");
  EXPECT_EQ(r.integer(0, 0), static_cast<std::int64_t>(postgres_migrations().size()));
}

TEST_P(PostgresStoreTest, ABrokenPooledConnectionIsNotReused) {
  auto store = open_store(url_);
  store->migrate();
  store.reset();  // back to the pool
  {
    PgConnection admin(url_);
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND application_name = current_setting('application_name')");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Whatever the pool held may be dead; a new Store still works.
  auto again = open_store(url_);
  EXPECT_NO_THROW(again->groups());
}

TEST_P(PostgresStoreTest, ConfigChangesAreAnnouncedOnCommit) {
  auto store = open_store(url_);
  provision(*store, Config{});
  std::mutex m;
  std::condition_variable cv;
  int notices = 0;
  auto listener = listen_for_config_changes(url_, [&] {
    std::lock_guard lock(m);
    ++notices;
    cv.notify_all();
  });
  ASSERT_TRUE(listener);
  std::unique_lock lock(m);
  // The first call says "look now" once the listener is connected.
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return notices >= 1; }));
  int before = notices;
  lock.unlock();
  store->transaction([&] {
    store->set_key_enabled("demo", false);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  lock.lock();
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(2), [&] { return notices > before; }))
      << "no notice within 2 s of the commit";
}

TEST_P(PostgresStoreTest, InstancesLearnWhatTheOthersSpent) {
  auto store = open_store(url_);
  provision(*store, Config{});
  KeyRecord k;
  k.name = "capped";
  k.hash = "h-capped";
  k.group = "openai";
  k.quota = 1'000'000;
  store->upsert_key(k);
  auto id = store->key_by_name("capped")->id;
  auto demo = store->key_by_name("demo")->id;  // no quota: not followed

  std::map<std::int64_t, Micros> seen_by_a, seen_by_b;
  auto sink_for = [&](std::map<std::int64_t, Micros>& seen) {
    UsageSinkOptions o;
    o.on_others_spent = [&seen](const std::map<std::int64_t, Micros>& spent) {
      for (auto& [key, m] : spent) seen[key] += m;
    };
    return std::make_unique<UsageSink>(url_, o);
  };
  auto a = sink_for(seen_by_a);
  auto b = sink_for(seen_by_b);
  a->tick();  // both read where the balances start
  b->tick();
  auto row = [&](const std::string& rid, std::int64_t key, Micros cost) {
    UsageRecord r;
    r.request_id = rid;
    r.key_id = key;
    r.cost = cost;
    return r;
  };
  a->write({row("a1", id, 300), row("a2", id, 200), row("a3", demo, 50)});
  b->write({row("b1", id, 70)});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  a->tick();
  b->tick();
  EXPECT_EQ(seen_by_a, (std::map<std::int64_t, Micros>{{id, 70}})) << "only the other's part";
  EXPECT_EQ(seen_by_b, (std::map<std::int64_t, Micros>{{id, 500}}));
  EXPECT_EQ(store->key_by_name("capped")->used, 570);
}

TEST(ChangeListener, SqliteHasNoNotices) {
  EXPECT_FALSE(listen_for_config_changes("sqlite:///tmp/x.db", [] {}));
}

INSTANTIATE_TEST_SUITE_P(Backends, PostgresStoreTest, ::testing::Values("postgres"),
                         [](const auto& info) { return info.param; });
