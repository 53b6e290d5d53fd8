#include "pipeline/auth.hpp"
#include "billing/key_state.hpp"

#include <gtest/gtest.h>

#include "config/provision.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
namespace http = boost::beast::http;

TEST(Crypto, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, GeneratedKeysAreUrlSafeAndDistinct) {
  auto a = make_key("a", "openai");
  auto b = make_key("b", "openai");
  EXPECT_EQ(a.secret.size(), 51u);
  EXPECT_EQ(a.secret.rfind("sk-", 0), 0u);
  EXPECT_NE(a.secret, b.secret);
  for (char c : a.secret.substr(3))
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  EXPECT_EQ(a.record.hash, sha256_hex(a.secret));
  EXPECT_EQ(a.record.hash.find(a.secret), std::string::npos);
  EXPECT_EQ(a.record.prefix, a.secret.substr(0, 7));
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Auth, KeyComesFromEveryClientsHeader) {
  http::fields h;
  EXPECT_EQ(presented_key(h, ""), "");
  h.set(http::field::authorization, "Bearer sk-one");
  EXPECT_EQ(presented_key(h, ""), "sk-one");
  h.set(http::field::authorization, "bearer   sk-two ");
  EXPECT_EQ(presented_key(h, ""), "sk-two");
  http::fields x;
  x.set("x-api-key", "sk-three");
  EXPECT_EQ(presented_key(x, ""), "sk-three");
  http::fields g;
  g.set("x-goog-api-key", "sk-four");
  EXPECT_EQ(presented_key(g, ""), "sk-four");
  http::fields none;
  EXPECT_EQ(presented_key(none, "alt=sse&key=sk-five"), "sk-five");
  EXPECT_EQ(presented_key(none, "monkey=1"), "");
}

namespace {

struct Fixture {
  Snapshot snap;
  std::string secret;
  Key* add(const std::string& name, std::function<void(KeyRecord&)> edit = {}) {
    auto k = make_key(name, "openai");
    if (edit) edit(k.record);
    Key key;
    key.record = k.record;
    key.state = std::make_shared<KeyState>();
    key.state->balance.used = k.record.used;
    secret = k.secret;
    return &snap.keys_by_hash.emplace(k.record.hash, std::move(key)).first->second;
  }
};

}  // namespace

TEST(Auth, AcceptsAGoodKey) {
  Fixture f;
  Key* k = f.add("alice");
  auto r = authenticate(f.snap, f.secret, 1000);
  EXPECT_EQ(r.key, k);
}

TEST(Auth, RefusesMissingUnknownDisabledExpiredAndSpentKeys) {
  Fixture f;
  f.add("alice");
  EXPECT_EQ(authenticate(f.snap, "", 0).error.status, 401);
  EXPECT_EQ(authenticate(f.snap, "sk-nope", 0).error.status, 401);

  f.add("off", [](KeyRecord& r) { r.enabled = false; });
  auto off = authenticate(f.snap, f.secret, 0);
  EXPECT_FALSE(off.key);
  EXPECT_EQ(off.error.status, 401);
  EXPECT_NE(off.error.message.find("disabled"), std::string::npos);

  f.add("old", [](KeyRecord& r) { r.expires_at = 500; });
  EXPECT_TRUE(authenticate(f.snap, f.secret, 499).key);
  auto expired = authenticate(f.snap, f.secret, 500);
  EXPECT_EQ(expired.error.status, 401);
  EXPECT_NE(expired.error.message.find("expired"), std::string::npos);

  f.add("spent", [](KeyRecord& r) {
    r.quota = 100;
    r.used = 100;
  });
  auto spent = authenticate(f.snap, f.secret, 0);
  EXPECT_EQ(spent.error.status, 429);
  EXPECT_EQ(spent.error.code, "insufficient_quota");
}

TEST(Auth, QuotaFollowsTheLiveBalance) {
  Fixture f;
  Key* k = f.add("bob", [](KeyRecord& r) { r.quota = 100; });
  EXPECT_TRUE(authenticate(f.snap, f.secret, 0).key);
  k->state->balance.used += 100;
  EXPECT_EQ(authenticate(f.snap, f.secret, 0).error.status, 429);
}
