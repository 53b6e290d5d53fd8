#pragma once
// The request pipeline: endpoint -> authenticate -> decode -> route -> relay
// -> settle. One readable place for the order of things; each step lives in
// its own file.
#include "billing/usage_writer.hpp"
#include "cluster/shared_state.hpp"
#include "gateway/config_watcher.hpp"
#include "gateway/endpoints.hpp"
#include "gateway/protocol.hpp"
#include "gateway/relay.hpp"
#include "router/router.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class Metrics;
class ImageService;

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

class Gateway final : public RequestHandler {
 public:
  Gateway(ConfigWatcher& config, UsageWriter& usage, RelaySettings settings,
          RoutingConfig routing = {}, SharedState* shared = nullptr);

  awaitable<void> handle(HttpExchange& ex) override;
  std::string early_error_body(std::string_view path, int status,
                               std::string_view message) override;
  // Every recorded request is also counted there (for /metrics).
  void attach_metrics(Metrics& metrics) { metrics_ = &metrics; }
  // The Images API (src/images/); without it /v1/images/* answers 404.
  void attach_images(ImageService& images) { images_ = &images; }

 private:
  awaitable<void> generate(HttpExchange& ex, const Snapshot& snap, const Key& key,
                           Endpoint endpoint, const RequestTarget& target);
  awaitable<void> count_tokens(HttpExchange& ex, const Snapshot& snap, const Key& key,
                               Endpoint endpoint, const RequestTarget& target);
  awaitable<void> list_models(HttpExchange& ex, const Snapshot& snap, const Key& key,
                              Endpoint endpoint);
  awaitable<void> reply_error(HttpExchange& ex, ErrorShape shape, const ApiError& error,
                              std::string extra_headers = {});
  void note_health(const Channel& channel, const RelayOutcome& outcome);
  void estimate_cancelled_usage(HttpExchange& ex, Attempt& attempt);
  // Settles the reservation and the limits, and queues the usage row.
  void record(HttpExchange& ex, const Snapshot& snap, const Key& key, Endpoint endpoint,
              Attempt& attempt);

  ConfigWatcher& config_;
  UsageWriter& usage_;
  RelaySettings settings_;
  RoutingConfig routing_;
  std::int64_t started_at_;
  Metrics* metrics_ = nullptr;
  ImageService* images_ = nullptr;
  SharedState local_shared_;
  SharedState& shared_;  // admission and channel health: local, or Redis
};

}  // namespace aiohub
