#include "router/health.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

namespace {
RoutingConfig rules() {
  RoutingConfig r;
  r.failure_threshold = 3;
  r.cooldown_seconds = 10;
  r.auth_cooldown_seconds = 100;
  return r;
}
}  // namespace

TEST(Health, RepeatedServerErrorsTakeAChannelOutThenOneProbeBringsItBack) {
  ChannelHealth h("c");
  const auto r = rules();
  EXPECT_FALSE(h.failed(Failure::server, "HTTP 500", r, 1000));
  EXPECT_FALSE(h.failed(Failure::timeout, "nothing for 5 s", r, 1001));
  EXPECT_EQ(h.admit(1002), ChannelHealth::Admit::yes);
  EXPECT_TRUE(h.failed(Failure::connect, "connection refused", r, 1003));
  auto rec = h.record();
  EXPECT_EQ(rec.state, "cooling_down");
  EXPECT_EQ(rec.reason, "connect: connection refused");
  EXPECT_EQ(rec.until_ms, 11'003);
  EXPECT_EQ(rec.consecutive_failures, 3);
  EXPECT_EQ(h.admit(5000), ChannelHealth::Admit::no);
  EXPECT_FALSE(h.in_rotation(5000));
  // After the cool-down exactly one request probes.
  EXPECT_EQ(h.admit(11'003), ChannelHealth::Admit::probe);
  EXPECT_EQ(h.admit(11'004), ChannelHealth::Admit::no);
  EXPECT_EQ(h.record().state, "probing");
  EXPECT_TRUE(h.succeeded(11'500));
  EXPECT_EQ(h.record().state, "healthy");
  EXPECT_EQ(h.admit(11'501), ChannelHealth::Admit::yes);
}

TEST(Health, AFailedProbeCoolsDownAgain) {
  ChannelHealth h("c");
  const auto r = rules();
  ASSERT_TRUE(h.failed(Failure::auth, "HTTP 401", r, 0));
  EXPECT_EQ(h.record().until_ms, 100'000) << "auth errors use the longer cool-down at once";
  ASSERT_EQ(h.admit(100'000), ChannelHealth::Admit::probe);
  EXPECT_TRUE(h.failed(Failure::auth, "HTTP 401", r, 100'010));
  EXPECT_EQ(h.admit(100'020), ChannelHealth::Admit::no);
  EXPECT_EQ(h.record().until_ms, 200'010);
}

TEST(Health, ClientErrorsSayNothingAboutTheChannel) {
  ChannelHealth h("c");
  const auto r = rules();
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(h.failed(Failure::client, "HTTP 400", r, i));
  EXPECT_EQ(h.admit(20), ChannelHealth::Admit::yes);
  EXPECT_EQ(h.record().consecutive_failures, 0);
}

TEST(Health, ASuccessResetsTheStreak) {
  ChannelHealth h("c");
  const auto r = rules();
  h.failed(Failure::server, "x", r, 0);
  h.failed(Failure::server, "x", r, 1);
  h.succeeded(2);
  EXPECT_FALSE(h.failed(Failure::server, "x", r, 3));
  EXPECT_EQ(h.admit(4), ChannelHealth::Admit::yes);
}

TEST(Health, RestoredCoolDownSurvivesARestart) {
  ChannelHealth h("c");
  ChannelHealthRecord rec;
  rec.channel = "c";
  rec.state = "probing";
  rec.reason = "auth: HTTP 401";
  rec.until_ms = 5000;
  h.restore(rec);
  EXPECT_EQ(h.admit(4000), ChannelHealth::Admit::no);
  EXPECT_EQ(h.admit(5000), ChannelHealth::Admit::probe);
}
