#include "domain/money.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

TEST(Money, UsdConversionsAreExactForMicroAmounts) {
  EXPECT_EQ(usd_to_micros(25.0), 25'000'000);
  EXPECT_EQ(usd_to_micros(0.000001), 1);
  EXPECT_EQ(ratio_to_ppm(1.5), 1'500'000);
}

TEST(Money, CostUsesEachTokenClassPrice) {
  Price p{usd_to_micros(2.0), usd_to_micros(8.0), usd_to_micros(0.5), usd_to_micros(2.5)};
  Usage u;
  u.input = 1'000'000;  // includes the cached ones
  u.cache_read = 400'000;
  u.cache_write = 100'000;
  u.output = 1'000'000;
  // 500k plain input at $2/M + 400k cached at $0.5/M + 100k written at $2.5/M + 1M out at $8/M
  EXPECT_EQ(cost_of(u, p, 1'000'000), 1'000'000 + 200'000 + 250'000 + 8'000'000);
  EXPECT_EQ(cost_of(u, p, 500'000), (1'000'000 + 200'000 + 250'000 + 8'000'000) / 2);
}

TEST(Money, SmallRequestsRoundToTheNearestMicro) {
  Price p{usd_to_micros(2.0), usd_to_micros(8.0), 0, 0};
  Usage u;
  u.input = 12;
  u.output = 7;
  EXPECT_EQ(cost_of(u, p, 1'000'000), 24 + 56);
  Usage tiny;
  tiny.input = 1;  // 2 micro-USD per 1M tokens -> 0.000002 micros... rounds to 2e-6 -> 0
  EXPECT_EQ(cost_of(tiny, Price{1, 1, 0, 0}, 1'000'000), 0);
}

TEST(Money, NegativeCountsFromABrokenUpstreamAreIgnored) {
  Price p{usd_to_micros(1.0), usd_to_micros(1.0), 0, 0};
  Usage u;
  u.input = -5;
  u.output = -5;
  EXPECT_EQ(cost_of(u, p, 1'000'000), 0);
}
