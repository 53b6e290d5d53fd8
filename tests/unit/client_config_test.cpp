#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

#include "web/client_config.hpp"

using namespace aiohub::web;

TEST(ClientConfig, EmbeddedJsonListsTheClients) {
  auto doc = boost::json::parse(clients_json());
  EXPECT_TRUE(doc.as_object().contains("troubleshooting"));
  std::vector<std::string> ids;
  for (auto& c : list_clients()) ids.push_back(c.id);
  for (auto id : {"claude-code", "codex", "gemini-cli", "opencode", "vscode", "cherry-studio",
                  "lobehub", "chatbox", "claude-desktop", "openai-compatible"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
}

TEST(ClientConfig, RootIsNormalized) {
  EXPECT_EQ(normalize_root("http://h:3000"), "http://h:3000");
  EXPECT_EQ(normalize_root("http://h:3000/"), "http://h:3000");
  EXPECT_EQ(normalize_root("http://h:3000/v1/"), "http://h:3000");
  EXPECT_EQ(normalize_root("https://gw.example/llm/v1"), "https://gw.example/llm");
}

TEST(ClientConfig, Placeholders) {
  ClientValues v{"http://h:3000/", "sk-abc", "m1"};
  EXPECT_EQ(fill_placeholders("{{root}} {{v1}} {{key}} {{model}} {{other}}", v),
            "http://h:3000 http://h:3000/v1 sk-abc m1 {{other}}");
  EXPECT_EQ(fill_placeholders("key={{key}}", {"http://h", "", ""}), "key=sk-YOUR-AIOHUB-KEY");
  EXPECT_EQ(fill_placeholders("unclosed {{root", v), "unclosed {{root");
}

TEST(ClientConfig, ClaudeCodeUsesTheRootAndTheAuthToken) {
  auto text = render_client_config("claude-code", {"http://gw:3000/v1", "sk-test-123", ""});
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("export ANTHROPIC_BASE_URL=\"http://gw:3000\"\n"), std::string::npos);
  EXPECT_NE(text->find("export ANTHROPIC_AUTH_TOKEN=\"sk-test-123\"\n"), std::string::npos);
  EXPECT_NE(text->find("ANTHROPIC_MODEL=\"claude-sonnet-4-5\""), std::string::npos);
  EXPECT_NE(text->find("# Base URL: http://gw:3000 (the gateway root, no /v1)"), std::string::npos);
  EXPECT_EQ(text->find("/v1/v1"), std::string::npos);
}

TEST(ClientConfig, CodexUsesV1AndTheResponsesWireApi) {
  auto text = render_client_config("codex", {"http://gw:3000", "sk-k", "gpt-5-codex"});
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("base_url = \"http://gw:3000/v1\"\n"), std::string::npos);
  EXPECT_NE(text->find("wire_api = \"responses\""), std::string::npos);
  EXPECT_NE(text->find("model = \"gpt-5-codex\""), std::string::npos);
  EXPECT_NE(text->find("[~/.codex/config.toml]"), std::string::npos);
  EXPECT_NE(text->find("export AIOHUB_API_KEY=\"sk-k\""), std::string::npos);
  // No placeholder is left over in any client's text.
  for (auto& c : list_clients()) {
    auto t = render_client_config(c.id, {"http://gw:3000", "sk-k", ""});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->find("{{"), std::string::npos) << c.id;
  }
}

TEST(ClientConfig, AnAppsOwnNameIsAnAlias) {
  const ClientValues v{"http://gw:3000", "sk-k", ""};
  const std::pair<const char*, const char*> cases[] = {{"cline", "openai-compatible"},
                                                       {"cursor", "openai-compatible"},
                                                       {"continue", "openai-compatible"},
                                                       {"aider", "openai-compatible"},
                                                       {"open-webui", "openai-compatible"},
                                                       {"librechat", "openai-compatible"},
                                                       {"cherry-studio", "cherry-studio"},
                                                       {"chatbox", "chatbox"},
                                                       {"lobehub", "lobehub"},
                                                       {"lobechat", "lobehub"},
                                                       {"vscode-claude", "vscode"},
                                                       {"vscode-codex", "vscode-codex"}};
  for (auto [alias, id] : cases) {
    auto by_alias = render_client_config(alias, v);
    ASSERT_TRUE(by_alias) << alias;
    EXPECT_EQ(*by_alias, *render_client_config(id, v)) << alias;
  }
  // An alias names one client and never shadows an id.
  auto doc = boost::json::parse(clients_json());
  std::vector<std::string> names;
  for (auto& c : doc.as_object().at("clients").as_array()) {
    names.emplace_back(c.as_object().at("id").as_string());
    if (auto* a = c.as_object().if_contains("aliases"))
      for (auto& n : a->as_array()) names.emplace_back(n.as_string());
  }
  auto sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(ClientConfig, UnknownClient) {
  EXPECT_FALSE(render_client_config("nope", {"http://h", "", ""}));
}
