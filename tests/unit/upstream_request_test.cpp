// The request head and body a channel's settings make.
#include "providers/upstream_request.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/fields.hpp>

using namespace aiohub;

namespace {

Channel make(const std::string& type, const std::string& base_url) {
  Channel c;
  c.record.name = "c";
  c.record.type = type;
  c.record.api_key = "upkey";
  c.kind = channel_kind(type);
  c.upstream = *parse_base_url(base_url);
  return c;
}

std::string first_line(const std::string& head) {
  return head.substr(0, head.find("\r\n"));
}

}  // namespace

TEST(UpstreamRequest, CustomPathTemplates) {
  boost::beast::http::fields none;
  Channel c = make("openai-compatible", "http://h:8000/ignored");
  c.record.settings.path = "/api/chat/completions";
  EXPECT_EQ(
      first_line(build_upstream_request(c, Protocol::openai_chat, "m", false, "{}", none).head),
      "POST /api/chat/completions HTTP/1.1");
  Channel g = make("gemini", "https://g.example");
  g.record.settings.path = "/gw/{model}";
  EXPECT_EQ(first_line(upstream_request_head(g, Protocol::gemini, "gem", true, 2, none)),
            "POST /gw/gem:streamGenerateContent?alt=sse HTTP/1.1");
  g.record.settings.path = "/gw/models/{model}/{action}?v=2";
  EXPECT_EQ(first_line(upstream_request_head(g, Protocol::gemini, "gem", false, 2, none)),
            "POST /gw/models/gem/generateContent?v=2 HTTP/1.1");
}

TEST(UpstreamRequest, ProxiedHttpUsesTheAbsoluteForm) {
  boost::beast::http::fields none;
  Channel c = make("openai", "http://up.example:8080");
  c.upstream.proxy_host = "proxy";
  c.upstream.proxy_port = "3128";
  EXPECT_EQ(first_line(upstream_request_head(c, Protocol::openai_chat, "m", false, 2, none)),
            "POST http://up.example:8080/v1/chat/completions HTTP/1.1");
  Channel tls = make("openai", "https://up.example");
  tls.upstream.proxy_host = "proxy";
  EXPECT_EQ(first_line(upstream_request_head(tls, Protocol::openai_chat, "m", false, 2, none)),
            "POST /v1/chat/completions HTTP/1.1");  // inside a CONNECT tunnel
}

TEST(UpstreamRequest, ExtraHeadersReplaceTheDefaults) {
  boost::beast::http::fields none;
  Channel c = make("openai", "http://h");
  c.record.settings.headers = {{"User-Agent", "mine/1"}, {"X-Foo", "bar"}};
  c.extra_headers = "User-Agent: mine/1\r\nX-Foo: bar\r\n";
  const std::string head = upstream_request_head(c, Protocol::openai_chat, "m", false, 2, none);
  EXPECT_NE(head.find("X-Foo: bar\r\n"), std::string::npos);
  EXPECT_NE(head.find("User-Agent: mine/1\r\n"), std::string::npos);
  EXPECT_EQ(head.find("aiohub/"), std::string::npos);
}

TEST(UpstreamRequest, PassthroughForwardsOnlyTheAllowList) {
  EXPECT_TRUE(passthrough_header_allowed("session_id"));
  EXPECT_TRUE(passthrough_header_allowed("X-Codex-Turn-Metadata"));
  EXPECT_TRUE(passthrough_header_allowed("OpenAI-Beta"));
  EXPECT_FALSE(passthrough_header_allowed("authorization"));
  EXPECT_FALSE(passthrough_header_allowed("cookie"));
  EXPECT_FALSE(passthrough_header_allowed("x-api-key"));
  boost::beast::http::fields client;
  client.set("Authorization", "Bearer sk-client");
  client.set("originator", "codex_cli_rs");
  client.set("Cookie", "a=b");
  Channel c = make("openai-responses", "http://h");
  c.record.settings.passthrough = true;
  const auto req = build_upstream_request(c, Protocol::openai_responses, "m", true, "{ }", client);
  EXPECT_EQ(req.body, "{ }");
  EXPECT_NE(req.head.find("originator: codex_cli_rs\r\n"), std::string::npos);
  EXPECT_NE(req.head.find("Authorization: Bearer upkey\r\n"), std::string::npos);
  EXPECT_EQ(req.head.find("sk-client"), std::string::npos);
  EXPECT_EQ(req.head.find("a=b"), std::string::npos);
}

TEST(UpstreamRequest, OpenAICompatibleBodyEdits) {
  boost::beast::http::fields none;
  Channel c = make("openai-compatible", "http://h");
  c.record.settings.stream_options = false;
  c.record.settings.max_tokens_field = "max_tokens";
  const auto req = build_upstream_request(
      c, Protocol::openai_chat, "m", true,
      R"({"model":"m","max_completion_tokens":5,"stream":true,"stream_options":{"include_usage":true}})",
      none);
  EXPECT_EQ(req.body, R"({"model":"m","max_tokens":5,"stream":true})");
  EXPECT_NE(req.head.find("Content-Length: " + std::to_string(req.body.size()) + "\r\n"),
            std::string::npos);
}

TEST(UpstreamRequest, BedrockSignsTheInvokeBody) {
  boost::beast::http::fields client;
  client.set("anthropic-beta", "b1");
  Channel c = make("bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com");
  c.record.api_key.clear();
  c.record.settings.region = "us-east-1";
  c.record.settings.aws_access_key_id = "AKIA";
  c.record.settings.aws_secret_access_key = "secret";
  const auto req = build_upstream_request(c, Protocol::anthropic, "anthropic.claude-x-v1:0", true,
                                          R"({"model":"x","stream":true,"max_tokens":1})", client);
  EXPECT_EQ(req.body,
            R"({"max_tokens":1,"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["b1"]})");
  EXPECT_EQ(first_line(req.head),
            "POST /model/anthropic.claude-x-v1%3A0/invoke-with-response-stream HTTP/1.1");
  EXPECT_NE(req.head.find("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/"), std::string::npos);
  EXPECT_EQ(req.head.find("secret"), std::string::npos);
}
