#include "router/router.hpp"
#include "providers/adaptor.hpp"
#include "router/health.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace aiohub;

namespace {

Channel channel(std::string name, std::string type, int priority, int weight) {
  Channel c;
  c.record.name = std::move(name);
  c.record.type = type;
  c.record.priority = priority;
  c.record.weight = weight;
  c.kind = channel_kind(type);
  for (Endpoint e : kAllEndpoints)
    if (adaptor_for(c.kind).serves(e)) c.endpoints |= static_cast<unsigned>(e);
  return c;
}

struct World {
  Snapshot snap;
  Key key;
  std::mt19937_64 rng{42};
  World() {
    key.record.group = "g";
    snap.groups["g"] =
        Group{"g", endpoint_mask({"chat", "responses", "messages", "gemini"}), 1'000'000, {}};
  }
  const Channel* add(Channel c, std::vector<std::string> models, std::string group = "g") {
    c.health = std::make_shared<ChannelHealth>(c.record.name);
    snap.channels.push_back(std::move(c));
    const Channel* p = &snap.channels.back();
    for (auto& m : models) snap.routes[group][m].push_back(p);
    return p;
  }
  void add_group(const std::string& name, std::vector<std::string> endpoints, double ratio) {
    snap.groups[name] = Group{name, endpoint_mask(endpoints), ratio_to_ppm(ratio), {}};
  }
};

}  // namespace

TEST(Router, UnknownModelIsNotInGroup) {
  World w;
  w.add(channel("a", "openai", 0, 1), {"m"});
  auto d = route_request(w.snap, w.key, Endpoint::chat, "other", w.rng, 0);
  EXPECT_EQ(d.status, RouteDecision::Status::model_not_in_group);
}

TEST(Router, KeyAllowListIsEnforced) {
  World w;
  w.add(channel("a", "openai", 0, 1), {"m", "n"});
  w.key.allowed_models = {"m"};
  EXPECT_EQ(route_request(w.snap, w.key, Endpoint::chat, "n", w.rng, 0).status,
            RouteDecision::Status::model_not_allowed_for_key);
  EXPECT_EQ(route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0).status,
            RouteDecision::Status::ok);
  EXPECT_EQ(models_for_key(w.snap, w.key, Endpoint::chat), std::vector<std::string>{"m"});
}

TEST(Router, ChannelTypeThatCannotServeTheEndpointIsReported) {
  World w;
  // Bedrock serves every text endpoint (through Anthropic's codec), no images.
  w.add_group("g", {"chat", "responses", "messages", "gemini", "images"}, 1.0);
  const Channel* an = w.add(channel("claude", "bedrock", 0, 1), {"m"});
  auto d = route_request(w.snap, w.key, Endpoint::images, "m", w.rng, 0);
  EXPECT_EQ(d.status, RouteDecision::Status::no_channel_for_endpoint);
  EXPECT_EQ(d.unusable, an);
  EXPECT_TRUE(models_for_key(w.snap, w.key, Endpoint::images).empty());
  EXPECT_EQ(route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0).status,
            RouteDecision::Status::ok);
}

TEST(Router, HigherPriorityComesFirst) {
  World w;
  auto* low = w.add(channel("low", "openai", 0, 100), {"m"});
  auto* high = w.add(channel("high", "openai", 5, 1), {"m"});
  // routes are sorted by priority when a snapshot is built; mimic that here.
  auto& list = w.snap.routes["g"]["m"];
  std::stable_sort(list.begin(), list.end(),
                   [](auto* a, auto* b) { return a->record.priority > b->record.priority; });
  for (int i = 0; i < 50; ++i) {
    auto d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0);
    ASSERT_EQ(d.candidates.size(), 2u);
    EXPECT_EQ(d.candidates[0].channel, high);
    EXPECT_EQ(d.candidates[1].channel, low);
  }
}

TEST(Router, EqualPrioritySharesByWeight) {
  World w;
  auto* a = w.add(channel("a", "openai", 0, 1), {"m"});
  auto* b = w.add(channel("b", "openai", 0, 3), {"m"});
  auto* z = w.add(channel("z", "openai", 0, 0), {"m"});
  std::map<const Channel*, int> first;
  const int n = 8000;
  for (int i = 0; i < n; ++i) {
    auto d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0);
    ASSERT_EQ(d.candidates.size(), 3u);
    EXPECT_EQ(d.candidates.back().channel, z) << "weight 0 is only a last resort";
    ++first[d.candidates[0].channel];
  }
  EXPECT_NEAR(first[b] / double(n), 0.75, 0.03);
  EXPECT_NEAR(first[a] / double(n), 0.25, 0.03);
}

TEST(Router, BaseUrlsAreParsed) {
  auto a = parse_base_url("https://api.openai.com");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.openai.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->host_header, "api.openai.com");
  EXPECT_EQ(a->path_prefix, "");
  auto b = parse_base_url("http://127.0.0.1:18080/proxy/v1/");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, "18080");
  EXPECT_EQ(b->host_header, "127.0.0.1:18080");
  EXPECT_EQ(b->path_prefix, "/proxy");
  EXPECT_FALSE(parse_base_url("ftp://x"));
  EXPECT_FALSE(parse_base_url("not a url"));
}

TEST(Router, AutoKeyTriesGroupsInTheConfiguredOrder) {
  World w;
  w.add_group("cheap", {"chat"}, 0.5);
  w.add_group("premium", {"chat", "messages"}, 2.0);
  const Channel* c1 = w.add(channel("c1", "openai", 0, 1), {"m"}, "cheap");
  const Channel* p1 = w.add(channel("p1", "openai", 0, 1), {"m", "only-premium"}, "premium");
  w.key.record.group = "auto";
  w.snap.auto_groups = {"premium", "cheap"};
  auto d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_EQ(d.candidates[0].channel, p1);
  EXPECT_EQ(d.candidates[0].group->name, "premium");
  EXPECT_EQ(d.candidates[1].channel, c1);
  EXPECT_EQ(d.candidates[1].group->name, "cheap");

  w.snap.auto_groups = {"cheap", "premium"};
  d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, 0);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_EQ(d.candidates[0].group->name, "cheap");

  // A group that does not allow the endpoint is passed over.
  d = route_request(w.snap, w.key, Endpoint::messages, "m", w.rng, 0);
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_EQ(d.candidates[0].group->name, "premium");

  EXPECT_EQ(models_for_key(w.snap, w.key, Endpoint::chat),
            (std::vector<std::string>{"m", "only-premium"}));
  EXPECT_EQ(route_request(w.snap, w.key, Endpoint::chat, "nowhere", w.rng, 0).status,
            RouteDecision::Status::model_not_in_group);
}

TEST(Router, ChannelsOutOfRotationAreLeftOutUnlessNothingElseServes) {
  World w;
  const Channel* a = w.add(channel("a", "openai", 10, 1), {"m"});
  const Channel* b = w.add(channel("b", "openai", 0, 1), {"m"});
  RoutingConfig rules;
  rules.cooldown_seconds = 60;
  const std::int64_t now = 1'000'000;
  ASSERT_TRUE(a->health->failed(Failure::auth, "HTTP 401", rules, now));
  auto d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, now + 1000);
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_EQ(d.candidates[0].channel, b);

  // Both out: the request is still tried rather than refused.
  ASSERT_TRUE(b->health->failed(Failure::auth, "HTTP 403", rules, now));
  d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, now + 1000);
  EXPECT_EQ(d.candidates.size(), 2u);

  // Past the cool-down the channel is offered again (as a probe).
  d = route_request(w.snap, w.key, Endpoint::chat, "m", w.rng, now + 301'000);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_EQ(d.candidates[0].channel, a);
}
