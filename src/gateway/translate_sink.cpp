// A client of one protocol served by a channel of another: nothing is
// buffered beyond the one upstream read being translated.
#include "gateway/sinks.hpp"
#include "pipeline/relay_errors.hpp"
#include "protocols/errors.hpp"
#include "protocols/response_events.hpp"
#include "protocols/token_estimate.hpp"

namespace aiohub {

TranslateSink::TranslateSink(Protocol client, Protocol upstream, const ir::Request& request,
                             const std::string& client_model, const ClientHints& hints,
                             bool usage_is_estimate)
    : client_(client),
      upstream_(upstream),
      request_(request),
      client_model_(client_model),
      hints_(hints),
      usage_is_estimate_(usage_is_estimate) {
  events_.reserve(64);  // one read's worth, kept across reads
}

awaitable<void> TranslateSink::whole(RelayContext& ctx, std::string body, std::string_view,
                                     RelayOutcome& out) {
  ir::Response decoded;
  if (auto err = codec(upstream_).decode_response(body, decoded)) {
    out.status = 502;
    out.error = "the upstream sent an answer the gateway cannot read: " + err->message;
    const std::string e = error_body(error_shape(client_), {502, out.error, "", ""});
    co_await ctx.client.send(502, "application/json", e);
    co_return;
  }
  out.usage = decoded.usage;
  out.usage.reported = true;
  if (!decoded.usage.input && !decoded.usage.output) {
    // The upstream reported no usage: bill an estimate, and say so.
    decoded.usage.input = estimate_prompt_tokens(request_);
    decoded.usage.output = estimate_output_tokens(decoded.parts);
    out.usage = decoded.usage;
    out.usage_estimated = true;
  }
  if (request_.stream) {
    // The client asked for a stream but the upstream answered whole: replay
    // the answer as events.
    auto encoder = codec(client_).stream_encoder(client_model_, hints_);
    std::string bytes;
    for (auto& e : response_as_events(decoded)) encoder->encode(e, bytes);
    ctx.client.begin_stream(200, "text/event-stream");
    out.status = co_await ctx.client.end(bytes) ? 200 : 499;
    co_return;
  }
  const std::string encoded = codec(client_).encode_response(decoded, client_model_, hints_);
  out.status = co_await ctx.client.send(200, "application/json", encoded) ? 200 : 499;
}

void TranslateSink::encode(std::vector<ir::Event>& events, std::string& to_client,
                           RelayOutcome& out) {
  if (!encoder_) {
    encoder_ = codec(client_).stream_encoder(client_model_, hints_);
  }
  for (auto& e : events) {
    if (e.kind == ir::EventKind::message_stop) saw_stop_ = true;
    if (e.kind == ir::EventKind::message_delta && !e.usage.input && !e.usage.output &&
        !meter_.reported()) {
      // No usage anywhere in the stream: estimate it, and say so.
      e.usage.input =
          meter_.usage().input ? meter_.usage().input : estimate_prompt_tokens(request_);
      e.usage.output = estimate_text_tokens(meter_.produced());
      estimated_ = true;
    }
    meter_.note(e);
    // Claude clients read the prompt size from message_start (Claude Code
    // decides when to compact by it); upstreams of other protocols report
    // it only at the end, so estimate it here
    // (docs/protocols/README.md#pitfall-3).
    if (e.kind == ir::EventKind::message_start && !e.usage.input && client_ == Protocol::anthropic)
      e.usage.input = estimate_prompt_tokens(request_);
    if (e.kind == ir::EventKind::error && out.error.empty()) {
      out.error = e.error.message;
      if (out.status == 200) out.status = 502;
    }
    encoder_->encode(e, to_client);
  }
}

void TranslateSink::feed(std::string_view bytes, bool last, std::string& to_client,
                         RelayOutcome& out) {
  if (!decoder_) decoder_ = codec(upstream_).stream_decoder();
  events_.clear();
  if (!bytes.empty()) decoder_->feed(bytes, events_);
  if (last) decoder_->finish(events_);
  encode(events_, to_client, out);
}

bool TranslateSink::in_band_error(const std::string& message, std::string& to_client,
                                  RelayOutcome& out) {
  events_.clear();
  // What the decoder closes at the end goes out, but its own complaint (the
  // stream ended early) gives way to the reason it did.
  if (decoder_) decoder_->finish(events_);
  std::erase_if(events_, [](const ir::Event& e) { return e.kind == ir::EventKind::error; });
  ir::Event err;
  err.kind = ir::EventKind::error;
  err.error = {502, message, "", ""};
  events_.push_back(std::move(err));
  encode(events_, to_client, out);
  return true;
}

void TranslateSink::finish(RelayOutcome& out) {
  if (!decoder_) return;  // a whole answer (or none): whole() settled it
  out.relayed_deltas = meter_.deltas();
  if (meter_.reported()) {
    out.usage = meter_.usage();
  } else if (meter_.deltas() > 0) {
    // The stream ended before any final counts (cut short): an estimate.
    out.usage.input =
        meter_.usage().input ? meter_.usage().input : estimate_prompt_tokens(request_);
    out.usage.output = std::max(estimate_text_tokens(meter_.produced()), meter_.deltas());
    estimated_ = true;
  }
  if (estimated_ || usage_is_estimate_) out.usage_estimated = true;
  if (out.status == 502 && out.error.empty()) out.error = "upstream stream ended with an error";
}

}  // namespace aiohub
