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
