// Chat Completions on both sides: the body went up with only the model
// renamed and usage asked for in streams; the answer comes back byte for
// byte, events relayed as they arrive, with usage tapped on the way.
#include "gateway/sinks.hpp"
#include "protocols/errors.hpp"
#include "protocols/token_estimate.hpp"

namespace aiohub {

ChatPassthroughSink::ChatPassthroughSink(bool client_wants_usage, bool may_omit_usage,
                                         bool usage_is_estimate, UsageFallback fallback)
    // The gateway asks for usage in every stream; a client that did not
    // does not get the usage-only chunk.
    : tap_(!client_wants_usage), usage_is_estimate_(usage_is_estimate), fallback_(fallback) {
  // Servers that may omit usage anyway: the answer is read alongside, so
  // that an estimate counts what it said.
  if (may_omit_usage) reader_ = codec(Protocol::openai_chat).stream_decoder();
}

awaitable<void> ChatPassthroughSink::whole(RelayContext& ctx, std::string body,
                                           std::string_view content_type, RelayOutcome& out) {
  if (auto u = openai_chat::usage_from_response(body)) {
    out.usage = *u;
  } else {
    // The upstream reported no usage: bill an estimate, and say so.
    out.usage.input = fallback_.prompt.tokens();
    ir::Response response;
    if (!codec(Protocol::openai_chat).decode_response(body, response))
      out.usage.output = estimate_output_tokens(response.parts);
    out.usage_estimated = true;
  }
  if (usage_is_estimate_) out.usage_estimated = true;
  if (!co_await ctx.client.send(out.status,
                                content_type.empty() ? "application/json" : content_type, body))
    out.status = 499;  // the client went away; the answer is still billed
}

void ChatPassthroughSink::feed(std::string_view bytes, bool last, std::string& to_client,
                               RelayOutcome&) {
  streamed_ = true;
  if (reader_) {
    events_.clear();
    reader_->feed(bytes, events_);
    for (auto& e : events_) meter_.note(e);
  }
  tap_.feed(bytes, to_client);
  // The piece that completes the upstream body also ends ours, in one write.
  if (last) tap_.finish(to_client);
}

bool ChatPassthroughSink::in_band_error(const std::string& message, std::string& to_client,
                                        RelayOutcome&) {
  // The stream broke after it started: tell the client in-band, in an event
  // of its own (not glued to the half an event the upstream left).
  tap_.abandon();
  to_client.append("data: ");
  to_client.append(error_body(ErrorShape::openai, {502, message, "", ""}));
  to_client.append("\n\n");
  return true;
}

void ChatPassthroughSink::finish(RelayOutcome& out) {
  if (!streamed_) return;  // a whole answer (or none): whole() settled it
  out.relayed_deltas = tap_.data_events();
  if (tap_.usage()) {
    out.usage = *tap_.usage();
  } else if (tap_.data_events() > 0) {
    // No usage came (a server that omits it, or a stream cut short): the
    // prompt as counted here, and what was said (each event a token at
    // least, where the answer was not read).
    out.usage.input = fallback_.prompt.tokens();
    out.usage.output = reader_ ? std::max(estimate_text_tokens(meter_.produced()), meter_.deltas())
                               : tap_.data_events();
    out.usage_estimated = true;
  }
  if (usage_is_estimate_) out.usage_estimated = true;
  if (tap_.saw_error() && out.status == 200)
    out.error = "upstream sent an error event in the stream";
}

}  // namespace aiohub
