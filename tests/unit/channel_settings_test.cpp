// The provider settings of a channel: parsed from [[channels]], checked, and
// kept through the settings JSON column.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "domain/snapshot.hpp"
#include "store/record_json.hpp"

using namespace aiohub;

TEST(ChannelSettings, BedrockDefaultsItsBaseUrlAndNeedsCredentials) {
  Config c = parse_config(R"(
[[channels]]
name = "br"
type = "bedrock"
region = "eu-central-1"
aws_access_key_id = "AKIA1"
aws_secret_access_key = "s3cret"
aws_session_token = "tok"
models = ["claude"]
)");
  ASSERT_EQ(c.channels.size(), 1u);
  const auto& ch = c.channels[0];
  EXPECT_EQ(ch.base_url, "https://bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(ch.settings.region, "eu-central-1");
  EXPECT_EQ(ch.settings.aws_access_key_id, "AKIA1");
  EXPECT_EQ(ch.settings.aws_secret_access_key, "s3cret");
  EXPECT_EQ(ch.settings.aws_session_token, "tok");
  EXPECT_TRUE(c.warnings.empty());

  EXPECT_THROW(parse_config("[[channels]]\nname = \"b\"\ntype = \"bedrock\"\napi_key = \"k\"\n"),
               ConfigError);  // no region
  EXPECT_THROW(
      parse_config("[[channels]]\nname = \"b\"\ntype = \"bedrock\"\nregion = \"us-east-1\"\n"),
      ConfigError);  // no credentials
  Config keyed = parse_config(
      "[[channels]]\nname = \"b\"\ntype = \"bedrock\"\nregion = \"us-east-1\"\napi_key = "
      "\"ABSK\"\n");
  EXPECT_EQ(keyed.channels[0].api_key, "ABSK");
}

TEST(ChannelSettings, EveryChannelOptionsAndOpenAICompatibleQuirks) {
  Config c = parse_config(R"(
[[channels]]
name = "oss"
type = "openai-compatible"
base_url = "http://127.0.0.1:8000"
headers = { "X-Foo" = "bar", "HTTP-Referer" = "https://x" }
path = "/api/chat/completions"
proxy = "http://127.0.0.1:3128"
passthrough = true
stream_options = false
max_tokens_field = "max_tokens"
)");
  const auto& s = c.channels[0].settings;
  EXPECT_EQ(s.headers.at("X-Foo"), "bar");
  EXPECT_EQ(s.path, "/api/chat/completions");
  EXPECT_EQ(s.proxy, "http://127.0.0.1:3128");
  EXPECT_TRUE(s.passthrough);
  EXPECT_FALSE(s.stream_options);
  EXPECT_EQ(s.max_tokens_field, "max_tokens");
  EXPECT_TRUE(c.warnings.empty());

  const char* bad[] = {
      "path = \"api/x\"",
      "proxy = \"socks5://h:1\"",
      "proxy = \"https://h:1\"",
      "max_tokens_field = \"max_output_tokens\"",
  };
  for (const char* line : bad)
    EXPECT_THROW(parse_config(std::string("[[channels]]\nname = \"x\"\ntype = \"openai\"\n"
                                          "base_url = \"http://h\"\n") +
                              line + "\n"),
                 ConfigError)
        << line;
}

TEST(ChannelSettings, RoundTripThroughJson) {
  ChannelSettings s;
  s.first_byte_timeout_seconds = 30;
  s.headers = {{"X-A", "1"}};
  s.path = "/p/{model}";
  s.proxy = "http://p:1";
  s.passthrough = true;
  s.region = "us-west-2";
  s.aws_access_key_id = "AKIA";
  s.aws_secret_access_key = "sec";
  s.aws_session_token = "tok";
  s.stream_options = false;
  s.max_tokens_field = "max_tokens";
  ChannelSettings back = settings_from_json(to_json(s));
  EXPECT_EQ(back.first_byte_timeout_seconds, 30);
  EXPECT_EQ(back.headers, s.headers);
  EXPECT_EQ(back.path, s.path);
  EXPECT_EQ(back.proxy, s.proxy);
  EXPECT_TRUE(back.passthrough);
  EXPECT_EQ(back.region, s.region);
  EXPECT_EQ(back.aws_access_key_id, s.aws_access_key_id);
  EXPECT_EQ(back.aws_secret_access_key, s.aws_secret_access_key);
  EXPECT_EQ(back.aws_session_token, s.aws_session_token);
  EXPECT_FALSE(back.stream_options);
  EXPECT_EQ(back.max_tokens_field, s.max_tokens_field);
  // Defaults stay out of the document.
  EXPECT_EQ(to_json(ChannelSettings{}), "{}");
  EXPECT_TRUE(settings_from_json("{}").stream_options);
}
