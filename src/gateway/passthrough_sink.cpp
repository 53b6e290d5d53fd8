// Same protocol on both sides, for protocols other than Chat Completions
// (which has its own leaner sink): the answer comes back byte for byte, and
// usage is tapped by running the protocol's stream decoder alongside.
#include "gateway/sinks.hpp"
#include "protocols/token_estimate.hpp"

namespace aiohub {

PassthroughSink::PassthroughSink(Protocol protocol, bool usage_is_estimate, UsageFallback fallback)
    : protocol_(protocol), usage_is_estimate_(usage_is_estimate), fallback_(fallback) {}

awaitable<void> PassthroughSink::whole(RelayContext& ctx, std::string body,
                                       std::string_view content_type, RelayOutcome& out) {
  ir::Response decoded;
  const bool read = !codec(protocol_).decode_response(body, decoded);
  if (read && (decoded.usage.input || decoded.usage.output)) {
    out.usage = decoded.usage;
    out.usage.reported = true;
  } else {
    // A 2xx without usage (a server that omits it, a Responses `background`
    // answer whose work comes later): an estimate, never nothing.
    out.usage.input = fallback_.prompt.tokens();
    out.usage.output = (read ? estimate_output_tokens(decoded.parts) : 0) + fallback_.unseen_output;
    out.usage_estimated = true;
  }
  if (usage_is_estimate_) out.usage_estimated = true;
  if (!co_await ctx.client.send(out.status,
                                content_type.empty() ? "application/json" : content_type, body))
    out.status = 499;
}

std::string_view PassthroughSink::stream_type(std::string_view upstream_type) const {
  // A re-framed stream (Bedrock's event stream) reaches the client as SSE.
  return upstream_type.starts_with("text/event-stream") ? upstream_type : "text/event-stream";
}

void PassthroughSink::feed(std::string_view bytes, bool last, std::string& to_client,
                           RelayOutcome& out) {
  if (!decoder_) decoder_ = codec(protocol_).stream_decoder();
  events_.clear();
  if (!bytes.empty()) decoder_->feed(bytes, events_);
  if (last) decoder_->finish(events_);
  for (auto& e : events_) {
    if (e.kind == ir::EventKind::message_stop) saw_stop_ = true;
    meter_.note(e);
    if (e.kind == ir::EventKind::error && out.error.empty()) out.error = e.error.message;
  }
  to_client.append(bytes);
}

void PassthroughSink::finish(RelayOutcome& out) {
  if (!decoder_) return;  // a whole answer (or none): whole() settled it
  out.relayed_deltas = meter_.deltas();
  if (meter_.reported()) {
    out.usage = meter_.usage();
  } else if (meter_.deltas() > 0 || out.status == 200) {
    // No final counts came: what the start said (or the local count) and
    // what was said.
    out.usage.input = meter_.usage().input ? meter_.usage().input : fallback_.prompt.tokens();
    out.usage.output = std::max(estimate_text_tokens(meter_.produced()), meter_.deltas()) +
                       fallback_.unseen_output;
    out.usage_estimated = true;
  }
  if (usage_is_estimate_) out.usage_estimated = true;
}

}  // namespace aiohub
