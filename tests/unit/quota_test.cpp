#include "billing/quota.hpp"
#include "billing/key_state.hpp"

#include "cluster/shared_state.hpp"
#include "domain/snapshot.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace aiohub;

TEST(Quota, ReservationsStopAtTheQuotaAndSettleToTheExactCost) {
  KeyBalance b;
  const std::optional<Micros> quota = 100;
  ASSERT_TRUE(try_reserve(b, quota, 60));
  ASSERT_TRUE(try_reserve(b, quota, 60));  // 60 < 100: still credit left
  EXPECT_FALSE(try_reserve(b, quota, 1));  // 120 held: refused
  settle(b, 60, 10);
  settle(b, 60, 25);
  EXPECT_EQ(b.used.load(), 35);
  EXPECT_EQ(b.held.load(), 35);
  EXPECT_TRUE(try_reserve(b, quota, 1));
}

TEST(Quota, UnlimitedKeysAlwaysReserve) {
  KeyBalance b;
  EXPECT_TRUE(try_reserve(b, std::nullopt, 1'000'000'000));
}

TEST(Quota, AnAdmissionTicketReleasesWhenNotSettled) {
  Key key;
  key.record.quota = 100;
  key.state = std::make_shared<KeyState>();
  KeyBalance& b = key.state->balance;
  AdmitInput in;
  in.key = &key;
  in.limits.concurrency = 1;
  in.estimate = 40;
  {
    Admission a = admit_locally(in, 0);
    ASSERT_EQ(a.refusal, Admission::Refusal::none);
    EXPECT_EQ(b.held.load(), 40);
    EXPECT_EQ(admit_locally(in, 0).refusal, Admission::Refusal::limit) << "one slot";
  }
  EXPECT_EQ(b.held.load(), 0) << "dropped without settling: released";
  EXPECT_EQ(b.used.load(), 0);
  EXPECT_EQ(key.state->limiter.in_flight.load(), 0) << "and the slot given back";
  {
    Admission a = admit_locally(in, 0);
    ASSERT_EQ(a.refusal, Admission::Refusal::none);
    AdmissionTicket moved = std::move(a.ticket);
    moved.settle(7, 10, 0);
    moved.settle(99, 10, 0);  // a second settle does nothing
  }
  EXPECT_EQ(b.held.load(), 7);
  EXPECT_EQ(b.used.load(), 7);
  EXPECT_EQ(key.state->limiter.in_flight.load(), 0);
}

TEST(Quota, ConcurrentRequestsOverspendByAtMostOneReservation) {
  KeyBalance b;
  const Micros quota = 10'000;
  const Micros estimate = 100;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (!try_reserve(b, quota, estimate)) continue;
        ++admitted;
        settle(b, estimate, estimate);  // every request costs what it reserved
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.used.load(), admitted.load() * estimate);
  EXPECT_GE(b.used.load(), quota);
  EXPECT_LT(b.used.load(), quota + estimate);
  EXPECT_EQ(b.held.load(), b.used.load());
}

TEST(Quota, EstimateUsesTheOutputLimitAndCapsThePrompt) {
  Price p;
  p.input = 1'000'000;   // $1 per 1M
  p.output = 2'000'000;  // $2 per 1M
  // 4000 bytes ~ 1000 tokens = $0.001; 500 output tokens = $0.001
  EXPECT_EQ(reservation_estimate(4000, 500, p, 1'000'000), 2000);
  // The output a request without a cap is assumed to produce is the caller's
  // to say ([billing] max_output_tokens).
  EXPECT_EQ(reservation_estimate(0, kDefaultMaxOutputTokens, p, 1'000'000),
            2 * kDefaultMaxOutputTokens);
  // A 40 MB body of inline images does not reserve more than 200k prompt tokens.
  EXPECT_EQ(reservation_estimate(40u << 20, 0, p, 1'000'000), 200'000);
  p.per_call = 5000;
  EXPECT_EQ(reservation_estimate(0, 0, p, 2'000'000), 10'000);
}
