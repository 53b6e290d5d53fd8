#include "billing/rate_limits.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

namespace {
constexpr std::int64_t kMinute = 1'700'000'040'000;  // a minute boundary (a multiple of 60 000)
constexpr std::int64_t kT0 = kMinute + 40'000;       // 40 s into it
}  // namespace

TEST(RateLimits, RequestsPerMinuteRefuseTheNextAndSayWhen) {
  KeyLimiter l;
  RateLimits lim;
  lim.rpm = 3;
  for (int i = 0; i < 3; ++i) {
    auto v = admit_request(l, lim, kT0 + i);
    ASSERT_TRUE(v.admitted);
    finish_request(l, 0, kT0 + i);
  }
  auto v = admit_request(l, lim, kT0 + 10);
  EXPECT_FALSE(v.admitted);
  EXPECT_NE(v.message.find("3 requests per minute"), std::string::npos);
  EXPECT_EQ(v.retry_after_s, 20) << "what is left of this minute, rounded up";
  EXPECT_EQ(l.in_flight.load(), 0) << "a refused request holds no slot";
  // A minute and more later the window has slid past them.
  EXPECT_TRUE(admit_request(l, lim, kT0 + 61'000 + 60'000).admitted);
}

TEST(RateLimits, SlidingWindowWeighsThePreviousMinute) {
  MinuteWindow w;
  const std::int64_t start = kMinute;
  w.add(start + 30'000, 60);
  EXPECT_EQ(w.count(start + 59'000), 60);
  // 15 s into the next minute, three quarters of the previous one remain.
  EXPECT_EQ(w.count(start + 75'000), 45);
  EXPECT_FALSE(w.try_add(start + 75'000, 20, 60));
  EXPECT_TRUE(w.try_add(start + 75'000, 15, 60));
  EXPECT_EQ(w.count(start + 180'000), 0);
}

TEST(RateLimits, ConcurrencyCountsRequestsInFlight) {
  KeyLimiter l;
  RateLimits lim;
  lim.concurrency = 2;
  ASSERT_TRUE(admit_request(l, lim, kT0).admitted);
  ASSERT_TRUE(admit_request(l, lim, kT0).admitted);
  auto v = admit_request(l, lim, kT0);
  EXPECT_FALSE(v.admitted);
  EXPECT_NE(v.message.find("2 at once"), std::string::npos);
  finish_request(l, 0, kT0);
  EXPECT_TRUE(admit_request(l, lim, kT0).admitted);
}

TEST(RateLimits, TokensPerMinuteCountWhatFinishedRequestsUsed) {
  KeyLimiter l;
  RateLimits lim;
  lim.tpm = 1000;
  ASSERT_TRUE(admit_request(l, lim, kT0).admitted);
  finish_request(l, 1200, kT0 + 5);
  auto v = admit_request(l, lim, kT0 + 10);
  EXPECT_FALSE(v.admitted);
  EXPECT_NE(v.message.find("tokens per minute"), std::string::npos);
}

TEST(RateLimits, KeyLimitsFallBackToTheGroup) {
  RateLimits key, group;
  key.rpm = 5;
  group.rpm = 100;
  group.tpm = 9;
  auto e = effective_limits(key, group);
  EXPECT_EQ(*e.rpm, 5);
  EXPECT_EQ(*e.tpm, 9);
  EXPECT_FALSE(e.concurrency);
}
