#pragma once
// Serving one request with failover, the same for every endpoint: route it,
// refuse an unpriced model, admit it (limits, then the reservation), try the
// candidates in turn while no byte has reached the client (health, retry
// budget, the failed tries noted), send the held answer when every try
// failed, and record the usage row that settles the reservation.
#include <optional>
#include <random>
#include <string>

#include "billing/usage_writer.hpp"
#include "cluster/shared_state.hpp"
#include "pipeline/exchange.hpp"
#include "router/router.hpp"

namespace aiohub {

class Metrics;

// What the request asks for, as routing, admission and the usage row see it.
struct ServeRequest {
  Endpoint endpoint = Endpoint::chat;
  std::string model;
  bool stream = false;
  std::string_view recorded_as;  // the usage row's endpoint, when not the endpoint's name
};

// What an attempt costs.
struct Bill {
  Micros cost = 0;
  Usage usage;
  bool estimated = false;
};

// The endpoint's part of serving: what a request may cost before it runs,
// relaying it to one candidate, and what an attempt cost.
class ServeCalls {
 public:
  virtual ~ServeCalls() = default;
  // What to reserve from the key before relaying (the model has `price`;
  // `group` is the first candidate's).
  virtual Micros reservation(const Price& price, const Group& group) = 0;
  virtual awaitable<RelayOutcome> relay(const Candidate& candidate) = 0;
  // A request the client abandoned, of which the provider reported no
  // usage: estimate what it cost.
  virtual void estimate_cancelled(RelayOutcome&) {}
  // The bill of the last attempt (null `served`: none reached a channel).
  virtual Bill bill(const RelayOutcome& outcome, const Candidate* served) = 0;
};

// What every request's serving shares: the usage log, admission and
// channel health, the retry rules, and metrics.
class Pipeline {
 public:
  Pipeline(UsageWriter& usage, SharedState& shared, RoutingConfig routing,
           const Clock& clock = system_clock())
      : usage_(usage), shared_(shared), routing_(routing), clock_(clock) {}

  // Every recorded request is also counted there (for /metrics).
  void attach_metrics(Metrics& metrics) { metrics_ = &metrics; }

  awaitable<void> serve_with_failover(RelayContext& ctx, const Snapshot& snap, const Key& key,
                                      std::mt19937_64& rng, const ServeRequest& request,
                                      ServeCalls& calls);

  // A request that costs nothing (a token count) is still held to the key's
  // rate and concurrency limits and gets a usage row. Refused: the answer is
  // sent and nothing is returned.
  awaitable<std::optional<AdmissionTicket>> admit_uncharged(ClientTransport& client,
                                                            ErrorShape shape, const Key& key,
                                                            const Group& group);
  void record_uncharged(RelayContext& ctx, const Key& key, const ServeRequest& request,
                        AdmissionTicket ticket, RelayOutcome outcome, const Candidate* served);

  // Notes what an attempt said about its channel (cool-down, back in rotation).
  void note_health(const Channel& channel, const RelayOutcome& outcome);

  SharedState& shared() { return shared_; }
  const Clock& clock() const { return clock_; }
  const RoutingConfig& routing() const { return routing_; }

 private:
  struct Attempt;
  void record(RelayContext& ctx, const Key& key, const ServeRequest& request, Attempt& attempt,
              ServeCalls& calls);

  UsageWriter& usage_;
  SharedState& shared_;
  RoutingConfig routing_;
  const Clock& clock_;
  Metrics* metrics_ = nullptr;
};

// Answers `error` in the caller's protocol.
awaitable<void> reply_error(ClientTransport& client, ErrorShape shape, const ApiError& error,
                            std::string_view extra_headers = {});

}  // namespace aiohub
