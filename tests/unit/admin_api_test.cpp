#include "admin/admin_api.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "admin/keys.hpp"
#include "admin/usage_view.hpp"
#include "config/provision.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
using namespace aiohub::admin;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aiohub-admin-" + random_urlsafe(8));
    store_ = open_store("sqlite://" + (dir_ / "aiohub.db").string());
    Config cfg;
    cfg.server.admin_token = kToken;
    provision(*store_, cfg);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  AdminResponse call(const std::string& method, const std::string& path,
                     const std::string& body = "", const std::string& query = "",
                     const std::string& token = kToken) {
    AdminRequest req;
    req.method = method;
    req.segments = *api_segments(path);
    req.query = parse_query(query);
    req.body = body;
    ApiContext ctx{*store_, nullptr, 1'764'374'400'000};
    return answer(ctx, req, token);
  }
  static json::value parse(const AdminResponse& r) { return json::parse(r.body); }

  static constexpr const char* kToken = "admin-secret-for-tests";
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace

TEST_F(AdminApiTest, EveryCallNeedsTheAdminToken) {
  auto missing = call("GET", "/api/keys", "", "", "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(parse(missing).at("error").at("type"), "unauthorized");
  EXPECT_EQ(call("GET", "/api/keys", "", "", "wrong").status, 401);
  EXPECT_EQ(call("GET", "/api/nothing-here", "", "", "wrong").status, 401)
      << "routes are not revealed without the token";
  EXPECT_EQ(call("GET", "/api/keys").status, 200);
}

TEST_F(AdminApiTest, RoutingErrorsAreJson) {
  auto unknown = call("GET", "/api/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(parse(unknown).at("error").at("type"), "not_found");
  auto wrong_method = call("PUT", "/api/keys");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_NE(wrong_method.extra_headers.find("Allow: GET, POST"), std::string::npos);
  auto bad_json = call("POST", "/api/keys", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(parse(bad_json).at("error").at("type"), "invalid_request");
  EXPECT_EQ(call("POST", "/api/keys", "[1]").status, 400);
}

TEST_F(AdminApiTest, KeysAreCreatedChangedAndDeleted) {
  auto created = call("POST", "/api/keys",
                      R"({"name":"alice","group":"openai","quota_usd":2.5,"limits":{"rpm":60}})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto v = parse(created);
  const std::string secret(v.at("secret").as_string());
  EXPECT_EQ(secret.size(), 51u);
  EXPECT_EQ(store_->key_by_name("alice")->hash, sha256_hex(secret));
  EXPECT_EQ(v.at("key").at("quota_micros"), 2'500'000);
  EXPECT_EQ(v.at("key").at("remaining_micros"), 2'500'000);
  EXPECT_EQ(v.at("key").at("limits").at("rpm"), 60);
  EXPECT_TRUE(v.at("key").at("limits").at("tpm").is_null());
  EXPECT_EQ(created.body.find(store_->key_by_name("alice")->hash), std::string::npos);

  EXPECT_EQ(call("POST", "/api/keys", R"({"name":"alice","group":"openai"})").status, 409);
  EXPECT_EQ(call("POST", "/api/keys", R"({"name":"x","group":"no-such"})").status, 400);
  EXPECT_EQ(call("POST", "/api/keys", R"({"name":"y","group":"auto"})").status, 201);
  auto typo = call("POST", "/api/keys", R"({"name":"z","group":"openai","quota":1})");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("quota"), std::string::npos);

  auto patched = call("PATCH", "/api/keys/alice", R"({"quota_usd":null,"enabled":false})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(parse(patched).at("key").at("quota_usd").is_null());
  EXPECT_FALSE(store_->key_by_name("alice")->enabled);
  EXPECT_EQ(call("PATCH", "/api/keys/nobody", "{}").status, 404);

  EXPECT_EQ(call("DELETE", "/api/keys/alice").status, 200);
  EXPECT_FALSE(store_->key_by_name("alice"));
  EXPECT_EQ(call("DELETE", "/api/keys/alice").status, 404);
}

TEST_F(AdminApiTest, ChannelsNeverShowTheirKey) {
  const std::string upstream_key = "sk-upstream-very-secret-1234";
  auto created = call("POST", "/api/channels",
                      R"({"name":"up","type":"openai","base_url":"https://api.example.com/v1",
                          "api_key":")" +
                          upstream_key + R"(","groups":["openai"],"models":["m"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find(upstream_key), std::string::npos);
  auto c = parse(created).at("channel");
  EXPECT_EQ(c.at("api_key_set"), true);
  EXPECT_EQ(c.at("api_key_hint"), "sk-...1234");
  EXPECT_EQ(c.at("health").at("state"), "healthy");

  // An empty api_key leaves the old one.
  ASSERT_EQ(call("PATCH", "/api/channels/up", R"({"api_key":"","priority":5})").status, 200);
  EXPECT_EQ(store_->channels().back().api_key, upstream_key);
  EXPECT_EQ(store_->channels().back().priority, 5);

  auto list = call("GET", "/api/channels");
  EXPECT_EQ(list.body.find(upstream_key), std::string::npos);
  EXPECT_EQ(
      call("POST", "/api/channels", R"({"name":"bad","type":"nope","base_url":"http://x"})").status,
      400);
  EXPECT_EQ(call("POST", "/api/channels", R"({"name":"bad","type":"openai","base_url":"ftp://x"})")
                .status,
            400);
  EXPECT_EQ(call("POST", "/api/channels",
                 R"({"name":"bad","type":"openai","base_url":"http://x","groups":["nope"]})")
                .status,
            400);
  EXPECT_EQ(call("DELETE", "/api/channels/up").status, 200);
  EXPECT_EQ(call("GET", "/api/channels/up").status, 404);
}

TEST_F(AdminApiTest, GroupsInUseCannotBeDeleted) {
  ASSERT_EQ(call("PUT", "/api/groups/team", R"({"endpoints":["chat"],"ratio":0.5})").status, 201);
  ASSERT_EQ(call("PUT", "/api/groups/team", R"({"ratio":2})").status, 200);
  auto groups = parse(call("GET", "/api/groups"));
  bool found = false;
  for (auto& g : groups.at("groups").as_array())
    if (g.at("name") == "team") {
      found = true;
      EXPECT_EQ(g.at("ratio").to_number<double>(), 2.0);
      EXPECT_EQ(g.at("endpoints").as_array().size(), 1u);
    }
  EXPECT_TRUE(found);
  ASSERT_EQ(call("POST", "/api/keys", R"({"name":"k","group":"team"})").status, 201);
  auto refused = call("DELETE", "/api/groups/team");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("key 'k'"), std::string::npos);
  ASSERT_EQ(call("DELETE", "/api/keys/k").status, 200);
  EXPECT_EQ(call("DELETE", "/api/groups/team").status, 200);
  EXPECT_EQ(call("PUT", "/api/groups/auto", "{}").status, 400);
}

TEST_F(AdminApiTest, PricesAndSettings) {
  auto put = call("PUT", "/api/prices/gpt-x", R"({"input":2,"output":8})");
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(store_->prices().size(), 1u + 1u);  // the demo model's price, and this one
  EXPECT_EQ(call("PUT", "/api/prices/gpt-x", R"({"input":-1})").status, 400);
  EXPECT_EQ(call("DELETE", "/api/prices/gpt-x").status, 200);
  EXPECT_EQ(call("DELETE", "/api/prices/gpt-x").status, 404);

  auto rev = store_->config_revision();
  auto patched = call("PATCH", "/api/settings",
                      R"({"auto_groups":["openai","gemini"],"allow_free_models":true})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_GT(store_->config_revision(), rev);
  auto v = parse(call("GET", "/api/settings"));
  EXPECT_EQ(v.at("allow_free_models"), true);
  EXPECT_EQ(v.at("auto_groups").as_array().size(), 2u);
  EXPECT_EQ(call("PATCH", "/api/settings", R"({"auto_groups":["nope"]})").status, 400);
}

TEST_F(AdminApiTest, LogsFilterAndUsageSums) {
  std::vector<UsageRecord> rows;
  for (int i = 0; i < 7; ++i) {
    UsageRecord r;
    r.ts_ms = 1'764'374'400'000 - 1000 * (7 - i);
    r.request_id = "req_" + std::to_string(i);
    r.key_name = i < 4 ? "alice" : "bob";
    r.model = "m";
    r.channel = "c";
    r.group = "openai";
    r.status = i == 6 ? 500 : 200;
    r.cost = 1'000'000 + i;
    r.attempts =
        i == 6 ? R"([{"channel":"c0","group":"openai","status":503,"error":"x","ms":5}])" : "";
    rows.push_back(r);
  }
  store_->write_usage(rows);

  auto page = parse(call("GET", "/api/logs", "", "key=alice&limit=3"));
  ASSERT_EQ(page.at("logs").as_array().size(), 3u);
  EXPECT_EQ(page.at("logs").as_array()[0].at("request_id"), "req_3");
  ASSERT_FALSE(page.at("next_before_id").is_null());
  auto next = parse(
      call("GET", "/api/logs", "",
           "key=alice&limit=3&before_id=" + std::to_string(page.at("next_before_id").as_int64())));
  ASSERT_EQ(next.at("logs").as_array().size(), 1u);
  EXPECT_TRUE(next.at("next_before_id").is_null());

  auto errors = parse(call("GET", "/api/logs", "", "status=error"));
  ASSERT_EQ(errors.at("logs").as_array().size(), 1u);
  EXPECT_EQ(errors.at("logs").as_array()[0].at("attempts").as_array()[0].at("status"), 503);
  EXPECT_EQ(call("GET", "/api/logs", "", "limit=5000").status, 400);
  EXPECT_EQ(call("GET", "/api/logs", "", "stauts=200").status, 400);

  auto detail = call("GET", "/api/logs/req_2");
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(parse(detail).at("log").at("cost_micros"), 1'000'002);
  EXPECT_EQ(call("GET", "/api/logs/req_none").status, 404);

  auto usage = parse(call("GET", "/api/usage", "", "by=key"));
  ASSERT_EQ(usage.at("rows").as_array().size(), 2u);
  EXPECT_EQ(usage.at("rows").as_array()[0].at("bucket"), "alice");
  EXPECT_EQ(usage.at("rows").as_array()[0].at("cost_micros"), 4'000'006);
  EXPECT_EQ(usage.at("rows").as_array()[1].at("errors"), 1);
  auto by_day = parse(call("GET", "/api/usage", "", "by=day"));
  EXPECT_EQ(by_day.at("rows").as_array()[0].at("bucket"), "2025-11-28");
  EXPECT_EQ(call("GET", "/api/usage", "", "by=weather").status, 400);

  auto overview = parse(call("GET", "/api/overview", "", "window=hour"));
  EXPECT_EQ(overview.at("series").as_array().size(), 60u);
  EXPECT_EQ(overview.at("totals").at("requests"), 7);
  EXPECT_EQ(overview.at("totals").at("cost_micros"), 7'000'021);
  EXPECT_EQ(overview.at("top_keys").as_array()[0].at("bucket"), "alice");
  EXPECT_EQ(parse(call("GET", "/api/overview", "", "window=month")).at("series").as_array().size(),
            30u);
}

// admin/keys.hpp is what `aiohub key create` and `key list --json` run:
// the API's rules and the API's JSON.
TEST_F(AdminApiTest, KeyRulesAndJsonAreSharedWithTheShell) {
  const KeyRecord key = make_key("roamer", std::string(kAutoGroup)).record;
  auto made = create_key(*store_, key);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made.value().group, kAutoGroup);
  auto listed = parse(call("GET", "/api/keys")).at("keys").as_array();
  auto it = std::find_if(listed.begin(), listed.end(),
                         [](const json::value& v) { return v.at("name") == "roamer"; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(*it, json::value(key_json(made.value(), made.value().used)));

  auto again = create_key(*store_, key);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().status, 409);
  auto bad_name = create_key(*store_, make_key("a/b", "openai").record);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().status, 400);
  auto bad_group = create_key(*store_, make_key("lost", "planet").record);
  ASSERT_FALSE(bad_group.ok());
  EXPECT_EQ(bad_group.error().message, "Unknown group 'planet'.");
  // The API refuses them with the same words.
  auto api = call("POST", "/api/keys", R"({"name":"lost","group":"planet"})");
  EXPECT_EQ(api.status, 400);
  EXPECT_EQ(parse(api).at("error").at("message"), "Unknown group 'planet'.");
  EXPECT_EQ(call("POST", "/api/keys", R"({"name":"roamer","group":"openai"})").status, 409);
  EXPECT_TRUE(check_key_name(std::string(64, 'k')).ok());
  EXPECT_FALSE(check_key_name(std::string(65, 'k')).ok());
}

TEST_F(AdminApiTest, LogRowsAreOneShapeForTheApiAndTheShell) {
  UsageRecord r;
  r.ts_ms = 1'764'374'400'000;
  r.request_id = "req_shape";
  r.key_name = "alice";
  r.usage.cache_read = 12;
  r.status = 200;
  store_->write_usage({r});
  auto api = parse(call("GET", "/api/logs")).at("logs").as_array();
  UsageQuery q;
  auto rows = store_->query_usage(q);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(api.size(), 1u);
  EXPECT_EQ(api[0], json::value(log_row_json(rows[0])));
  EXPECT_EQ(api[0].at("ts_ms"), 1'764'374'400'000);
  EXPECT_EQ(api[0].at("cache_read_tokens"), 12);
}

TEST(AdminHelpers, PathsQueriesAndTimes) {
  EXPECT_EQ(*api_segments("/api/keys/a%20b/"), (std::vector<std::string>{"keys", "a b"}));
  EXPECT_FALSE(api_segments("/apix"));
  EXPECT_FALSE(api_segments("/api/keys/%zz"));
  EXPECT_EQ(parse_query("a=1&b=x+y%21")["b"], "x y!");
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
  EXPECT_EQ(*parse_time_ago("24h", 100'000'000), 100'000'000 - 86'400'000);
  EXPECT_EQ(*parse_time_ago("2025-11-29T00:00:00Z", 0), 1'764'374'400'000);
  EXPECT_EQ(*parse_time_ago("1764374400000", 0), 1'764'374'400'000);
  EXPECT_FALSE(parse_time_ago("yesterday", 0));
}
