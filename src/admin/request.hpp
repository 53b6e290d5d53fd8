#pragma once
// An admin API call as plain values, so that the handlers run on a store
// thread (or in a unit test) without touching the connection.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub {
class Store;
struct Snapshot;
}  // namespace aiohub

namespace aiohub::admin {

struct AdminRequest {
  std::string method;
  std::vector<std::string> segments;  // the path after /api/, split on '/', percent-decoded
  std::map<std::string, std::string> query;
  std::string body;
};

struct AdminResponse {
  int status = 200;
  std::string body;
  std::string extra_headers;  // complete header lines
};

// What a handler may read besides the request.
struct ApiContext {
  Store& store;
  // The running gateway's configuration, for balances counted in memory
  // ahead of the database; null outside the server.
  const Snapshot* live = nullptr;
  std::int64_t now_ms = 0;
};

// "a%2Fb" -> "a/b"; '+' is a space only in query strings. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// Splits "/api/keys/a%20b" into {"keys", "a b"}; nullopt when not under /api.
std::optional<std::vector<std::string>> api_segments(std::string_view path);
// "a=1&b=x%20y" -> {a:1, b:"x y"}; the last of repeated names wins.
std::map<std::string, std::string> parse_query(std::string_view query);

// 405 with an Allow header.
AdminResponse method_not_allowed(const AdminRequest& req, std::string_view allow);

// Resource handlers (one file each). They throw ApiFailure for 4xx answers.
AdminResponse keys_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse channels_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse groups_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse prices_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse settings_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse logs_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse usage_api(ApiContext& ctx, const AdminRequest& req);
AdminResponse overview_api(ApiContext& ctx, const AdminRequest& req);

}  // namespace aiohub::admin
