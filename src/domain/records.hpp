#pragma once
// Rows of the store, as plain values.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/money.hpp"

namespace aiohub {

// A key in this routing value, not a group, is served by the first group of
// the `auto_groups` order that can serve its request.
inline constexpr const char* kAutoGroup = "auto";

// Per-key limits; a group's limits are the defaults of its keys. Absent: no limit.
struct RateLimits {
  std::optional<std::int64_t> rpm;          // requests per minute
  std::optional<std::int64_t> tpm;          // tokens (input + output) per minute
  std::optional<std::int64_t> concurrency;  // requests in flight at once
  bool empty() const { return !rpm && !tpm && !concurrency; }
};

struct GroupRecord {
  std::string name;
  std::vector<std::string> endpoints;
  double ratio = 1.0;
  RateLimits limits;
};

// Per-channel options beyond the common columns, kept as one JSON document
// so that a provider can add its own without a schema change.
struct ChannelSettings {
  std::optional<int> connect_timeout_seconds;
  std::optional<int> first_byte_timeout_seconds;  // request sent -> first byte of the answer
  std::optional<int> idle_timeout_seconds;        // between two reads of a streamed answer

  // Every channel: extra request headers, a path other than the protocol's
  // /v1/... (a template may name {model}), and an HTTP(S) proxy
  // (http://host:port; CONNECT tunnel for https upstreams).
  std::map<std::string, std::string> headers;
  std::string path;
  std::string proxy;
  // Raw passthrough: body and an allow list of client headers go upstream
  // unchanged but for authentication; the answer comes back byte for byte.
  bool passthrough = false;
  // bedrock: region and AWS credentials (or a Bedrock API key in api_key).
  std::string region;
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
  std::string aws_session_token;
  // openai-compatible: upstreams that reject stream_options, or want
  // max_tokens instead of max_completion_tokens.
  bool stream_options = true;
  std::string max_tokens_field;  // "max_tokens" or "max_completion_tokens"; empty: as sent
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
  ChannelSettings settings;
};

struct PriceRecord {
  std::string model;
  double input = 0, output = 0, cache_read = 0, cache_write = 0;  // USD per 1M tokens
  double per_call = 0;   // USD per request, on top of the tokens
  double per_image = 0;  // USD per generated image
  // USD per image by "SIZE/QUALITY" or "SIZE" (e.g. "1024x1024/high"), before per_image.
  std::map<std::string, double> image_prices;
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
  RateLimits limits;
};

// Why a channel is in or out of rotation, as the gateway last saw it.
struct ChannelHealthRecord {
  std::string channel;
  std::string state = "healthy";  // healthy | cooling_down | probing
  std::string reason;             // the failure that took it out, without credentials
  std::int64_t consecutive_failures = 0;
  std::int64_t since_ms = 0;  // when the state began
  std::int64_t until_ms = 0;  // cooling_down: when it will be probed again
};

// A running gateway as it last reported itself (`aiohub status`).
struct InstanceRecord {
  std::string id;
  std::string address;  // where it listens
  std::int64_t started_ms = 0;
  std::int64_t seen_ms = 0;
  std::int64_t queued_rows = 0;  // usage rows waiting on its local disk for the database
};

struct UsageRecord {
  std::int64_t id = 0;  // set when read back from the store (the log's order)
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
  int status = 0;  // what the client got; 499 when the client went away (cancelled)
  std::string error;
  // The failed tries before the one that answered, as a JSON array of
  // {"channel","group","status","error","ms"}; empty when the first try served.
  std::string attempts;
};

}  // namespace aiohub
