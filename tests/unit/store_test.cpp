#include "store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/snapshot.hpp"
#include "store/provision.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aiohub-store-" + random_urlsafe(8));
    url_ = "sqlite://" + (dir_ / "sub" / "aiohub.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string url_;
};

}  // namespace

TEST_F(StoreTest, FreshDatabaseGetsDefaultGroupsDemoAndAdminToken) {
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

TEST_F(StoreTest, ConfigSectionsAreCreatedThenUpdatedByName) {
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

TEST_F(StoreTest, UnknownGroupInConfigIsAnError) {
  auto store = open_store(url_);
  Config cfg = parse_config("[[keys]]\nname='a'\ngroup='nope'\n");
  EXPECT_THROW(provision(*store, cfg), ConfigError);
  EXPECT_FALSE(store->key_by_name("a")) << "a failed provision leaves nothing half-done";
}

TEST_F(StoreTest, UsageRowsAndBalancesMoveTogether) {
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

TEST_F(StoreTest, RevokeBumpsTheRevisionAndSnapshotsKeepLiveBalances) {
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

TEST(StoreUrl, OnlySqliteIsAccepted) {
  EXPECT_THROW(open_store("mysql://x"), StoreError);
  try {
    open_store("postgres://user:hunter2@db/aiohub");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << "never echo credentials";
  }
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

TEST_F(StoreTest, DeletesByNameMoveTheRevisionAndReportUnknownNames) {
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

TEST_F(StoreTest, QueryUsageFiltersAndPagesNewestFirst) {
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

TEST_F(StoreTest, UsageByBucketsSumsExactlyAndOrders) {
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
