#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "gateway/auth.hpp"
#include "router/router.hpp"
#include "util/time.hpp"

namespace aiohub {

Gateway::Gateway(ConfigWatcher& config, UsageWriter& usage, RelaySettings settings)
    : config_(config), usage_(usage), settings_(settings), started_at_(unix_now_s()) {}

std::string Gateway::early_error_body(std::string_view path, int status, std::string_view message) {
  return error_body(error_shape_for_path(path), {status, std::string(message), "", ""});
}

awaitable<void> Gateway::reply_error(HttpExchange& ex, ErrorShape shape, const ApiError& error) {
  std::string extra;
  if (error.status == 405) extra = "Allow: POST\r\n";
  const std::string body = error_body(shape, error);
  co_await ex.response.send(error.status, "application/json", body, extra);
}

awaitable<void> Gateway::handle(HttpExchange& ex) {
  const auto route = classify_request(std::string_view(ex.request.method_string()), ex.path);
  switch (route.kind) {
    case RouteKind::healthz:
      co_await ex.response.send(200, "application/json", R"({"status":"ok"})");
      co_return;
    case RouteKind::mistake:
    case RouteKind::not_found: {
      ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
      co_return;
    }
    case RouteKind::method_not_allowed: {
      ApiError e{405,
                 "Method " + std::string(ex.request.method_string()) + " is not allowed on " +
                     std::string(ex.path) + ".",
                 "method_not_allowed", ""};
      co_await reply_error(ex, route.shape, e);
      co_return;
    }
    default:
      break;
  }

  auto snap = config_.current();
  auto auth = authenticate(*snap, presented_key(ex.request, ex.query), unix_now_s());
  if (!auth.key) {
    co_await reply_error(ex, route.shape, auth.error);
    co_return;
  }
  const Key& key = *auth.key;

  switch (route.kind) {
    case RouteKind::chat_completions:
      co_await chat_completions(ex, *snap, key);
      break;
    case RouteKind::list_models:
      co_await list_models(ex, *snap, key);
      break;
    default: {
      ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
    }
  }
}

namespace {

// Built outside the coroutine: GCC 12 cannot keep initializer lists in a
// coroutine frame.
std::string model_list_body(const std::vector<std::string>& models, std::int64_t created) {
  namespace json = boost::json;
  json::array data;
  for (auto& m : models)
    data.push_back(
        json::object{{"id", m}, {"object", "model"}, {"created", created}, {"owned_by", "aiohub"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace

awaitable<void> Gateway::list_models(HttpExchange& ex, const Snapshot& snap, const Key& key) {
  std::string body = model_list_body(models_for_key(snap, key, Endpoint::chat), started_at_);
  co_await ex.response.send(200, "application/json", body);
}

awaitable<void> Gateway::chat_completions(HttpExchange& ex, const Snapshot& snap, const Key& key) {
  constexpr auto shape = ErrorShape::openai;
  const Group* group = snap.group(key.record.group);
  if (!group) {
    const ApiError e{403, "This key's group '" + key.record.group + "' no longer exists.",
                     "group_not_found", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }
  if (!group->allows(Endpoint::chat)) {
    const ApiError e{403,
                     "Group '" + group->name +
                         "' does not allow the chat endpoint (/v1/chat/completions). "
                         "Use the endpoint your group is for, or a key of another group.",
                     "endpoint_not_allowed", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }

  openai_chat::RequestPeek peek;
  if (auto err = openai_chat::peek_request(ex.request.body(), peek)) {
    const ApiError e{400, *err, "", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }

  auto decision = route_request(snap, key, Endpoint::chat, peek.model, ex.worker.rng);
  using S = RouteDecision::Status;
  if (decision.status == S::model_not_allowed_for_key || decision.status == S::model_not_in_group) {
    std::string why = decision.status == S::model_not_allowed_for_key
                          ? "The model '" + peek.model + "' is not in this key's allowed models (group '" +
                                group->name + "')."
                          : "The model '" + peek.model + "' is not in group '" + group->name +
                                "'. GET /v1/models lists the models this key can use.";
    RelayOutcome outcome;
    outcome.status = 404;
    outcome.error = why;
    record(ex, snap, key, peek.model, nullptr, peek.stream, outcome);
    const ApiError e{404, why, "model_not_found", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }
  if (decision.status == S::no_channel_for_endpoint) {
    std::string why = "The model '" + peek.model + "' is served by channel '" +
                      decision.unusable->record.name + "' of type '" +
                      decision.unusable->record.type +
                      "', which cannot serve the chat endpoint (/v1/chat/completions).";
    RelayOutcome outcome;
    outcome.status = 400;
    outcome.error = why;
    record(ex, snap, key, peek.model, decision.unusable, peek.stream, outcome);
    const ApiError e{400, why, "channel_type_mismatch", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }

  RelayOutcome outcome;
  const Channel* served_by = nullptr;
  std::string last_error;
  for (const Channel* channel : decision.candidates) {
    served_by = channel;
    if (channel->kind == ChannelKind::demo)
      outcome = co_await serve_demo_chat(ex, peek);
    else
      outcome = co_await relay_chat_passthrough(ex, *channel, peek, settings_);
    if (!outcome.retryable || ex.response.started()) break;
    spdlog::warn("request {}: {}; trying the next channel", ex.response.request_id(), outcome.error);
    last_error = outcome.error;
  }
  if (!ex.response.started()) {
    // Every candidate failed before answering.
    outcome.status = outcome.status ? outcome.status : 502;
    const ApiError e{outcome.status, outcome.error, "upstream_error", ""};
    co_await reply_error(ex, shape, e);
  }
  record(ex, snap, key, peek.model, served_by, peek.stream, outcome);
}

void Gateway::record(HttpExchange& ex, const Snapshot& snap, const Key& key,
                     const std::string& model, const Channel* channel, bool stream,
                     const RelayOutcome& outcome) {
  UsageRecord row;
  row.ts_ms = unix_now_ms();
  row.request_id = ex.response.request_id();
  row.key_id = key.record.id;
  row.key_name = key.record.name;
  row.group = key.record.group;
  row.model = model;
  if (channel) {
    row.channel = channel->record.name;
    row.upstream_model = channel->upstream_model(model);
  }
  row.endpoint = "chat";
  row.stream = stream;
  row.usage = outcome.usage;
  row.usage_estimated = outcome.usage_estimated;
  const Group* group = snap.group(key.record.group);
  if (const Price* price = snap.price(model); price && group)
    row.cost = cost_of(outcome.usage, *price, group->ratio_ppm);
  if (row.cost) key.state->used.fetch_add(row.cost, std::memory_order_relaxed);
  row.latency_ms = (mono_now_us() - ex.started_us) / 1000;
  row.ttfb_ms = outcome.ttfb_us / 1000;
  row.status = outcome.status;
  row.error = outcome.error;
  spdlog::debug("{} {} key={} model={} channel={} status={} in={} out={} cost_micros={} {}ms",
                row.request_id, row.endpoint, row.key_name, row.model, row.channel, row.status,
                row.usage.input, row.usage.output, row.cost, row.latency_ms);
  usage_.push(std::move(row));
}

}  // namespace aiohub
