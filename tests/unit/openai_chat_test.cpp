#include "protocols/openai_chat/passthrough.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace aiohub;
namespace json = boost::json;

TEST(ChatPeek, ReadsModelAndStream) {
  openai_chat::RequestPeek p;
  ASSERT_FALSE(openai_chat::peek_request(
      R"({"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"messages":[]})",
      p));
  EXPECT_EQ(p.model, "gpt-4.1");
  EXPECT_TRUE(p.stream);
  EXPECT_TRUE(p.client_wants_usage);
}

TEST(ChatPeek, RefusesBadRequestsWithAReason) {
  openai_chat::RequestPeek p;
  EXPECT_NE(openai_chat::peek_request("{", p)->find("JSON"), std::string::npos);
  EXPECT_NE(openai_chat::peek_request(R"({"messages":[]})", p)->find("model"), std::string::npos);
  EXPECT_TRUE(openai_chat::peek_request(R"({"model":5,"messages":[]})", p));
  EXPECT_TRUE(openai_chat::peek_request(R"({"model":"m"})", p));
  EXPECT_TRUE(openai_chat::peek_request(R"({"model":"m","messages":[],"stream":"yes"})", p));
}

TEST(ChatRewrite, RenamesModelAndAsksForUsageOnStreams) {
  std::string body =
      R"({"model":"gpt-4.1","messages":[{"role":"user","content":"model"}],"stream":true})";
  openai_chat::RequestPeek p;
  ASSERT_FALSE(openai_chat::peek_request(body, p));
  auto out = json::parse(openai_chat::rewrite_request(body, p, "gpt-4.1-2025-04-14")).as_object();
  EXPECT_EQ(out["model"].as_string(), "gpt-4.1-2025-04-14");
  EXPECT_EQ(out["messages"].as_array()[0].as_object()["content"].as_string(), "model");
  EXPECT_EQ(out["stream_options"].as_object()["include_usage"], true);
}

TEST(ChatRewrite, MergesIntoExistingStreamOptions) {
  std::string body =
      R"({"model":"m","messages":[],"stream":true,"stream_options":{"include_obfuscation":false}})";
  openai_chat::RequestPeek p;
  ASSERT_FALSE(openai_chat::peek_request(body, p));
  EXPECT_FALSE(p.client_wants_usage);
  auto out = json::parse(openai_chat::rewrite_request(body, p, "m")).as_object();
  EXPECT_EQ(out["stream_options"].as_object()["include_usage"], true);
  EXPECT_EQ(out["stream_options"].as_object()["include_obfuscation"], false);
}

// Found by fuzz/request_openai_chat: stream_options holding bytes a JSON
// parser refuses (json_peek does not check UTF-8 or surrogate pairs) made
// rewrite_request throw, and the request a 500. They are passed on as sent.
TEST(ChatPeek, StreamOptionsThatAreNotWellFormedUtf8AreRefusedBeforeAnyRewrite) {
  for (std::string options : {std::string("{\"include_H\x97"
                                          "age\":true}"),
                              std::string(R"({"x":"\ud800"})"),
                              std::string("{\"include_usage\":false,\"y\":\"\xff\"}")}) {
    std::string body =
        R"({"model":"m","messages":[],"stream":true,"stream_options":)" + options + "}";
    openai_chat::RequestPeek p;
    EXPECT_TRUE(openai_chat::peek_request(body, p)) << options;
  }
}

TEST(ChatRewrite, StreamOptionsAParserRefusesAreSplicedNotParsed) {
  // Deeper than Boost.JSON's default depth limit, and an empty object
  // written with a space.
  const std::string deep = "{\"x\":" + std::string(80, '[') + std::string(80, ']') + "}";
  for (std::string options : {deep, std::string("{ }")}) {
    std::string body =
        R"({"model":"m","messages":[],"stream":true,"stream_options":)" + options + "}";
    openai_chat::RequestPeek p;
    ASSERT_FALSE(openai_chat::peek_request(body, p)) << options;
    std::string out;
    ASSERT_NO_THROW(out = openai_chat::rewrite_request(body, p, "up")) << options;
    openai_chat::RequestPeek again;
    ASSERT_FALSE(openai_chat::peek_request(out, again)) << out;
    EXPECT_EQ(again.model, "up");
    EXPECT_TRUE(again.client_wants_usage) << out;
  }
}

TEST(ChatRewrite, LeavesBytesAloneWhenNothingChanges) {
  std::string body = R"({ "model" : "m", "messages": [ ], "temperature": 0.25 })";
  openai_chat::RequestPeek p;
  ASSERT_FALSE(openai_chat::peek_request(body, p));
  EXPECT_EQ(openai_chat::rewrite_request(body, p, "m"), body);
}

TEST(ChatUsage, ReadsCachedAndReasoningTokens) {
  auto u = openai_chat::usage_from_response(
      R"({"id":"x","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
         "prompt_tokens_details":{"cached_tokens":80},"completion_tokens_details":{"reasoning_tokens":20}}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->input, 100);
  EXPECT_EQ(u->cache_read, 80);
  EXPECT_EQ(u->output, 50);
  EXPECT_EQ(u->reasoning, 20);
  EXPECT_FALSE(openai_chat::usage_from_response(R"({"id":"x"})"));
}

namespace {
const char* kStream =
    "data: "
    "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],"
    "\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":"
    "null}\n\n"
    "data: "
    "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_"
    "tokens\":11}}\n\n"
    "data: [DONE]\n\n";
}

TEST(ChatStreamTap, StripsTheUsageChunkWhenTheClientDidNotAsk) {
  openai_chat::StreamTap tap(true);
  std::string out;
  tap.feed(kStream, out);
  tap.finish(out);
  EXPECT_EQ(out.find("prompt_tokens"), std::string::npos);
  EXPECT_NE(out.find("\"Hi\""), std::string::npos);
  EXPECT_NE(out.find("data: [DONE]\n\n"), std::string::npos);
  ASSERT_TRUE(tap.usage());
  EXPECT_EQ(tap.usage()->input, 9);
  EXPECT_EQ(tap.usage()->output, 2);
  EXPECT_TRUE(tap.saw_done());
}

TEST(ChatStreamTap, KeepsEveryByteWhenTheClientAsked) {
  openai_chat::StreamTap tap(false);
  std::string out;
  tap.feed(kStream, out);
  tap.finish(out);
  EXPECT_EQ(out, kStream);
  EXPECT_EQ(tap.usage()->input, 9);
}

TEST(ChatStreamTap, EventsSplitAcrossReadsComeOutWhole) {
  std::string all = kStream;
  for (std::size_t cut = 1; cut < all.size(); cut += 7) {
    openai_chat::StreamTap tap(false);
    std::string out;
    tap.feed(std::string_view(all).substr(0, cut), out);
    // Only complete events leave; an event is never cut in two.
    EXPECT_TRUE(out.empty() || out.substr(out.size() - 2) == "\n\n") << cut;
    tap.feed(std::string_view(all).substr(cut), out);
    tap.finish(out);
    EXPECT_EQ(out, all) << cut;
    ASSERT_TRUE(tap.usage());
  }
}

TEST(ChatStreamTap, CrlfFramingAndErrorsAreRecognised) {
  openai_chat::StreamTap tap(true);
  std::string out;
  tap.feed("data: {\"error\":{\"message\":\"boom\"}}\r\n\r\n", out);
  EXPECT_TRUE(tap.saw_error());
  EXPECT_EQ(out, "data: {\"error\":{\"message\":\"boom\"}}\r\n\r\n");
}

TEST(ChatPeek, StreamOptionsCannotSayTwoThings) {
  openai_chat::RequestPeek p;
  auto err = openai_chat::peek_request(
      R"({"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true,"include_usage":false}})",
      p);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("stream_options"), std::string::npos);
}
