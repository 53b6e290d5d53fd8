#pragma once
// The text endpoints: generation in the four text protocols, token counting
// and model lists, for a key the front door has checked. Generation runs
// through the shared pipeline (pipeline/failover.hpp); what is the text
// endpoints' own is how a request is read and which sink relays it.
#include "domain/endpoint.hpp"
#include "pipeline/failover.hpp"
#include "protocols/codec.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class Gateway {
 public:
  Gateway(Pipeline& pipeline, RelaySettings settings);

  awaitable<void> generate(HttpExchange& ex, const Snapshot& snap, const Key& key,
                           Endpoint endpoint, const RequestTarget& target);
  awaitable<void> count_tokens(HttpExchange& ex, const Snapshot& snap, const Key& key,
                               Endpoint endpoint, const RequestTarget& target);
  awaitable<void> list_models(HttpExchange& ex, const Snapshot& snap, const Key& key,
                              Endpoint endpoint);

 private:
  Pipeline& pipeline_;
  RelaySettings settings_;
  std::int64_t started_at_;
  // Local token counts run here, one at a time, off the I/O threads.
  asio::thread_pool counting_{1};
};

}  // namespace aiohub
