#pragma once
// What one attempt at serving a request produced, for billing, logging and
// the decision to try another channel; and the rules that read an upstream's
// failure.
#include <optional>
#include <string>

#include "domain/money.hpp"
#include "domain/snapshot.hpp"
#include "router/health.hpp"
#include "server/upstream.hpp"

namespace aiohub {

// An answer held back: sent to the client only if no other channel takes
// the request.
struct PendingReply {
  int status = 502;
  std::string content_type = "application/json";
  std::string body;
};

struct RelayOutcome {
  int status = 0;  // what the client was (or would be) sent; 499: the client went away
  Usage usage;
  bool usage_estimated = false;
  std::int64_t ttfb_us = 0;         // from the start of the request to its first byte
  std::string error;                // for the log; never holds credentials
  Failure failure = Failure::none;  // what this attempt says about the channel
  // Nothing reached the client and the failure is the channel's: the next
  // candidate may take the request. `reply` then holds the answer to send
  // if none does.
  bool retryable = false;
  std::optional<PendingReply> reply;
  // Streamed pieces relayed (about a token each): what a stream cut short
  // produced, when the provider never reported usage.
  std::int64_t relayed_deltas = 0;
  // The stream's terminal event (message_stop, response.completed …) reached
  // the client: a hang-up after it is not a cancellation (Codex CLI closes
  // the connection on response.completed, before the chunked body ends).
  bool delivered = false;
  // The request never left the gateway (it was refused as the client's own
  // mistake before it could be sent): says nothing about the channel.
  bool never_sent = false;
};

struct RelaySettings {
  UpstreamTimeouts timeouts;  // defaults; a channel's settings override them
  std::size_t max_response_bytes = 64u << 20;
  // After the client went away, the upstream is read this much longer for
  // the usage it reports at the end (then cancelled): a client that hangs up
  // just before the usage must not make it disappear.
  std::chrono::milliseconds drain_after_client_gone{5000};
};

UpstreamTimeouts channel_timeouts(const Channel& channel, const RelaySettings& settings);

// What an upstream's HTTP error says about the channel (`body` is read for
// the provider's out-of-credit errors).
Failure failure_of_status(int status, std::string_view body);
// What a failed send/read says: a timeout or a connection problem.
Failure failure_of_call(const UpstreamExchange& call);

// Holds back an error answer that another channel may still make unneeded.
// Client errors (the request's own fault) are final.
void hold_reply(RelayOutcome& out, Failure failure, int status, std::string body,
                std::string error);

}  // namespace aiohub
