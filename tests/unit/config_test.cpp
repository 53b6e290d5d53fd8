#include "config/config.hpp"

#include <gtest/gtest.h>

#include "util/time.hpp"

using namespace aiohub;

TEST(Config, EmptyFileGivesDefaults) {
  Config c = parse_config("");
  EXPECT_EQ(c.server.listen, "127.0.0.1:3000");
  EXPECT_EQ(c.server.database, "sqlite://./data/aiohub.db");
  EXPECT_FALSE(c.server.admin_token);
  EXPECT_TRUE(c.channels.empty());
}

TEST(Config, ParsesTheWholeContract) {
  Config c = parse_config(R"(
[server]
listen = "0.0.0.0:8080"
database = "sqlite:///var/lib/aiohub/aiohub.db"
admin_token = "0123456789abcdef0123"

[[groups]]
name = "openai"
endpoints = ["chat", "responses"]
ratio = 1.5

[[channels]]
name = "openai-main"
type = "openai"
base_url = "https://api.openai.com"
api_key = "secret"
groups = ["openai"]
models = ["gpt-4.1", "gpt-4.1-mini"]
model_map = { "gpt-4.1" = "gpt-4.1-2025-04-14" }
priority = 3
weight = 7

[[prices]]
model = "gpt-4.1"
input = 2.0
output = 8.0
cache_read = 0.5

[[keys]]
name = "alice"
key = "sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
group = "openai"
quota = 25.0
expires = "2027-01-01T00:00:00Z"
models = ["gpt-4.1"]
)");
  EXPECT_EQ(c.server.listen, "0.0.0.0:8080");
  EXPECT_EQ(c.server.admin_token, "0123456789abcdef0123");
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.groups[0].endpoints->size(), 2u);
  EXPECT_DOUBLE_EQ(*c.groups[0].ratio, 1.5);
  ASSERT_EQ(c.channels.size(), 1u);
  auto& ch = c.channels[0];
  EXPECT_EQ(ch.type, "openai");
  EXPECT_EQ(ch.models.size(), 2u);
  EXPECT_EQ(ch.model_map.at("gpt-4.1"), "gpt-4.1-2025-04-14");
  EXPECT_EQ(ch.priority, 3);
  EXPECT_EQ(ch.weight, 7);
  ASSERT_EQ(c.prices.size(), 1u);
  EXPECT_DOUBLE_EQ(c.prices[0].cache_read, 0.5);
  EXPECT_DOUBLE_EQ(c.prices[0].cache_write, 0.0);
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keys[0].expires, parse_rfc3339("2027-01-01T00:00:00Z"));
  EXPECT_EQ(*c.keys[0].expires, 1798761600);
  EXPECT_DOUBLE_EQ(*c.keys[0].quota, 25.0);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, TomlDateTimeLiteralIsAcceptedForExpiry) {
  Config c = parse_config("[[keys]]\nname='a'\ngroup='openai'\nexpires=2027-01-01T00:00:00Z\n");
  EXPECT_EQ(*c.keys[0].expires, 1798761600);
}

TEST(Config, MistakesNameTheFileAndLine) {
  try {
    parse_config("[[channels]]\nname = 'x'\ntype = 'openai'\n", "my.toml");
    FAIL() << "a channel without base_url must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("my.toml"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("base_url"), std::string::npos);
  }
  EXPECT_THROW(parse_config("[[channels]]\nname='x'\ntype='nope'\nbase_url='http://a'\n"),
               ConfigError);
  EXPECT_THROW(parse_config("[[groups]]\nname='g'\nendpoints=['chat','fax']\n"), ConfigError);
  EXPECT_THROW(parse_config("[[keys]]\nname='a'\ngroup='g'\nkey='not-a-key'\n"), ConfigError);
  EXPECT_THROW(parse_config("[[keys]]\nname='a'\ngroup='g'\nexpires='next tuesday'\n"),
               ConfigError);
  EXPECT_THROW(parse_config("[[prices]]\nmodel='m'\ninput=-1.0\n"), ConfigError);
  EXPECT_THROW(parse_config("[server]\nlisten = 3000\n"), ConfigError);
  EXPECT_THROW(parse_config("[[keys]]\nname='a'\ngroup='g'\n[[keys]]\nname='a'\ngroup='g'\n"),
               ConfigError);
  EXPECT_THROW(parse_config("this is not toml"), ConfigError);
}

TEST(Config, UnknownKeysAreWarnedAboutNotFatal) {
  Config c = parse_config("[[channels]]\nname='x'\ntype='demo'\nmodles=['a']\n[extra]\na=1\n");
  ASSERT_EQ(c.warnings.size(), 2u);
  std::string all = c.warnings[0] + "\n" + c.warnings[1];
  EXPECT_NE(all.find("unknown key 'modles'"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown section 'extra'"), std::string::npos) << all;
}

TEST(Time, ParsesRfc3339Forms) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00.250Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-02"), 86400);
  EXPECT_FALSE(parse_rfc3339("1970-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_EQ(format_rfc3339(1798761600), "2027-01-01T00:00:00Z");
}

TEST(Config, HeaderDeadlineAndConnectionCap) {
  Config defaults = parse_config("");
  EXPECT_EQ(defaults.server.header_timeout_seconds, 10);
  EXPECT_EQ(defaults.server.max_connections, 0);  // automatic: from the open-file limit
  Config c = parse_config("[server]\nheader_timeout_seconds = 3\nmax_connections = 500\n");
  EXPECT_EQ(c.server.header_timeout_seconds, 3);
  EXPECT_EQ(c.server.max_connections, 500);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_THROW(parse_config("[server]\nheader_timeout_seconds = 0\n"), ConfigError);
  EXPECT_THROW(parse_config("[server]\nmax_connections = -1\n"), ConfigError);
}
