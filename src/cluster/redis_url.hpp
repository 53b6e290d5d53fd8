#pragma once
// Where Redis is: `[server] redis = "redis://[[user]:password@]host[:port][/db]"`.
#include <optional>
#include <string>
#include <string_view>

namespace aiohub {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // ACL user (Redis 6+); empty: the default user
  std::string password;
  int db = 0;
};

// redis://[[user]:password@]host[:port][/db]. Nullopt (with `error`) when
// the URL is not one.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error = nullptr);
// The URL without its password, for logs and `aiohub status`.
std::string redact_redis_url(std::string_view url);

}  // namespace aiohub
