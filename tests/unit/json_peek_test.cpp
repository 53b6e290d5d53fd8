#include "util/json_peek.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

TEST(JsonPeek, FindsTopLevelMembersAsRawViews) {
  std::string body =
      R"( {"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"a \"q\" {x}"}],"n":1} )";
  json_peek::Object obj;
  ASSERT_FALSE(json_peek::scan_object(body, obj));
  ASSERT_EQ(obj.members.size(), 4u);
  EXPECT_EQ(obj.find("model")->value, "\"gpt-4.1\"");
  EXPECT_EQ(obj.find("stream")->value, "true");
  EXPECT_EQ(obj.find("n")->value, "1");
  EXPECT_EQ(obj.find("messages")->value.front(), '[');
  EXPECT_EQ(body[obj.close], '}');
  EXPECT_EQ(obj.find("missing"), nullptr);
}

TEST(JsonPeek, NestedKeysAreNotTopLevel) {
  json_peek::Object obj;
  ASSERT_FALSE(json_peek::scan_object(R"({"a":{"model":"x"}})", obj));
  EXPECT_EQ(obj.find("model"), nullptr);
}

TEST(JsonPeek, RejectsMalformedDocuments) {
  json_peek::Object obj;
  for (const char* bad : {"", "[]", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":tru}",
                          "{\"a\":01}", "{\"a\":\"x}", "{\"a\":1} x", "{\"a\":\"\\q\"}",
                          "{\"a\":-}", "{\"a\":1.}", "{'a':1}", "{\"a\":\"\x01\"}"}) {
    EXPECT_TRUE(json_peek::scan_object(bad, obj).has_value()) << bad;
  }
}

TEST(JsonPeek, AcceptsTheWholeGrammar) {
  EXPECT_FALSE(
      json_peek::validate(R"({"a":[1,-2.5e+3,0.1E-2,true,false,null,"\u00e9\n",{}],"b":[]})"));
  EXPECT_FALSE(json_peek::validate("  \"plain\"  "));
}

TEST(JsonPeek, DeepNestingIsRefusedNotACrash) {
  std::string deep(100000, '[');
  EXPECT_TRUE(json_peek::validate(deep).has_value());
}

TEST(JsonPeek, DecodesStringValues) {
  EXPECT_EQ(json_peek::string_value("\"gpt-4.1\""), "gpt-4.1");
  EXPECT_EQ(json_peek::string_value(R"("a\"b\u0041")"), "a\"bA");
  EXPECT_FALSE(json_peek::string_value("12").has_value());
}

TEST(JsonPeek, KeysTheUpstreamWouldReadDifferentlyAreRefused) {
  json_peek::Object obj;
  // Routing and billing read the first raw "model"; an upstream decodes
  // escapes and keeps the last duplicate. Both forms must be refused.
  auto escaped = json_peek::scan_object(R"({"model":"cheap","mod\u0065l":"expensive"})", obj);
  ASSERT_TRUE(escaped);
  EXPECT_NE(escaped->find("escaped"), std::string::npos);
  auto twice =
      json_peek::scan_object(R"({"model":"cheap","messages":[],"model":"expensive"})", obj);
  ASSERT_TRUE(twice);
  EXPECT_NE(twice->find("duplicate key \"model\""), std::string::npos);
  // Nested objects may repeat keys of the top level.
  EXPECT_FALSE(json_peek::scan_object(R"({"model":"m","a":{"model":"x","model":"y"}})", obj));
}

namespace {

// {"k0":0,"k1":0,...} with n members; `dup` repeats the first key at the end.
std::string many_members(std::size_t n, bool dup = false) {
  std::string body = "{";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) body += ',';
    body += "\"k" + std::to_string(i) + "\":0";
  }
  if (dup) body += ",\"k0\":1";
  body += '}';
  return body;
}

}  // namespace

TEST(JsonPeek, TheDuplicateCheckDoesNotCompareEveryPairOfKeys) {
  // 80k members (a 1 MB body): every key against every earlier one was
  // 3.2e9 comparisons; sorting makes it n log n. The work is counted, not timed.
  constexpr std::size_t n = 80'000;
  json_peek::Object obj;
  ASSERT_FALSE(json_peek::scan_object(many_members(n), obj, n));
  EXPECT_EQ(obj.members.size(), n);
  const std::size_t bound = 3 * n * 17;  // 3 n log2(n), log2(80k) < 17
  EXPECT_LT(json_peek::last_scan_key_comparisons(), bound);
  // And a duplicate far from its twin is still found.
  auto twice = json_peek::scan_object(many_members(n, true), obj, n + 1);
  ASSERT_TRUE(twice);
  EXPECT_NE(twice->find("duplicate key \"k0\""), std::string::npos);
  EXPECT_LT(json_peek::last_scan_key_comparisons(), bound);
}

TEST(JsonPeek, TopLevelMembersAreCapped) {
  json_peek::Object obj;
  EXPECT_FALSE(json_peek::scan_object(many_members(json_peek::kMaxTopLevelMembers), obj));
  auto err = json_peek::scan_object(many_members(json_peek::kMaxTopLevelMembers + 1), obj);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("more than 256 top-level members"), std::string::npos) << *err;
  // The cap is on the top level only: a nested object may be as large as it likes.
  EXPECT_FALSE(json_peek::scan_object("{\"a\":" + many_members(5000) + "}", obj));
  // A 1 MB body of members stops at the cap, long before its end.
  EXPECT_TRUE(json_peek::scan_object(many_members(80'000), obj));
  EXPECT_EQ(json_peek::last_scan_key_comparisons(), 0u);
}

TEST(JsonPeek, QuotedKeysInErrorsAreBounded) {
  json_peek::Object obj;
  const std::string key(1 << 20, 'k');
  auto err = json_peek::scan_object("{\"" + key + "\":1,\"" + key + "\":2}", obj);
  ASSERT_TRUE(err);
  EXPECT_LT(err->size(), 512u);
  EXPECT_NE(err->find("more bytes"), std::string::npos);
}

TEST(JsonPeek, StringsMustBeWellFormedUtf8AsBoostJsonRequires) {
  json_peek::Object obj;
  // Accepted: multi-byte characters and paired surrogate escapes.
  for (const char* good : {"{\"a\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}",
                           R"({"a":"\ud83d\ude00 \u00e9 \uFFFF"})", "{\"\xC3\xA9\":1}"})
    EXPECT_FALSE(json_peek::scan_object(good, obj)) << good;
  // Refused: what Boost.JSON would throw on later (a 500 before).
  for (const char* bad : {
           "{\"a\":\"\xFF\"}",              // not UTF-8 at all
           "{\"a\":\"\xC3\"}",              // truncated sequence
           "{\"a\":\"\xC0\x80\"}",          // overlong NUL
           "{\"a\":\"\xE0\x80\xAF\"}",      // overlong '/'
           "{\"a\":\"\xED\xA0\x80\"}",      // an encoded surrogate
           "{\"a\":\"\xF4\x90\x80\x80\"}",  // above U+10FFFF
           "{\"a\":\"\x80\"}",              // a lone continuation byte
           "{\"\xFF\":1}",                  // in a key
           "{\"a\":{\"b\":[\"\xFE\"]}}",    // nested
           R"({"a":"\ud800"})",             // a lone high surrogate
           R"({"a":"\ud800x"})",            // not followed by a low one
           R"({"a":"\ud800\u0041"})",       // followed by something else
           R"({"a":"\udc00"})",             // a lone low surrogate
       }) {
    auto err = json_peek::scan_object(bad, obj);
    EXPECT_TRUE(err.has_value()) << bad;
    EXPECT_TRUE(json_peek::validate(bad).has_value()) << bad;
  }
}
