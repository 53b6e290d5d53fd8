#pragma once
// Whether a channel is in rotation. A channel that keeps failing (repeated
// connect errors, timeouts or 5xx; at once on an auth or quota error from
// its provider) cools down for a while; after that one request is let
// through as a probe, and its outcome puts the channel back or cools it down
// again. The state outlives configuration snapshots and is shared by every
// worker; the common case (healthy) costs one atomic load.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "domain/records.hpp"
#include "domain/routing_rules.hpp"

namespace aiohub {

enum class Failure {
  none,
  connect,       // unreachable, TLS, DNS
  timeout,       // nothing before the first byte / between chunks
  server,        // 500-504, 529, a broken stream
  rate_limited,  // 429 from the provider
  auth,          // 401/403: the channel's credentials
  quota,         // the provider account is out of credit
  client,        // the request itself was refused (400, 404, 413 ...): not the channel's fault
};

const char* failure_name(Failure f);

class ChannelHealth {
 public:
  enum class Admit { yes, probe, no };

  explicit ChannelHealth(std::string channel);
  // Resumes a state recorded earlier (by this or another process).
  void restore(const ChannelHealthRecord& rec);

  // `probe` hands out the one trial request after a cool-down.
  Admit admit(std::int64_t now_ms);
  bool in_rotation(std::int64_t now_ms) const;

  // Both return true when the state changed (worth recording).
  bool succeeded(std::int64_t now_ms);
  bool failed(Failure kind, const std::string& reason, const RoutingConfig& rules,
              std::int64_t now_ms);
  // A probe that ended without telling anything (client went away): let
  // another request probe.
  void probe_abandoned();

  ChannelHealthRecord record() const;

 private:
  mutable std::mutex mutex_;
  ChannelHealthRecord rec_;
  std::atomic<std::int64_t> out_until_ms_{0};  // 0: in rotation
  std::atomic<bool> probe_taken_{false};
  std::atomic<std::int64_t> streak_{0};  // mirrors rec_.consecutive_failures for the fast path
};

}  // namespace aiohub
