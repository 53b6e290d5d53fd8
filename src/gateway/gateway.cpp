#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "billing/quota.hpp"
#include "gateway/sinks.hpp"
#include "gateway/text_request.hpp"
#include "pipeline/http_transport.hpp"
#include "pipeline/route_errors.hpp"
#include "protocols/errors.hpp"
#include "protocols/token_estimate.hpp"
#include "server/off_thread.hpp"
#include "tokenizer/o200k.hpp"
#include "util/time.hpp"

namespace aiohub {

Gateway::Gateway(Pipeline& pipeline, RelaySettings settings)
    : pipeline_(pipeline), settings_(settings), started_at_(unix_now_s()) {}

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

std::string count_body(Protocol client, std::int64_t tokens) {
  namespace json = boost::json;
  if (client == Protocol::gemini) return json::serialize(json::object{{"totalTokens", tokens}});
  return json::serialize(json::object{{"input_tokens", tokens}});
}

// The body for a channel of the client's own protocol: the client's, with
// the model renamed where the channel names it otherwise (Gemini names it in
// the path) and, on Chat, usage asked for in streams.
std::string same_protocol_body(Protocol protocol, std::string_view body,
                               const TextRequestHead& head, const Channel& channel,
                               const std::string& upstream_model) {
  const bool passthrough = channel.record.settings.passthrough;
  // Usage is asked for in every Chat stream, on passthrough channels too:
  // without it hidden reasoning tokens could not be billed.
  if (protocol == Protocol::openai_chat)
    return openai_chat::rewrite_request(body, head.chat, passthrough ? head.model : upstream_model);
  if (passthrough) return std::string(body);
  const auto* model = head.top().find("model");
  if (protocol == Protocol::gemini || upstream_model == head.model || !model)
    return std::string(body);
  return json_peek::with_string_value(body, *model, upstream_model);
}

// Generation in a text protocol: each candidate by passthrough when it
// speaks the client's protocol, else through the IR (decoded once, at the
// first candidate that needs it).
class TextCalls final : public ServeCalls {
 public:
  TextCalls(RelayContext& ctx, Protocol client, const RequestTarget& target,
            const TextRequestHead& head)
      : ctx_(ctx),
        client_(client),
        target_(target),
        head_(head),
        prompt_(client, ctx.client_body, target) {
    hints_.include_usage = head.client_wants_usage();
  }

  // The output the upstream may produce: the client's cap, else what a
  // request without one is assumed to produce (encoders that must pick a
  // cap never pick more, see relay()).
  Micros reservation(const Price& price, const Group& group) override {
    return reservation_estimate(ctx_.client_body.size(), output_cap(), price, group.ratio_ppm);
  }

  awaitable<RelayOutcome> relay(const Candidate& candidate) override {
    const Channel& channel = *candidate.channel;
    const ProviderAdaptor& adaptor = adaptor_for(channel);
    const std::string& upstream_model = channel.upstream_model(head_.model);
    if (adaptor.protocol() == client_) {
      // Named, not braced temporaries: GCC 12 mishandles those in coroutines.
      UpstreamAsk ask{UpstreamApi::generate,
                      upstream_model,
                      head_.stream,
                      same_protocol_body(client_, ctx_.client_body, head_, channel, upstream_model),
                      "application/json",
                      ctx_.client_headers};
      UpstreamRequest request = adaptor.build_request(channel, std::move(ask));
      const UsageFallback fallback{prompt_, head_.background ? output_cap() : 0};
      if (client_ == Protocol::openai_chat) {
        ChatPassthroughSink sink(head_.client_wants_usage(), adaptor.may_omit_usage(channel),
                                 adaptor.usage_is_estimate(), fallback);
        co_return co_await relay_exchange(ctx_, channel, std::move(request), sink);
      }
      PassthroughSink sink(client_, adaptor.usage_is_estimate(), fallback);
      co_return co_await relay_exchange(ctx_, channel, std::move(request), sink);
    }
    if (!decoded_) {
      decoded_.emplace();
      if (auto err = codec(client_).decode_request(ctx_.client_body, target_, *decoded_, hints_)) {
        decode_error_ = *err;
        if (!decode_error_->status) decode_error_->status = 400;
      }
      decoded_->model = head_.model;
      decoded_->stream = head_.stream;
    }
    if (decode_error_) {
      RelayOutcome out;
      out.status = decode_error_->status;
      out.error = decode_error_->message;
      out.never_sent = true;
      out.reply = PendingReply{out.status, "application/json",
                               error_body(error_shape(client_), *decode_error_)};
      co_return out;
    }
    ir::Request translated = *decoded_;
    translated.model = upstream_model;
    translated.max_tokens_limit = output_cap();
    UpstreamAsk ask{UpstreamApi::generate, upstream_model,
                    translated.stream,     codec(adaptor.protocol()).encode_request(translated),
                    "application/json",    ctx_.client_headers};
    UpstreamRequest request = adaptor.build_request(channel, std::move(ask));
    TranslateSink sink(client_, adaptor.protocol(), *decoded_, head_.model, hints_,
                       adaptor.usage_is_estimate());
    co_return co_await relay_exchange(ctx_, channel, std::move(request), sink);
  }

  void estimate_cancelled(RelayOutcome& out) override {
    // The provider was stopped mid-answer and reported nothing: bill the
    // prompt as the tokenizer counts the body, and what was relayed.
    const std::string_view body = ctx_.client_body;
    if (!out.usage.input)
      out.usage.input = body.size() > (1u << 20)
                            ? static_cast<std::int64_t>(body.size() / 4)
                            : static_cast<std::int64_t>(tokenizer::count_tokens_o200k(body));
    out.usage.output = std::max(out.usage.output, out.relayed_deltas);
    out.usage_estimated = true;
  }

  Bill bill(const RelayOutcome& out, const Candidate* served) override {
    Bill b{0, out.usage, out.usage_estimated};
    if (served)
      if (const Price* price = snap_price_)
        b.cost = cost_of(out.usage, *price, served->group->ratio_ppm);
    // A request that never reached a provider costs nothing, not even its
    // per-call price.
    if (!out.usage.reported && !out.usage_estimated && out.status >= 400) b.cost = 0;
    return b;
  }

  std::int64_t output_cap() const { return head_.max_output_tokens.value_or(max_output_); }

  void set_snapshot(const Snapshot& snap) {
    snap_price_ = snap.price(head_.model);
    max_output_ = snap.max_output_tokens;
  }

 private:
  RelayContext& ctx_;
  Protocol client_;
  const RequestTarget& target_;
  const TextRequestHead& head_;
  PromptEstimate prompt_;
  ClientHints hints_;
  std::optional<ir::Request> decoded_;
  std::optional<ApiError> decode_error_;
  const Price* snap_price_ = nullptr;
  std::int64_t max_output_ = kDefaultMaxOutputTokens;
};

// A token count done here: the answer's body, or why the request is wrong.
struct LocalCount {
  std::optional<ApiError> error;
  std::string body;
};

}  // namespace

awaitable<void> Gateway::list_models(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                     Endpoint endpoint) {
  std::string body = model_list_body(models_for_key(snap, key, endpoint), started_at_, endpoint);
  co_await ex.response.send(200, "application/json", body);
}

awaitable<void> Gateway::generate(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                  Endpoint endpoint, const RequestTarget& target) {
  const Protocol client = client_protocol(endpoint);
  HttpTransport transport(ex.response);
  if (auto err = check_group(snap, key, endpoint)) {
    co_await reply_error(transport, error_shape(client), *err);
    co_return;
  }
  TextRequestHead head;
  if (auto err = peek_text_request(client, ex.request.body(), target, head)) {
    const ApiError e{400, *err, "", ""};
    co_await reply_error(transport, error_shape(client), e);
    co_return;
  }
  AdaptorOpener opener({ex.worker.io.get_executor(), ex.worker.pool});
  RelayContext ctx{transport, ex.request,        ex.request.body(), opener,
                   settings_, pipeline_.clock(), ex.started_us,     ex.worker.io.get_executor()};
  TextCalls calls(ctx, client, target, head);
  calls.set_snapshot(snap);
  const ServeRequest request{endpoint, head.model, head.stream, {}};
  co_await pipeline_.serve_with_failover(ctx, snap, key, ex.worker.rng, request, calls);
}

awaitable<void> Gateway::count_tokens(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                      Endpoint endpoint, const RequestTarget& target) {
  const Protocol client = client_protocol(endpoint);
  const ErrorShape shape = error_shape(client);
  HttpTransport transport(ex.response);
  if (auto err = check_group(snap, key, endpoint)) {
    co_await reply_error(transport, shape, *err);
    co_return;
  }
  TextRequestHead head;
  if (auto err = peek_text_request(client, ex.request.body(), target, head)) {
    const ApiError e{400, *err, "", ""};
    co_await reply_error(transport, shape, e);
    co_return;
  }
  auto decision = route_request(snap, key, endpoint, head.model, ex.worker.rng, unix_now_ms());
  if (auto err = route_error(decision, head.model, key, endpoint)) {
    co_await reply_error(transport, shape, *err);
    co_return;
  }
  // Counting costs nothing, but a key's rate and concurrency limits hold for
  // it as for any request, and it leaves a usage row.
  auto ticket =
      co_await pipeline_.admit_uncharged(transport, shape, key, *decision.candidates.front().group);
  if (!ticket) co_return;
  AdaptorOpener opener({ex.worker.io.get_executor(), ex.worker.pool});
  RelayContext ctx{transport, ex.request,        ex.request.body(), opener,
                   settings_, pipeline_.clock(), ex.started_us,     ex.worker.io.get_executor()};
  const ServeRequest request{endpoint, head.model, false, "count_tokens"};
  RelayOutcome outcome;

  // A channel that speaks the client's protocol counts with the model's own
  // tokenizer; ask it first.
  const UpstreamSite site{ex.worker.io.get_executor(), ex.worker.pool};
  for (const Candidate& candidate : decision.candidates) {
    const Channel& channel = *candidate.channel;
    const ProviderAdaptor& adaptor = adaptor_for(channel);
    if (!adaptor.counts_tokens() || adaptor.protocol() != client) continue;
    const std::string& upstream_model = channel.upstream_model(head.model);
    const auto* model = head.top().find("model");
    std::string body =
        client == Protocol::gemini || !model
            ? ex.request.body()
            : json_peek::with_string_value(ex.request.body(), *model, upstream_model);
    UpstreamAsk ask{UpstreamApi::count_tokens, upstream_model,     false,
                    std::move(body),           "application/json", ex.request};
    UpstreamRequest upstream_request = adaptor.build_request(channel, std::move(ask));
    auto call = adaptor.open(channel, site, channel_timeouts(channel, settings_));
    std::string answer;
    bool ok = co_await call->send(upstream_request.head, upstream_request.body);
    if (ok) ok = co_await call->read_all(answer, 1 << 20);
    if (!ok) {
      spdlog::warn("request {}: counting on channel '{}' failed ({}); counting locally",
                   ex.response.request_id(), channel.record.name, call->error());
      break;
    }
    // Bridges that implement generation but not counting answer 404 and the
    // like: only a success or the client's own mistake (400) goes back as is.
    const unsigned status = call->status();
    if (!(status >= 200 && status < 300) && status != 400) {
      spdlog::warn("request {}: channel '{}' answered HTTP {} to a token count; counting locally",
                   ex.response.request_id(), channel.record.name, status);
      break;
    }
    answer = adaptor.scrub(std::move(answer), channel);
    co_await ex.response.send(static_cast<int>(status), "application/json", answer);
    outcome.status = static_cast<int>(status);
    outcome.delivered = true;
    pipeline_.record_uncharged(ctx, key, request, std::move(*ticket), std::move(outcome),
                               &candidate);
    co_return;
  }

  // Counting a large body locally takes a while: on the counting thread, so
  // that the other connections of this worker do not wait for it.
  const std::string_view request_body = ex.request.body();
  auto count_locally = [client, request_body, &target]() noexcept {
    LocalCount result;
    try {
      ir::Request decoded;
      ClientHints hints;
      if (auto err = codec(client).decode_request(request_body, target, decoded, hints))
        result.error = *err;
      else
        result.body = count_body(client, estimate_prompt_tokens(decoded));
    } catch (const std::exception& e) {
      result.error =
          ApiError{400, std::string("The request could not be read: ") + e.what(), "", ""};
    }
    return result;
  };
  LocalCount counted = co_await off_thread<LocalCount>(counting_, std::move(count_locally));
  if (counted.error) {
    outcome.status = counted.error->status;
    outcome.error = counted.error->message;
    co_await reply_error(transport, shape, *counted.error);
  } else {
    outcome.status = 200;
    co_await ex.response.send(200, "application/json", counted.body);
  }
  outcome.delivered = true;
  pipeline_.record_uncharged(ctx, key, request, std::move(*ticket), std::move(outcome), nullptr);
}

}  // namespace aiohub
