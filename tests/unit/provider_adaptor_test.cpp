// The request head and body each provider adaptor makes from a channel's
// settings.
#include "providers/adaptor.hpp"

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

UpstreamRequest build(const Channel& c, const std::string& model, bool stream, std::string body,
                      const boost::beast::http::fields& client,
                      UpstreamApi api = UpstreamApi::generate,
                      std::string_view content_type = "application/json") {
  return adaptor_for(c).build_request(c,
                                      {api, model, stream, std::move(body), content_type, client});
}

}  // namespace

TEST(ProviderAdaptor, CustomPathTemplates) {
  boost::beast::http::fields none;
  Channel c = make("openai-compatible", "http://h:8000/ignored");
  c.record.settings.path = "/api/chat/completions";
  EXPECT_EQ(first_line(build(c, "m", false, "{}", none).head),
            "POST /api/chat/completions HTTP/1.1");
  Channel g = make("gemini", "https://g.example");
  g.record.settings.path = "/gw/{model}";
  EXPECT_EQ(first_line(build(g, "gem", true, "{}", none).head),
            "POST /gw/gem:streamGenerateContent?alt=sse HTTP/1.1");
  g.record.settings.path = "/gw/models/{model}/{action}?v=2";
  EXPECT_EQ(first_line(build(g, "gem", false, "{}", none).head),
            "POST /gw/models/gem/generateContent?v=2 HTTP/1.1");
}

TEST(ProviderAdaptor, ProxiedHttpUsesTheAbsoluteForm) {
  boost::beast::http::fields none;
  Channel c = make("openai", "http://up.example:8080");
  c.upstream.proxy_host = "proxy";
  c.upstream.proxy_port = "3128";
  EXPECT_EQ(first_line(build(c, "m", false, "{}", none).head),
            "POST http://up.example:8080/v1/chat/completions HTTP/1.1");
  Channel tls = make("openai", "https://up.example");
  tls.upstream.proxy_host = "proxy";
  EXPECT_EQ(first_line(build(tls, "m", false, "{}", none).head),
            "POST /v1/chat/completions HTTP/1.1");  // inside a CONNECT tunnel
}

TEST(ProviderAdaptor, ExtraHeadersReplaceTheDefaults) {
  boost::beast::http::fields none;
  Channel c = make("openai", "http://h");
  c.record.settings.headers = {{"User-Agent", "mine/1"}, {"X-Foo", "bar"}};
  c.extra_headers = "User-Agent: mine/1\r\nX-Foo: bar\r\n";
  const std::string head = build(c, "m", false, "{}", none).head;
  EXPECT_NE(head.find("X-Foo: bar\r\n"), std::string::npos);
  EXPECT_NE(head.find("User-Agent: mine/1\r\n"), std::string::npos);
  EXPECT_EQ(head.find("aiohub/"), std::string::npos);
}

TEST(ProviderAdaptor, PassthroughForwardsOnlyTheAllowList) {
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
  const auto req = build(c, "m", true, "{ }", client);
  EXPECT_EQ(req.body, "{ }");
  EXPECT_NE(req.head.find("originator: codex_cli_rs\r\n"), std::string::npos);
  EXPECT_NE(req.head.find("Authorization: Bearer upkey\r\n"), std::string::npos);
  EXPECT_EQ(req.head.find("sk-client"), std::string::npos);
  EXPECT_EQ(req.head.find("a=b"), std::string::npos);
}

TEST(ProviderAdaptor, OpenAICompatibleBodyEdits) {
  boost::beast::http::fields none;
  Channel c = make("openai-compatible", "http://h");
  c.record.settings.stream_options = false;
  c.record.settings.max_tokens_field = "max_tokens";
  const auto req = build(
      c, "m", true,
      R"({"model":"m","max_completion_tokens":5,"stream":true,"stream_options":{"include_usage":true}})",
      none);
  EXPECT_EQ(req.body, R"({"model":"m","max_tokens":5,"stream":true})");
  EXPECT_NE(req.head.find("Content-Length: " + std::to_string(req.body.size()) + "\r\n"),
            std::string::npos);
}

TEST(ProviderAdaptor, BedrockSignsTheInvokeBody) {
  boost::beast::http::fields client;
  client.set("anthropic-beta", "b1");
  Channel c = make("bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com");
  c.record.api_key.clear();
  c.record.settings.region = "us-east-1";
  c.record.settings.aws_access_key_id = "AKIA";
  c.record.settings.aws_secret_access_key = "secret";
  const auto req = build(c, "anthropic.claude-x-v1:0", true,
                         R"({"model":"x","stream":true,"max_tokens":1})", client);
  EXPECT_EQ(req.body,
            R"({"max_tokens":1,"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["b1"]})");
  EXPECT_EQ(first_line(req.head),
            "POST /model/anthropic.claude-x-v1%3A0/invoke-with-response-stream HTTP/1.1");
  EXPECT_NE(req.head.find("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/"), std::string::npos);
  EXPECT_EQ(req.head.find("secret"), std::string::npos);
}

// The image relay used to write its own request head, skipping the channel's
// headers, path and proxy; it now goes through the adaptor like the rest.
TEST(ProviderAdaptor, ImageRequestsKeepTheChannelsHeadersPathAndProxy) {
  boost::beast::http::fields none;
  Channel c = make("openai-compatible", "http://up.example:8080");
  c.record.settings.path = "/api/paas/v4/chat/completions";
  c.record.settings.headers = {{"X-Tenant", "t1"}};
  c.extra_headers = "X-Tenant: t1\r\n";
  c.upstream.proxy_host = "proxy";
  c.upstream.proxy_port = "3128";
  const auto gen = build(c, "img", false, "{}", none, UpstreamApi::image_generations);
  EXPECT_EQ(first_line(gen.head),
            "POST http://up.example:8080/api/paas/v4/images/generations HTTP/1.1");
  EXPECT_NE(gen.head.find("X-Tenant: t1\r\n"), std::string::npos);
  EXPECT_NE(gen.head.find("Authorization: Bearer upkey\r\n"), std::string::npos);
  const auto edit = build(c, "img", false, "--b--", none, UpstreamApi::image_edits,
                          "multipart/form-data; boundary=b");
  EXPECT_EQ(first_line(edit.head), "POST http://up.example:8080/api/paas/v4/images/edits HTTP/1.1");
  EXPECT_NE(edit.head.find("Content-Type: multipart/form-data; boundary=b\r\n"), std::string::npos);
  Channel plain = make("openai", "https://api.example/v1");
  EXPECT_EQ(first_line(build(plain, "img", true, "{}", none, UpstreamApi::image_generations).head),
            "POST /v1/images/generations HTTP/1.1");
}

TEST(ProviderAdaptor, EachKindAuthenticatesItsWay) {
  boost::beast::http::fields none;
  EXPECT_NE(build(make("anthropic", "https://a"), "m", false, "{}", none)
                .head.find("x-api-key: upkey\r\n"),
            std::string::npos);
  EXPECT_NE(build(make("anthropic", "https://a"), "m", false, "{}", none)
                .head.find("anthropic-version: 2023-06-01\r\n"),
            std::string::npos);
  EXPECT_NE(build(make("gemini", "https://g"), "m", false, "{}", none)
                .head.find("x-goog-api-key: upkey\r\n"),
            std::string::npos);
  EXPECT_NE(build(make("openai-responses", "https://r"), "m", false, "{}", none)
                .head.find("Authorization: Bearer upkey\r\n"),
            std::string::npos);
  EXPECT_EQ(first_line(build(make("openai-responses", "https://r"), "m", false, "{}", none).head),
            "POST /v1/responses HTTP/1.1");
  EXPECT_EQ(first_line(build(make("anthropic", "https://a"), "m", false, "{}", none,
                             UpstreamApi::count_tokens)
                           .head),
            "POST /v1/messages/count_tokens HTTP/1.1");
}

TEST(ProviderAdaptor, WhatEachKindCanDo) {
  EXPECT_FALSE(adaptor_for(ChannelKind::bedrock).counts_tokens());
  EXPECT_FALSE(adaptor_for(ChannelKind::demo).counts_tokens());
  EXPECT_TRUE(adaptor_for(ChannelKind::anthropic).counts_tokens());
  EXPECT_TRUE(adaptor_for(ChannelKind::gemini).serves(Endpoint::images));
  EXPECT_TRUE(adaptor_for(ChannelKind::openai_compatible).serves(Endpoint::images));
  EXPECT_FALSE(adaptor_for(ChannelKind::anthropic).serves(Endpoint::images));
  EXPECT_EQ(adaptor_for(ChannelKind::bedrock).protocol(), Protocol::anthropic);
  EXPECT_TRUE(adaptor_for(ChannelKind::bedrock).is_stream("application/vnd.amazon.eventstream"));
  EXPECT_FALSE(adaptor_for(ChannelKind::openai).is_stream("application/vnd.amazon.eventstream"));
  EXPECT_TRUE(adaptor_for(ChannelKind::openai).is_stream("text/event-stream; charset=utf-8"));
}
