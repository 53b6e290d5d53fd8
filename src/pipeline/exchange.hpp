#pragma once
// One upstream exchange, the skeleton every relay shares: send the request,
// read the answer whole or as a stream, and decide what the attempt came to
// (held for failover, answered, broken, delivered, cancelled). What differs
// between paths — passthrough, translation, images — is the AnswerSink,
// which turns the upstream's answer into the client's.
#include <boost/beast/http/fields.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "pipeline/client_transport.hpp"
#include "pipeline/relay.hpp"
#include "providers/adaptor.hpp"
#include "util/clock.hpp"

namespace aiohub {

// Opens the exchange with a channel's upstream: the channel adaptor's own
// (a pooled connection, or in process), or a fake in the tests.
class UpstreamOpener {
 public:
  virtual ~UpstreamOpener() = default;
  virtual std::unique_ptr<UpstreamExchange> open(const Channel& channel,
                                                 UpstreamTimeouts timeouts) = 0;
};

class AdaptorOpener final : public UpstreamOpener {
 public:
  explicit AdaptorOpener(UpstreamSite site) : site_(std::move(site)) {}
  std::unique_ptr<UpstreamExchange> open(const Channel& channel,
                                         UpstreamTimeouts timeouts) override {
    return adaptor_for(channel).open(channel, site_, timeouts);
  }

 private:
  UpstreamSite site_;
};

// What every relay of one request shares.
struct RelayContext {
  ClientTransport& client;
  const boost::beast::http::fields& client_headers;
  std::string_view client_body;
  UpstreamOpener& upstream;
  const RelaySettings& settings;
  const Clock& clock;
  std::int64_t started_us;  // on `clock`'s monotonic scale
  // Where timers run (the drain after a client went away); without one the
  // upstream is cancelled as soon as the client goes.
  asio::any_io_executor executor{};
};

class AnswerSink {
 public:
  virtual ~AnswerSink() = default;

  // The protocol the client reads (its error shape; only Claude clients know 529).
  virtual Protocol client_protocol() const = 0;
  // Whether an upstream error body in the protocol's own shape may reach
  // the client as it is (same protocol on both sides).
  virtual bool relays_upstream_errors() const = 0;

  // A whole 2xx answer, repaired (out.status holds the upstream's status):
  // writes the client's reply and sets out.status (499 when the client went
  // away; 502 when unreadable) and the usage.
  virtual awaitable<void> whole(RelayContext& ctx, std::string body, std::string_view content_type,
                                RelayOutcome& out) = 0;

  // The client's stream Content-Type, given the upstream's.
  virtual std::string_view stream_type(std::string_view upstream_type) const;
  // Stream bytes in the protocol's SSE (rewritten where the provider needs
  // it); appends what the client gets. `last`: the upstream body ended.
  virtual void feed(std::string_view bytes, bool last, std::string& to_client,
                    RelayOutcome& out) = 0;
  // The upstream broke after the client got bytes: append an in-band error
  // and return true, or return false when there is no event boundary to put
  // one at (bytes relayed as they are) and the stream must be cut.
  virtual bool in_band_error(const std::string& message, std::string& to_client,
                             RelayOutcome& out) = 0;
  // The stream's terminal event has been fed.
  virtual bool saw_terminal() const = 0;
  // When the exchange is over, however it ended: settle the usage.
  virtual void finish(RelayOutcome&) {}
};

// Runs one exchange with `channel` for `request`, answering through `sink`.
awaitable<RelayOutcome> relay_exchange(RelayContext& ctx, const Channel& channel,
                                       UpstreamRequest request, AnswerSink& sink);

// The status a client should see for an upstream error `said`: the
// gateway's own credential problems are not the client's, and only
// Anthropic clients know 529.
int client_status_for(int said, Protocol client);

}  // namespace aiohub
