#pragma once
// Rows of the store, as plain values.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "billing/money.hpp"

namespace aiohub {

struct GroupRecord {
  std::string name;
  std::vector<std::string> endpoints;
  double ratio = 1.0;
};

struct ChannelRecord {
  std::int64_t id = 0;
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
};

struct PriceRecord {
  std::string model;
  double input = 0, output = 0, cache_read = 0, cache_write = 0;  // USD per 1M tokens
};

struct KeyRecord {
  std::int64_t id = 0;
  std::string name;
  std::string hash;    // hex SHA-256 of the secret
  std::string prefix;  // the first characters of the secret, for people to recognise it
  std::string group;
  std::optional<Micros> quota;  // absent: unlimited
  Micros used = 0;
  std::optional<std::int64_t> expires_at;  // Unix seconds
  std::vector<std::string> models;         // empty: every model of the group
  bool enabled = true;
  std::int64_t created_at = 0;
};

struct UsageRecord {
  std::int64_t ts_ms = 0;
  std::string request_id;
  std::int64_t key_id = 0;
  std::string key_name;
  std::string group;
  std::string model;
  std::string upstream_model;
  std::string channel;
  std::string endpoint;
  bool stream = false;
  Usage usage;
  bool usage_estimated = false;
  Micros cost = 0;
  std::int64_t latency_ms = 0;
  std::int64_t ttfb_ms = 0;
  int status = 0;
  std::string error;
};

}  // namespace aiohub
