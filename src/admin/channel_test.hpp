#pragma once
// POST /api/channels/{name}/test: one tiny request through the channel, in
// the channel's own protocol, to tell an operator whether it answers.
#include <memory>
#include <string>
#include <string_view>

#include "domain/records.hpp"
#include "providers/adaptor.hpp"

namespace aiohub {
class Store;
}  // namespace aiohub

namespace aiohub::admin {

struct ChannelTestPlan {
  ChannelRecord channel;
  std::string model;  // as clients name it; the channel's model_map applies
};

// On a store thread: the channel and the model to try (the body's "model",
// else the channel's first). Throws ApiFailure (404 unknown channel, 400).
ChannelTestPlan plan_channel_test(Store& store, const std::string& name, std::string_view body);

// On the I/O thread: sends the request and describes the answer as
// {"ok","status","latency_ms","model","answer"|"error"}; never credentials.
awaitable<std::string> run_channel_test(const ChannelTestPlan& plan, const UpstreamSite& site);

}  // namespace aiohub::admin
