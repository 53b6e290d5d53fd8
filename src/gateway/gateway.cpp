#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <charconv>

#include "admin/metrics.hpp"
#include "gateway/auth.hpp"
#include "gateway/protocol.hpp"
#include "gateway/route_errors.hpp"
#include "gateway/token_estimate.hpp"
#include "images/service.hpp"
#include "ir/sse.hpp"
#include "providers/upstream_request.hpp"
#include "router/router.hpp"
#include "server/cors.hpp"
#include "store/store.hpp"
#include "tokenizer/o200k.hpp"
#include "util/bounded.hpp"
#include "util/json_peek.hpp"
#include "util/time.hpp"
#include "web/serve.hpp"

namespace aiohub {

Gateway::Gateway(ConfigWatcher& config, UsageWriter& usage, RelaySettings settings,
                 RoutingConfig routing, SharedState* shared)
    : config_(config),
      usage_(usage),
      settings_(settings),
      routing_(routing),
      started_at_(unix_now_s()),
      shared_(shared ? *shared : local_shared_) {}

std::string Gateway::early_error_body(std::string_view path, int status, std::string_view message) {
  return error_body(error_shape_for_path(path), {status, std::string(message), "", ""});
}

awaitable<void> Gateway::reply_error(HttpExchange& ex, ErrorShape shape, const ApiError& error,
                                     std::string extra) {
  if (error.status == 405) extra += "Allow: POST\r\n";
  const std::string body = error_body(shape, error);
  co_await ex.response.send(error.status, "application/json", body, extra);
}

awaitable<void> Gateway::handle(HttpExchange& ex) {
  const auto route = classify_request(std::string_view(ex.request.method_string()), ex.path);
  switch (route.kind) {
    case RouteKind::healthz:
      co_await ex.response.send(200, "application/json", R"({"status":"ok"})");
      co_return;
    case RouteKind::web:
      co_await web::serve(ex);
      co_return;
    // Keyless routes: CORS preflight and stored images.
    case RouteKind::preflight: {
      const std::string headers = preflight_headers(ex.request);
      co_await ex.response.send(204, "", "", headers);
      co_return;
    }
    case RouteKind::image_file:
      if (!images_) break;
      co_await images_->serve_file(ex, route.image_file);
      co_return;
    case RouteKind::mistake:
    case RouteKind::not_found: {
      ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
      co_return;
    }
    case RouteKind::method_not_allowed: {
      ApiError e{405,
                 "Method " + bounded_for_log(ex.request.method_string(), kMaxLoggedName) +
                     " is not allowed on " + bounded_for_log(ex.path, kMaxLoggedPath) + ".",
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
    case RouteKind::generate: {
      const RequestTarget target{route.gemini_model, route.gemini_stream};
      co_await generate(ex, *snap, key, route.endpoint, target);
      break;
    }
    case RouteKind::count_tokens: {
      const RequestTarget target{route.gemini_model, false};
      co_await count_tokens(ex, *snap, key, route.endpoint, target);
      break;
    }
    case RouteKind::list_models:
      co_await list_models(ex, *snap, key, route.endpoint);
      break;
    case RouteKind::images:  // issue 6 hook: src/images/service.cpp
      if (images_) {
        co_await images_->serve(ex, *snap, key, route.image_edit);
        break;
      }
      [[fallthrough]];
    default: {
      ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
    }
  }
}

namespace {

// Built outside the coroutine: GCC 12 cannot keep initializer lists in a
// coroutine frame.
std::string model_list_body(const std::vector<std::string>& models, std::int64_t created,
                            Endpoint endpoint) {
  namespace json = boost::json;
  if (endpoint == Endpoint::gemini) {
    json::array list;
    for (auto& m : models)
      list.push_back(json::object{
          {"name", "models/" + m},
          {"displayName", m},
          {"supportedGenerationMethods", json::array{"generateContent", "streamGenerateContent"}}});
    return json::serialize(json::object{{"models", std::move(list)}});
  }
  json::array data;
  for (auto& m : models)
    data.push_back(
        json::object{{"id", m}, {"object", "model"}, {"created", created}, {"owned_by", "aiohub"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace

awaitable<void> Gateway::list_models(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                     Endpoint endpoint) {
  std::string body = model_list_body(models_for_key(snap, key, endpoint), started_at_, endpoint);
  co_await ex.response.send(200, "application/json", body);
}

namespace {

// What the gateway reads from a request body before routing it: enough to
// choose a channel, without decoding the conversation.
struct RequestHead {
  json_peek::Object object;
  std::string model;
  bool stream = false;
  bool client_wants_usage = false;  // Chat: stream_options.include_usage
};

std::optional<std::string> peek_head(Protocol client, std::string_view body,
                                     const RequestTarget& target, RequestHead& out) {
  if (auto err = json_peek::scan_object(body, out.object))
    return "We could not parse the JSON body of your request (" + *err + ").";
  if (client == Protocol::gemini) {
    out.model = target.model;
    out.stream = target.stream;
  } else {
    const auto* model = out.object.find("model");
    if (!model) return std::string("You must provide a model parameter.");
    auto name = json_peek::string_value(model->value);
    if (!name || name->empty()) return std::string("'model' must be a non-empty string.");
    out.model = std::move(*name);
    if (const auto* s = out.object.find("stream")) out.stream = s->value == "true";
  }
  if (out.model.empty()) return std::string("The request names no model.");
  return std::nullopt;
}

}  // namespace

namespace {

std::optional<std::int64_t> peek_max_output_tokens(Protocol client,
                                                   const json_peek::Object& object) {
  auto integer = [](std::string_view raw) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
    if (ec != std::errc() || end != raw.data() + raw.size() || v < 0) return std::nullopt;
    return v;
  };
  if (client == Protocol::gemini) {
    const auto* config = object.find("generationConfig");
    json_peek::Object inner;
    if (!config || json_peek::scan_object(config->value, inner)) return std::nullopt;
    const auto* m = inner.find("maxOutputTokens");
    return m ? integer(m->value) : std::nullopt;
  }
  for (const char* name : {"max_completion_tokens", "max_tokens", "max_output_tokens"})
    if (const auto* m = object.find(name)) return integer(m->value);
  return std::nullopt;
}

// One failed try, for the log: {"channel","group","status","error","ms"}.
void append_attempt(std::string& attempts, const Candidate& c, const RelayOutcome& outcome,
                    std::int64_t ms) {
  attempts.append(attempts.empty() ? "[" : ",");
  attempts.append("{\"channel\":");
  append_json_string(attempts, c.channel->record.name);
  attempts.append(",\"group\":");
  append_json_string(attempts, c.group->name);
  attempts.append(",\"status\":");
  attempts.append(std::to_string(outcome.status));
  attempts.append(",\"failure\":");
  append_json_string(attempts, failure_name(outcome.failure));
  attempts.append(",\"error\":");
  append_json_string(attempts, outcome.error);
  attempts.append(",\"ms\":");
  attempts.append(std::to_string(ms));
  attempts.append("}");
}

}  // namespace

awaitable<void> Gateway::generate(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                  Endpoint endpoint, const RequestTarget& target) {
  const Protocol client = client_protocol(endpoint);
  const ErrorShape shape = error_shape(client);
  if (auto err = check_group(snap, key, endpoint)) {
    co_await reply_error(ex, shape, *err);
    co_return;
  }

  // Chat keeps its stricter peek (it also validates messages and stream).
  RequestHead head;
  openai_chat::RequestPeek chat_peek;
  if (client == Protocol::openai_chat) {
    if (auto err = openai_chat::peek_request(ex.request.body(), chat_peek)) {
      const ApiError e{400, *err, "", ""};
      co_await reply_error(ex, shape, e);
      co_return;
    }
    head.model = chat_peek.model;
    head.stream = chat_peek.stream;
    head.client_wants_usage = chat_peek.client_wants_usage;
  } else if (auto err = peek_head(client, ex.request.body(), target, head)) {
    const ApiError e{400, *err, "", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }

  Attempt attempt;
  attempt.model = head.model;
  attempt.stream = head.stream;
  auto decision = route_request(snap, key, endpoint, head.model, ex.worker.rng, unix_now_ms());
  if (auto err = route_error(decision, head.model, key, endpoint)) {
    attempt.outcome.status = err->status;
    attempt.outcome.error = err->message;
    record(ex, snap, key, endpoint, attempt);
    co_await reply_error(ex, shape, *err);
    co_return;
  }

  const Price* price = snap.price(head.model);
  if (!price && !snap.allow_free_models) {
    const ApiError e{403,
                     "The model '" + head.model +
                         "' has no price on this gateway, so it cannot be billed. The operator "
                         "must add a [[prices]] entry for it (or allow free models).",
                     "model_not_priced", ""};
    attempt.outcome.status = e.status;
    attempt.outcome.error = e.message;
    record(ex, snap, key, endpoint, attempt);
    co_await reply_error(ex, shape, e);
    co_return;
  }

  // Limits before the reservation: a refused request holds no credit.
  const Group* own_group = decision.candidates.front().group;
  const RateLimits limits = effective_limits(key.record.limits, own_group->limits);
  AdmitInput admit_input;
  admit_input.key = &key;
  admit_input.limits = limits;
  if (price) {
    const auto max_output = peek_max_output_tokens(
        client, client == Protocol::openai_chat ? chat_peek.object : head.object);
    admit_input.estimate =
        reservation_estimate(ex.request.body().size(), max_output, *price, own_group->ratio_ppm);
  }
  Admission admission = co_await shared_.admit(admit_input);
  if (admission.refusal == Admission::Refusal::limit) {
    const ApiError e{429, admission.verdict.message, "rate_limit_exceeded", ""};
    co_await reply_error(ex, shape, e, retry_after_header(admission.verdict.retry_after_s));
    co_return;
  }
  if (admission.refusal == Admission::Refusal::quota) {
    const ApiError e{429, "This API key has used all of its quota.", "insufficient_quota",
                     "insufficient_quota"};
    co_await reply_error(ex, shape, e);
    co_return;
  }
  attempt.ticket = std::move(admission.ticket);

  // The conversation is decoded at most once, and only when a channel needs
  // a translation.
  std::optional<ir::Request> decoded;
  ClientHints hints;
  hints.include_usage = head.client_wants_usage;
  ClientWatch watch(ex.response.stream());
  ex.watch = &watch;
  const std::int64_t give_up_us =
      ex.started_us + std::int64_t(routing_.max_retry_seconds) * 1'000'000;
  int tries = 0;
  for (const Candidate& candidate : decision.candidates) {
    const Channel* channel = candidate.channel;
    const auto admitted = channel->health->admit(unix_now_ms());
    // Out of rotation (since routing, or a last resort that another request
    // is probing): skip it while another candidate remains.
    if (admitted == ChannelHealth::Admit::no && &candidate != &decision.candidates.back()) continue;
    ++tries;
    attempt.served = candidate;
    const std::int64_t try_started_us = mono_now_us();
    RelayOutcome& outcome = attempt.outcome;
    outcome = RelayOutcome{};
    const Protocol upstream = upstream_protocol(channel->kind);
    if (channel->kind == ChannelKind::demo && client == Protocol::openai_chat) {
      outcome = co_await serve_demo_chat(ex, chat_peek);
    } else if (channel->kind != ChannelKind::demo && upstream == client) {
      if (client == Protocol::openai_chat)
        outcome = co_await relay_chat_passthrough(ex, *channel, chat_peek, settings_);
      else
        outcome = co_await relay_same_protocol(ex, *channel, client, head.object, head.model,
                                               head.stream, settings_);
    } else {
      if (!decoded) {
        decoded.emplace();
        if (auto err = codec(client).decode_request(ex.request.body(), target, *decoded, hints)) {
          outcome = RelayOutcome{};
          outcome.status = err->status ? err->status : 400;
          outcome.error = err->message;
          attempt.served.reset();
          ex.watch = nullptr;
          record(ex, snap, key, endpoint, attempt);
          co_await reply_error(ex, shape, *err);
          co_return;
        }
        decoded->model = head.model;
        decoded->stream = head.stream;
      }
      if (channel->kind == ChannelKind::demo)
        outcome = co_await serve_demo(ex, client, *decoded, hints);
      else
        outcome =
            co_await relay_translated(ex, *channel, client, *decoded, head.model, hints, settings_);
    }
    // A client that hangs up after the terminal event got its whole answer.
    if (watch.gone() && !outcome.delivered) {
      outcome.status = 499;
      outcome.retryable = false;
      outcome.reply.reset();
      if (outcome.error.empty() || outcome.failure != Failure::none)
        outcome.error = "client went away; upstream request cancelled";
      outcome.failure = Failure::none;
      if (admitted == ChannelHealth::Admit::probe) channel->health->probe_abandoned();
      break;
    }
    note_health(*channel, outcome);
    if (!outcome.retryable || ex.response.committed()) break;
    if (tries >= routing_.max_attempts || mono_now_us() >= give_up_us) break;
    if (&candidate == &decision.candidates.back()) break;
    append_attempt(attempt.attempts, candidate, outcome, (mono_now_us() - try_started_us) / 1000);
    spdlog::warn("request {}: {}; trying the next channel", ex.response.request_id(),
                 outcome.error);
  }
  ex.watch = nullptr;
  RelayOutcome& outcome = attempt.outcome;
  if (outcome.reply && !ex.response.started() && outcome.status != 499) {
    // Every try failed before answering: the last failure's own answer.
    co_await ex.response.send(outcome.reply->status, outcome.reply->content_type,
                              outcome.reply->body);
  }
  if (outcome.status == 499 && !outcome.usage.reported) estimate_cancelled_usage(ex, attempt);
  if (!attempt.attempts.empty()) attempt.attempts.push_back(']');
  record(ex, snap, key, endpoint, attempt);
}

void Gateway::note_health(const Channel& channel, const RelayOutcome& outcome) {
  const std::int64_t now = unix_now_ms();
  const bool changed = outcome.failure == Failure::none
                           ? channel.health->succeeded(now)
                           : channel.health->failed(outcome.failure, outcome.error, routing_, now);
  if (!changed) return;
  auto rec = channel.health->record();
  if (rec.state == "healthy")
    spdlog::info("channel '{}' is back in rotation", channel.record.name);
  else
    spdlog::warn("channel '{}' is out of rotation until {}: {}", channel.record.name,
                 format_rfc3339(rec.until_ms / 1000), rec.reason);
  shared_.channel_health_changed(rec);
  usage_.push_health(std::move(rec));
}

void Gateway::estimate_cancelled_usage(HttpExchange& ex, Attempt& attempt) {
  // The provider was stopped mid-answer and reported nothing: bill the
  // prompt as the tokenizer counts the body, and what was relayed.
  auto& usage = attempt.outcome.usage;
  const std::string_view body = ex.request.body();
  if (!usage.input)
    usage.input = body.size() > (1u << 20)
                      ? static_cast<std::int64_t>(body.size() / 4)
                      : static_cast<std::int64_t>(tokenizer::count_tokens_o200k(body));
  usage.output = std::max(usage.output, attempt.outcome.relayed_deltas);
  attempt.outcome.usage_estimated = true;
}

namespace {

std::string count_body(Protocol client, std::int64_t tokens) {
  namespace json = boost::json;
  if (client == Protocol::gemini) return json::serialize(json::object{{"totalTokens", tokens}});
  return json::serialize(json::object{{"input_tokens", tokens}});
}

}  // namespace

awaitable<void> Gateway::count_tokens(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                      Endpoint endpoint, const RequestTarget& target) {
  const Protocol client = client_protocol(endpoint);
  const ErrorShape shape = error_shape(client);
  if (auto err = check_group(snap, key, endpoint)) {
    co_await reply_error(ex, shape, *err);
    co_return;
  }
  RequestHead head;
  if (auto err = peek_head(client, ex.request.body(), target, head)) {
    const ApiError e{400, *err, "", ""};
    co_await reply_error(ex, shape, e);
    co_return;
  }
  auto decision = route_request(snap, key, endpoint, head.model, ex.worker.rng, unix_now_ms());
  if (auto err = route_error(decision, head.model, key, endpoint)) {
    co_await reply_error(ex, shape, *err);
    co_return;
  }

  // A channel that speaks the client's protocol counts with the model's own
  // tokenizer; ask it first.
  for (const Candidate& candidate : decision.candidates) {
    const Channel* channel = candidate.channel;
    if (channel->kind == ChannelKind::demo || channel->kind == ChannelKind::bedrock ||
        upstream_protocol(channel->kind) != client)
      continue;
    const std::string& upstream_model = channel->upstream_model(head.model);
    const std::string body = client == Protocol::gemini
                                 ? ex.request.body()
                                 : body_with_model(ex.request.body(), head.object, upstream_model);
    const std::string request_head = upstream_request_head(*channel, client, upstream_model, false,
                                                           body.size(), ex.request, true);
    UpstreamCall call(ex.worker.pool, channel->upstream, channel_timeouts(*channel, settings_));
    std::string answer;
    bool ok = co_await call.send(request_head, body);
    if (ok) ok = co_await call.read_all(answer, 1 << 20);
    if (!ok) {
      spdlog::warn("request {}: counting on channel '{}' failed ({}); counting locally",
                   ex.response.request_id(), channel->record.name, call.error());
      break;
    }
    // Bridges that implement generation but not counting answer 404 and the
    // like: only a success or the client's own mistake (400) goes back as is.
    const unsigned status = call.status();
    if (!(status >= 200 && status < 300) && status != 400) {
      spdlog::warn("request {}: channel '{}' answered HTTP {} to a token count; counting locally",
                   ex.response.request_id(), channel->record.name, status);
      break;
    }
    answer = scrub_secret(std::move(answer), channel->record.api_key);
    co_await ex.response.send(static_cast<int>(status), "application/json", answer);
    co_return;
  }

  ir::Request decoded;
  ClientHints hints;
  if (auto err = codec(client).decode_request(ex.request.body(), target, decoded, hints)) {
    co_await reply_error(ex, shape, *err);
    co_return;
  }
  const std::string body = count_body(client, estimate_prompt_tokens(decoded));
  co_await ex.response.send(200, "application/json", body);
}

void Gateway::record(HttpExchange& ex, const Snapshot& snap, const Key& key, Endpoint endpoint,
                     Attempt& attempt) {
  const RelayOutcome& outcome = attempt.outcome;
  UsageRecord row;
  row.ts_ms = unix_now_ms();
  row.request_id = ex.response.request_id();
  row.key_id = key.record.id;
  row.key_name = key.record.name;
  row.group = key.record.group;
  row.model = attempt.model;
  if (attempt.served) {
    const Channel& channel = *attempt.served->channel;
    row.group = attempt.served->group->name;
    row.channel = channel.record.name;
    row.upstream_model = channel.upstream_model(attempt.model);
    if (const Price* price = snap.price(attempt.model))
      row.cost = cost_of(outcome.usage, *price, attempt.served->group->ratio_ppm);
  }
  // A request that never reached a provider costs nothing, not even its
  // per-call price.
  if (!outcome.usage.reported && !outcome.usage_estimated && outcome.status >= 400) row.cost = 0;
  attempt.ticket.settle(row.cost, outcome.usage.input + outcome.usage.output, row.ts_ms);
  row.endpoint = std::string(endpoint_name(endpoint));
  row.stream = attempt.stream;
  row.usage = outcome.usage;
  row.usage_estimated = outcome.usage_estimated;
  row.latency_ms = (mono_now_us() - ex.started_us) / 1000;
  row.ttfb_ms = outcome.ttfb_us / 1000;
  row.status = outcome.status;
  row.error = outcome.error;
  row.attempts = std::move(attempt.attempts);
  bound_client_text(row);
  spdlog::debug("{} {} key={} model={} channel={} status={} in={} out={} cost_micros={} {}ms",
                row.request_id, row.endpoint, row.key_name, row.model, row.channel, row.status,
                row.usage.input, row.usage.output, row.cost, row.latency_ms);
  if (metrics_) metrics_->observe(row);
  usage_.push(std::move(row));
}

}  // namespace aiohub
