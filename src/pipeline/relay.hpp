#pragma once
// What one attempt at serving a request produced, for billing, logging and
// the decision to try another channel.
#include <string>

#include "domain/money.hpp"
#include "domain/snapshot.hpp"
#include "protocols/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"
#include "router/health.hpp"
#include "server/client_watch.hpp"
#include "server/http_server.hpp"

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
};

struct RelaySettings {
  UpstreamTimeouts timeouts;  // defaults; a channel's settings override them
  std::size_t max_response_bytes = 64u << 20;
};

UpstreamTimeouts channel_timeouts(const Channel& channel, const RelaySettings& settings);

// What an upstream's HTTP error says about the channel (`body` is read for
// the provider's out-of-credit errors).
Failure failure_of_status(int status, std::string_view body);
// What a failed send/read says: a timeout or a connection problem.
Failure failure_of_call(const UpstreamCall& call);

// While it lives, a client hanging up cancels `call` (closing the upstream
// connection), so that a provider stops generating for nobody.
class CancelOnClientGone {
 public:
  CancelOnClientGone(HttpExchange& ex, UpstreamCall& call);
  ~CancelOnClientGone();
  CancelOnClientGone(const CancelOnClientGone&) = delete;
  CancelOnClientGone& operator=(const CancelOnClientGone&) = delete;

 private:
  ClientWatch* watch_;
};

// Holds back an error answer that another channel may still make unneeded.
// Client errors (the request's own fault) are final.
void hold_reply(RelayOutcome& out, Failure failure, int status, std::string body,
                std::string error);

// A Chat Completions request relayed to a Chat Completions upstream.
awaitable<RelayOutcome> relay_chat_passthrough(HttpExchange& ex, const Channel& channel,
                                               const openai_chat::RequestPeek& peek,
                                               const RelaySettings& settings);

// A client of one protocol served by a channel of another, through the IR.
awaitable<RelayOutcome> relay_translated(HttpExchange& ex, const Channel& channel, Protocol client,
                                         const ir::Request& request,
                                         const std::string& client_model, const ClientHints& hints,
                                         const RelaySettings& settings);

// Same protocol on both sides, for protocols other than Chat Completions.
awaitable<RelayOutcome> relay_same_protocol(HttpExchange& ex, const Channel& channel,
                                            Protocol protocol, const json_peek::Object& peeked,
                                            const std::string& client_model, bool stream,
                                            const RelaySettings& settings);

// The demo channel for any client protocol: the same echo, through the
// client's codec.
awaitable<RelayOutcome> serve_demo(HttpExchange& ex, Protocol client, const ir::Request& request,
                                   const ClientHints& hints);

// The built-in demo channel: echoes the last user message, word by word when
// streaming.
awaitable<RelayOutcome> serve_demo_chat(HttpExchange& ex, const openai_chat::RequestPeek& peek);

}  // namespace aiohub
