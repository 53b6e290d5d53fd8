// The Redis side of shared state: URL parsing, and the Lua scripts' semantics
// against a real redis-server (the `redis` CTest fixture, scripts/test-redis).
// AIOHUB_TEST_REDIS=skip skips the server tests on purpose; without the
// fixture's server they fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "billing/key_state.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/redis_scripts.hpp"
#include "cluster/redis_shared_state.hpp"
#include "config/config.hpp"
#include "router/health.hpp"
#include "util/time.hpp"

using namespace aiohub;
namespace rs = aiohub::redis_scripts;
using namespace std::chrono_literals;

TEST(RedisUrl, Parses) {
  auto e = parse_redis_url("redis://:s3cret@cache.internal:6380/2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->username, "");
  EXPECT_EQ(e->db, 2);
  e = parse_redis_url("redis://app:pw@10.0.0.5");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->username, "app");
  EXPECT_EQ(e->password, "pw");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  e = parse_redis_url("redis://[::1]:7000/0");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  std::string error;
  EXPECT_FALSE(parse_redis_url("http://x", &error));
  EXPECT_FALSE(parse_redis_url("redis://host:99999", &error));
  EXPECT_FALSE(parse_redis_url("redis://host/abc", &error));
  EXPECT_FALSE(parse_redis_url("redis:///0", &error));
}

TEST(RedisUrl, RedactsThePassword) {
  EXPECT_EQ(redact_redis_url("redis://:s3cret@h:1/0"), "redis://:***@h:1/0");
  EXPECT_EQ(redact_redis_url("redis://u:s3cret@h/0"), "redis://u:***@h/0");
  EXPECT_EQ(redact_redis_url("redis://s3cret@h"), "redis://***@h");
  EXPECT_EQ(redact_redis_url("redis://h:6379/0"), "redis://h:6379/0");
}

namespace {

std::optional<RedisEndpoint> test_endpoint() {
  // The fixture's directory (CMakeLists.txt), unless the environment names one.
  const char* dir = std::getenv("AIOHUB_TEST_REDIS_DIR");
#ifdef AIOHUB_TEST_REDIS_DIR
  if (!dir) dir = AIOHUB_TEST_REDIS_DIR;
#endif
  if (!dir) return std::nullopt;
  std::ifstream in(std::string(dir) + "/port");
  int port = 0;
  if (!(in >> port)) return std::nullopt;
  RedisEndpoint e;
  e.port = port;
  return e;
}

bool skip_redis() {
  const char* s = std::getenv("AIOHUB_TEST_REDIS");
  return s && std::string(s) == "skip";
}

// A key id no other test (or earlier run against the same server) uses.
std::int64_t fresh_id() {
  static std::mt19937_64 rng(std::random_device{}());
  return 1'000'000 + static_cast<std::int64_t>(rng() % 1'000'000'000);
}

class RedisScripts : public ::testing::Test {
 protected:
  void SetUp() override {
    if (skip_redis()) GTEST_SKIP() << "AIOHUB_TEST_REDIS=skip";
    auto e = test_endpoint();
    ASSERT_TRUE(e) << "no test Redis: run through ctest (fixture redis_start)";
    endpoint = *e;
    std::string error;
    conn = RedisConnection::open(endpoint, 1000ms, error);
    ASSERT_TRUE(conn) << error;
    id = fresh_id();
  }

  RedisReply run(const RedisScript& script, const std::vector<std::string>& keys,
                 const std::vector<std::string>& args) {
    RedisArgv argv{"EVAL", script.body, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = conn->command(argv);
    EXPECT_TRUE(r);
    if (r && r->is_error()) ADD_FAILURE() << r->str;
    return r.value_or(RedisReply{});
  }
  std::vector<std::string> keys3() const {
    return {rs::quota_key(id), rs::limits_key(id), rs::concurrency_key(id)};
  }
  // ARGV inst now rpm tpm conc quota estimate seed
  RedisReply admit(const std::string& inst, std::int64_t now, std::int64_t rpm, std::int64_t tpm,
                   std::int64_t conc, std::int64_t quota, std::int64_t estimate,
                   std::int64_t seed = 0) {
    return run(
        rs::admit(), keys3(),
        {inst, std::to_string(now), std::to_string(rpm), std::to_string(tpm), std::to_string(conc),
         std::to_string(quota), std::to_string(estimate), std::to_string(seed)});
  }
  // ARGV inst now reserved cost tokens slot quota tpm seed
  RedisReply settle(const std::string& inst, std::int64_t now, std::int64_t reserved,
                    std::int64_t cost, std::int64_t tokens, bool slot, bool quota, bool tpm,
                    std::int64_t seed = 0) {
    return run(rs::settle(), keys3(),
               {inst, std::to_string(now), std::to_string(reserved), std::to_string(cost),
                std::to_string(tokens), slot ? "1" : "0", quota ? "1" : "0", tpm ? "1" : "0",
                std::to_string(seed)});
  }
  std::string hget(const std::string& key, const std::string& field) {
    auto r = conn->command({"HGET", key, field});
    return r && r->type == RedisReply::Type::string ? r->str : std::string("(nil)");
  }
  void set_alive(const std::string& inst) {
    conn->command({"SET", rs::alive_key(inst), "1", "PX", "10000"});
  }

  RedisEndpoint endpoint;
  std::unique_ptr<RedisConnection> conn;
  std::int64_t id = 0;
};

}  // namespace

TEST_F(RedisScripts, QuotaReservesSettlesAndSeeds) {
  const std::int64_t now = 1'800'000'000'000;
  // Seeded from the caller's view of `used` (PostgreSQL) on first sight.
  auto r = admit("i1", now, 0, 0, 0, 10'000, 3000, 1000);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 1000);  // held before this reservation
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "1000");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:i1"), "3000");
  // A later seed does not overwrite.
  r = admit("i1", now, 0, 0, 0, 10'000, 3000, 999'999);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 4000);
  r = admit("i1", now, 0, 0, 0, 10'000, 3000);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 7000);
  // held 10000 >= quota: refused, nothing counted.
  r = admit("i1", now, 0, 0, 0, 10'000, 3000);
  EXPECT_EQ(r.int_at(0), 4);
  EXPECT_EQ(r.int_at(1), 10'000);
  EXPECT_EQ(hget(rs::quota_key(id), "hold:i1"), "9000");
  // Settling replaces each reservation by its cost.
  settle("i1", now, 3000, 2000, 0, false, true, false);
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "3000");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:i1"), "6000");
  r = admit("i1", now, 0, 0, 0, 10'000, 500);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 9000);
  settle("i1", now, 3000, 2500, 0, false, true, false);
  settle("i1", now, 3000, 0, 0, false, true, false);
  settle("i1", now, 500, 700, 0, false, true, false);
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "6200");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:i1"), "(nil)");  // all settled
}

TEST_F(RedisScripts, SettleAfterARedisRestartSeedsUsedWithTheCallersView) {
  const std::int64_t now = 1'800'000'000'000;
  // The hash is gone (Redis restarted empty): the caller's local used, which
  // already counts this cost, becomes `used`.
  settle("i1", now, 3000, 2000, 0, false, true, false, 52'000);
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "52000");
}

TEST_F(RedisScripts, HoldsOfADeadInstanceStopCounting) {
  const std::int64_t now = 1'800'000'000'000;
  set_alive("dead-" + std::to_string(id));
  const std::string dead = "dead-" + std::to_string(id);
  ASSERT_EQ(admit(dead, now, 0, 0, 1, 5000, 4000).int_at(0), 0);
  // Alive: its hold and its slot count for the others.
  auto r = admit("i2", now, 0, 0, 1, 5000, 100);
  EXPECT_EQ(r.int_at(0), 1);  // concurrency 1 taken by the other instance
  r = admit("i2", now, 0, 0, 0, 5000, 2000);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 4000);
  settle("i2", now, 2000, 0, 0, false, true, false);
  // It dies: its hold and slot are dropped at the next admission.
  conn->command({"DEL", rs::alive_key(dead)});
  r = admit("i2", now, 0, 0, 1, 5000, 2000);
  ASSERT_EQ(r.int_at(0), 0);
  EXPECT_EQ(r.int_at(1), 0);
  EXPECT_EQ(hget(rs::quota_key(id), "hold:" + dead), "(nil)");
  EXPECT_EQ(hget(rs::concurrency_key(id), dead), "(nil)");
}

TEST_F(RedisScripts, RequestsPerMinuteAcrossInstances) {
  const std::int64_t now = 1'800'000'000'000 + 10'000;  // 10 s into a minute
  EXPECT_EQ(admit("a", now, 3, 0, 0, -1, 0).int_at(0), 0);
  EXPECT_EQ(admit("b", now, 3, 0, 0, -1, 0).int_at(0), 0);
  EXPECT_EQ(admit("c", now, 3, 0, 0, -1, 0).int_at(0), 0);
  auto r = admit("a", now + 1, 3, 0, 0, -1, 0);
  EXPECT_EQ(r.int_at(0), 3);
  EXPECT_GE(r.int_at(1), 1000);
  // MinuteWindow's weighting: 30 s into the next minute half of the last
  // minute's 3 still count (1), so two more fit.
  const std::int64_t later = now + 80'000;
  EXPECT_EQ(admit("a", later, 3, 0, 0, -1, 0).int_at(0), 0);
  EXPECT_EQ(admit("b", later, 3, 0, 0, -1, 0).int_at(0), 0);
  EXPECT_EQ(admit("c", later, 3, 0, 0, -1, 0).int_at(0), 3);
}

TEST_F(RedisScripts, TokensPerMinuteCountAtSettlement) {
  const std::int64_t now = 1'800'000'000'000 + 1000;
  ASSERT_EQ(admit("a", now, 0, 1000, 0, -1, 0).int_at(0), 0);
  settle("a", now, 0, 0, 1200, false, false, true);
  auto r = admit("b", now + 5, 0, 1000, 0, -1, 0);
  EXPECT_EQ(r.int_at(0), 2);
  EXPECT_GE(r.int_at(1), 1000);
}

TEST_F(RedisScripts, ConcurrencySlotsComeBack) {
  const std::int64_t now = 1'800'000'000'000;
  set_alive("a");
  set_alive("b");
  EXPECT_EQ(admit("a", now, 0, 0, 2, -1, 0).int_at(0), 0);
  EXPECT_EQ(admit("b", now, 0, 0, 2, -1, 0).int_at(0), 0);
  auto r = admit("c", now, 0, 0, 2, -1, 0);
  EXPECT_EQ(r.int_at(0), 1);
  EXPECT_EQ(r.int_at(1), 2);
  settle("a", now, 0, 0, 0, true, false, false);
  EXPECT_EQ(admit("c", now, 0, 0, 2, -1, 0).int_at(0), 0);
  EXPECT_EQ(hget(rs::concurrency_key(id), "a"), "(nil)");
}

TEST_F(RedisScripts, SyncRaisesUsedAndRewritesOwnHolds) {
  const std::int64_t now = 1'800'000'000'000;
  ASSERT_EQ(admit("a", now, 0, 0, 1, 100'000, 5000, 10'000).int_at(0), 0);
  // The instance lost track (Redis timed out on a settle): it writes what it
  // counts. `used` only ever rises to the local view.
  run(rs::sync(), {rs::quota_key(id), rs::concurrency_key(id)}, {"a", "0", "0", "12000", "1"});
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "12000");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:a"), "(nil)");
  EXPECT_EQ(hget(rs::concurrency_key(id), "a"), "(nil)");
  run(rs::sync(), {rs::quota_key(id), rs::concurrency_key(id)}, {"a", "700", "2", "11000", "1"});
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "12000");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:a"), "700");
  EXPECT_EQ(hget(rs::concurrency_key(id), "a"), "2");
}

namespace {

std::optional<RedisReply> call_sync(RedisClient& client, RedisArgv argv) {
  asio::io_context io;
  std::optional<RedisReply> out;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        out = co_await client.async_call(std::move(argv), nullptr, nullptr, asio::use_awaitable);
        done = true;
      },
      asio::detached);
  io.run_for(3s);
  EXPECT_TRUE(done);
  return out;
}

}  // namespace

TEST_F(RedisScripts, ClientReloadsScriptsAfterAFlush) {
  RedisClientOptions o;
  o.endpoint = endpoint;
  RedisClient client(o);
  client.add_script(rs::sync());
  client.start();
  const RedisArgv call =
      rs::sync().call({rs::quota_key(id), rs::concurrency_key(id)}, {"a", "0", "0", "42", "1"});
  auto r = call_sync(client, call);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->is_error()) << r->str;
  conn->command({"SCRIPT", "FLUSH"});
  r = call_sync(client, call);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->is_error()) << r->str;
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "42");
  client.stop();
}

TEST(RedisClientOffline, FailsFastWhenRedisIsAway) {
  if (skip_redis()) GTEST_SKIP();
  RedisClientOptions o;
  o.endpoint.port = 1;  // nothing listens there
  RedisClient client(o);
  client.start();
  const auto t0 = mono_now_us();
  auto r = call_sync(client, {"PING"});
  EXPECT_FALSE(r);
  EXPECT_LT(mono_now_us() - t0, 500'000);
  EXPECT_FALSE(client.connected());
  client.stop();
}

namespace {

Key make_key(std::int64_t id, std::optional<Micros> quota, Micros used) {
  Key k;
  k.record.id = id;
  k.record.name = "k" + std::to_string(id);
  k.record.quota = quota;
  k.state = std::make_shared<KeyState>();
  k.state->balance.used = used;
  k.state->balance.held = used;
  return k;
}

Admission admit_sync(SharedState& s, const AdmitInput& in) {
  asio::io_context io;
  Admission out;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out = co_await s.admit(in); }, asio::detached);
  io.run_for(3s);
  return out;
}

}  // namespace

TEST_F(RedisScripts, SharedStateAdmitsThroughRedisAndSettlesThere) {
  RedisSharedStateOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(endpoint.port) + "/0";
  o.instance_id = "unit-" + std::to_string(id);
  RedisSharedState state(
      o, [] { return std::shared_ptr<const Snapshot>(); }, [] {});
  state.start();
  Key key = make_key(id, 10'000, 2000);
  AdmitInput in;
  in.key = &key;
  in.limits.concurrency = 5;
  in.estimate = 3000;
  auto a = admit_sync(state, in);
  ASSERT_EQ(a.refusal, Admission::Refusal::none);
  ASSERT_TRUE(a.ticket.is_remote());
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "2000");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:" + o.instance_id), "3000");
  a.ticket.settle(1234, 10, unix_now_ms());
  EXPECT_EQ(key.state->balance.used.load(), 3234);
  // The settlement is queued: wait for it.
  for (int i = 0; i < 100 && hget(rs::quota_key(id), "used") != "3234"; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(hget(rs::quota_key(id), "used"), "3234");
  EXPECT_EQ(hget(rs::quota_key(id), "hold:" + o.instance_id), "(nil)");
  EXPECT_EQ(hget(rs::concurrency_key(id), o.instance_id), "(nil)");
  state.stop();
}

TEST(RedisSharedStateOffline, FallsBackToLocalAccounting) {
  if (skip_redis()) GTEST_SKIP();
  RedisSharedStateOptions o;
  o.url = "redis://127.0.0.1:1/0";
  o.instance_id = "offline";
  RedisSharedState state(
      o, [] { return std::shared_ptr<const Snapshot>(); }, [] {});
  state.start();
  Key key = make_key(7, 5000, 0);
  AdmitInput in;
  in.key = &key;
  in.estimate = 3000;
  auto a = admit_sync(state, in);
  ASSERT_EQ(a.refusal, Admission::Refusal::none);
  EXPECT_FALSE(a.ticket.is_remote());
  EXPECT_EQ(key.state->balance.held.load(), 3000);
  auto b = admit_sync(state, in);
  ASSERT_EQ(b.refusal, Admission::Refusal::none);
  auto c = admit_sync(state, in);  // held 6000 >= 5000
  EXPECT_EQ(c.refusal, Admission::Refusal::quota);
  a.ticket.settle(100, 0, unix_now_ms());
  b.ticket.release();
  EXPECT_EQ(key.state->balance.used.load(), 100);
  EXPECT_EQ(key.state->balance.held.load(), 100);
  EXPECT_FALSE(state.healthy());
  state.stop();
}

namespace {

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 200; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

}  // namespace

TEST_F(RedisScripts, NoticesFromOtherInstancesReloadAndCoolChannels) {
  auto snap = std::make_shared<Snapshot>();
  auto health = std::make_shared<ChannelHealth>("flaky-" + std::to_string(id));
  snap->channel_health[health->record().channel] = health;
  std::atomic<int> pokes{0};
  RedisSharedStateOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(endpoint.port) + "/0";
  o.instance_id = "me-" + std::to_string(id);
  RedisSharedState state(
      o, [snap] { return std::shared_ptr<const Snapshot>(snap); }, [&pokes] { ++pokes; });
  state.start();
  // Subscribed: it looks for missed notices once.
  ASSERT_TRUE(eventually([&] { return pokes.load() >= 1; }));
  const int after_subscribe = pokes.load();

  // Its own notice is not a reason to reload; another instance's is.
  conn->command({"PUBLISH", rs::kConfigChannel, o.instance_id + " 7"});
  conn->command({"PUBLISH", rs::kConfigChannel, "other 8"});
  ASSERT_TRUE(eventually([&] { return pokes.load() == after_subscribe + 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pokes.load(), after_subscribe + 1);

  // Another instance cooled the channel down: this one leaves it alone too.
  const std::int64_t now = unix_now_ms();
  ASSERT_TRUE(health->in_rotation(now));
  const std::string payload = R"({"instance":"other","channel":")" + health->record().channel +
                              R"(","state":"cooling_down","reason":"connect: refused",)"
                              R"("consecutive_failures":3,"since_ms":)" +
                              std::to_string(now) + R"(,"until_ms":)" +
                              std::to_string(now + 60'000) + "}";
  conn->command({"PUBLISH", rs::kHealthChannel, payload});
  ASSERT_TRUE(eventually([&] { return !health->in_rotation(unix_now_ms()); }));
  EXPECT_EQ(health->record().reason, "connect: refused");

  // And what this instance publishes reaches the hash and the channel.
  ChannelHealthRecord healthy;
  healthy.channel = health->record().channel;
  state.channel_health_changed(healthy);
  ASSERT_TRUE(eventually([&] {
    auto r = conn->command({"HGET", rs::kHealthHash, healthy.channel});
    return r && r->str.find(o.instance_id) != std::string::npos;
  }));
  // Its own message is not applied to itself (still cooling down here).
  EXPECT_FALSE(health->in_rotation(unix_now_ms()));
  // A config change here is published for the others.
  std::mutex m;
  std::vector<std::string> heard;
  std::atomic<bool> listening{false};
  RedisSubscriber other(
      endpoint, {rs::kConfigChannel},
      [&](const std::string&, const std::string& payload) {
        std::lock_guard lock(m);
        heard.push_back(payload);
      },
      [&] { listening = true; });
  other.start();
  ASSERT_TRUE(eventually([&] { return listening.load(); }));
  state.config_changed(9);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(m);
    return std::find(heard.begin(), heard.end(), o.instance_id + " 9") != heard.end();
  }));
  other.stop();
  state.stop();
}

TEST(RedisConfig, ServerRedisIsReadAndChecked) {
  Config c = parse_config("[server]\nredis = 'redis://:pw@cache:6380/1'\n");
  EXPECT_EQ(c.server.redis, "redis://:pw@cache:6380/1");
  EXPECT_EQ(parse_config("").server.redis, "");
  try {
    parse_config("[server]\nredis = 'redis://:topsecret@cache:notaport'\n");
    ADD_FAILURE() << "a bad Redis URL was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("[server].redis"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
}
