#pragma once
// The TOML configuration file. Every section is optional; what it names is
// provisioned into the database at start, and the database stays the source
// of truth (see store/provision.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/records.hpp"
#include "domain/routing_rules.hpp"

namespace aiohub {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultListen = "127.0.0.1:3000";
inline constexpr const char* kDefaultDatabase = "sqlite://./data/aiohub.db";

struct ServerConfig {
  std::string listen = kDefaultListen;
  std::string database = kDefaultDatabase;
  // This instance's own files (the usage queue kept while PostgreSQL is away,
  // the instance id); empty: the SQLite file's directory, else ./data.
  std::string data_dir;
  std::string instance_id;  // empty: generated once and kept in data_dir
  // Shared state for several instances (quota, limits, channel health,
  // change notices): redis://[[user]:password@]host[:port][/db]; empty: each
  // instance keeps its own, in memory.
  std::string redis;
  std::optional<std::string> admin_token;
  std::size_t max_body_bytes = 32u << 20;
  // From the connection (or a kept-alive request's first byte) to the end
  // of the request's head.
  int header_timeout_seconds = 10;
  // After a client hangs up, how long the upstream answer is read on (and
  // dropped) for the usage it reports at its end; then it is cancelled.
  int drain_after_hangup_seconds = 5;
  // Client connections at once (more are answered 503); 0: half the
  // open-file limit.
  std::int64_t max_connections = 0;
  int threads = 0;  // 0: one event loop per core
  int shutdown_grace_seconds = 30;
  std::string log_level = "info";
  std::string log_format = "auto";  // json | text | auto (json unless stderr is a terminal)
  int upstream_connect_timeout_seconds = 10;
  int upstream_timeout_seconds = 600;  // first byte, and idle between stream chunks
};

struct GroupConfig {
  std::string name;
  std::optional<std::vector<std::string>> endpoints;
  std::optional<double> ratio;
  RateLimits limits;  // defaults for the group's keys
};

struct ChannelConfig {
  std::string name;
  std::string type;
  std::string base_url;
  std::string api_key;
  std::vector<std::string> groups;
  std::vector<std::string> models;
  std::map<std::string, std::string> model_map;
  int priority = 0;
  int weight = 1;
  bool enabled = true;
  ChannelSettings settings;
};

struct PriceConfig {
  std::string model;
  double input = 0, output = 0, cache_read = 0, cache_write = 0;  // USD per 1M tokens
  double per_call = 0, per_image = 0;                             // USD
  std::map<std::string, double> image_prices;  // USD per image by "SIZE/QUALITY" or "SIZE"
};

// [images]: generated images kept for response_format=url.
struct ImagesConfig {
  std::string dir;              // empty: "images" beside the SQLite file
  std::string public_base_url;  // empty: http://<the listening address>
  double retention_hours = 24;
  std::int64_t max_bytes = std::int64_t(1) << 30;
  std::int64_t max_file_bytes = 50 << 20;  // one uploaded image
};

struct KeyConfig {
  std::string name;
  std::optional<std::string> key;  // fixed secret; generated when absent
  std::string group;
  std::optional<double> quota;          // USD; absent: unlimited
  std::optional<std::int64_t> expires;  // Unix seconds
  std::optional<std::vector<std::string>> models;
  std::optional<bool> enabled;
  RateLimits limits;
};

struct Config {
  ServerConfig server;
  std::vector<GroupConfig> groups;
  std::vector<ChannelConfig> channels;
  std::vector<PriceConfig> prices;
  std::vector<KeyConfig> keys;
  RoutingConfig routing;
  ImagesConfig images;
  // [auto] groups: the order in which an `auto` key's groups are tried.
  std::optional<std::vector<std::string>> auto_groups;
  // [billing] allow_free_models: serve models that have no [[prices]] entry.
  std::optional<bool> allow_free_models;
  // [billing] max_output_tokens: what a request whose client sets no output
  // cap is assumed to produce (its reservation), and the most an encoder
  // that must pick a cap picks.
  std::optional<std::int64_t> max_output_tokens;
  std::vector<std::string> warnings;  // unknown keys and the like, logged at start
};

// Throws ConfigError with the file name and line on any mistake.
Config load_config_file(const std::string& path);
Config parse_config(std::string_view text, const std::string& source_name = "config");

// The client protocols a group can allow.
bool is_known_endpoint(std::string_view name);
// The channel types the gateway knows (not all can serve every endpoint yet).
bool is_known_channel_type(std::string_view type);

}  // namespace aiohub
