#pragma once
// The request pipeline: endpoint -> authenticate -> decode -> route -> relay
// -> settle. One readable place for the order of things; each step lives in
// its own file.
#include "billing/usage_writer.hpp"
#include "cluster/shared_state.hpp"
#include "domain/endpoint.hpp"
#include "pipeline/relay.hpp"
#include "protocols/codec.hpp"
#include "router/router.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class Metrics;

// What serving one request came to, for billing and the log.
struct Attempt {
  std::string model;
  bool stream = false;
  std::optional<Candidate> served;  // the channel (and its group) that answered or was tried last
  RelayOutcome outcome;
  std::string attempts;  // the failed tries before it, as JSON (see UsageRecord)
  AdmissionTicket
      ticket;  // the key's slot and reservation, settled to the exact cost when recorded
};

// The text endpoints: generation in the four text protocols, token
// counting and model lists, for a key the front door has checked.
class Gateway {
 public:
  Gateway(UsageWriter& usage, RelaySettings settings, RoutingConfig routing = {},
          SharedState* shared = nullptr);

  // Every recorded request is also counted there (for /metrics).
  void attach_metrics(Metrics& metrics) { metrics_ = &metrics; }

  awaitable<void> generate(HttpExchange& ex, const Snapshot& snap, const Key& key,
                           Endpoint endpoint, const RequestTarget& target);
  awaitable<void> count_tokens(HttpExchange& ex, const Snapshot& snap, const Key& key,
                               Endpoint endpoint, const RequestTarget& target);
  awaitable<void> list_models(HttpExchange& ex, const Snapshot& snap, const Key& key,
                              Endpoint endpoint);

 private:
  awaitable<void> reply_error(HttpExchange& ex, ErrorShape shape, const ApiError& error,
                              std::string extra_headers = {});
  void note_health(const Channel& channel, const RelayOutcome& outcome);
  void estimate_cancelled_usage(HttpExchange& ex, Attempt& attempt);
  // Settles the reservation and the limits, and queues the usage row.
  void record(HttpExchange& ex, const Snapshot& snap, const Key& key, Endpoint endpoint,
              Attempt& attempt);

  UsageWriter& usage_;
  RelaySettings settings_;
  RoutingConfig routing_;
  std::int64_t started_at_;
  Metrics* metrics_ = nullptr;
  SharedState local_shared_;
  SharedState& shared_;  // admission and channel health: local, or Redis
};

}  // namespace aiohub
