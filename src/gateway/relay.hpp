#pragma once
// What one attempt at serving a request produced, for billing, logging and
// the decision to try another channel.
#include <string>

#include "billing/money.hpp"
#include "gateway/protocol.hpp"
#include "gateway/snapshot.hpp"
#include "protocols/openai_chat/passthrough.hpp"
#include "server/http_server.hpp"

namespace aiohub {

struct RelayOutcome {
  int status = 0;  // what the client was sent (499: the client went away)
  Usage usage;
  bool usage_estimated = false;
  std::int64_t ttfb_us = 0;  // from the start of the request to its first byte
  std::string error;         // for the log; never holds credentials
  // Nothing reached the client and the upstream never got the request: the
  // next candidate channel may take it.
  bool retryable = false;
};

struct RelaySettings {
  UpstreamTimeouts timeouts;
  std::size_t max_response_bytes = 64u << 20;
};

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
