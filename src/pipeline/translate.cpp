// A client of one protocol served by a channel of another: the request goes
// client codec -> IR -> upstream codec, and the answer comes back the other
// way, event by event while streaming. Nothing is buffered beyond the one
// upstream read being translated.
#include <spdlog/spdlog.h>

#include "pipeline/relay.hpp"
#include "protocols/codec.hpp"
#include "protocols/errors.hpp"
#include "protocols/token_estimate.hpp"
#include "providers/upstream_request.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

// The status a client should see for an upstream error: the gateway's own
// credential problems are not the client's, and only Anthropic clients know 529.
int client_status(int upstream_status, Protocol client) {
  if (upstream_status == 401 || upstream_status == 403) return 502;
  if (upstream_status == 529 && client != Protocol::anthropic) return 503;
  if (upstream_status < 400 || upstream_status > 599) return 502;
  return upstream_status;
}

void note_usage(const ir::Event& e, RelayOutcome& out) {
  if ((e.kind == ir::EventKind::message_delta || e.kind == ir::EventKind::message_start) &&
      (e.usage.input || e.usage.output || e.usage.reported)) {
    // message_start carries an estimate; message_delta the final counts.
    if (e.kind == ir::EventKind::message_delta || !out.usage.reported) {
      Usage u = e.usage;
      if (e.kind == ir::EventKind::message_start && !out.usage.input) out.usage.input = u.input;
      if (e.kind == ir::EventKind::message_delta) {
        if (!u.input) u.input = out.usage.input;
        u.reported = true;
        out.usage = u;
      }
    }
  }
}

}  // namespace

awaitable<RelayOutcome> relay_translated(HttpExchange& ex, const Channel& channel, Protocol client,
                                         const ir::Request& request,
                                         const std::string& client_model, const ClientHints& hints,
                                         const RelaySettings& settings) {
  RelayOutcome out;
  const Protocol upstream = upstream_protocol(channel.kind);
  const CodecOps& up = codec(upstream);
  const CodecOps& down = codec(client);

  ir::Request translated = request;
  translated.model = channel.upstream_model(client_model);
  const UpstreamRequest req =
      build_upstream_request(channel, upstream, translated.model, translated.stream,
                             up.encode_request(translated), ex.request);

  UpstreamCall call(ex.worker.pool, channel.upstream, channel_timeouts(channel, settings));
  CancelOnClientGone cancel_guard(ex, call);
  if (!co_await call.send(req.head, req.body)) {
    std::string message =
        "upstream channel '" + channel.record.name + "' is unreachable: " + call.error();
    hold_reply(out, failure_of_call(call), 502,
               error_body(error_shape(client), {502, message, "", ""}), message);
    co_return out;
  }

  const int status = static_cast<int>(call.status());
  const bool is_sse = is_stream_answer(channel, call.header("Content-Type"));

  if (status < 200 || status > 299 || !is_sse) {
    std::string response;
    if (!co_await call.read_all(response, settings.max_response_bytes)) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      hold_reply(out, failure_of_call(call), 502,
                 error_body(error_shape(client), {502, message, "", ""}), message);
      co_return out;
    }
    out.ttfb_us = mono_now_us() - ex.started_us;
    if (status < 200 || status > 299) {
      ApiError e = decode_upstream_error(channel, upstream, status, call.header("x-amzn-errortype"),
                                         response);
      // Bedrock names its exception; its HTTP status can say less
      // (ModelNotReadyException comes as 429).
      const int said = channel.kind == ChannelKind::bedrock ? e.status : status;
      e.status = client_status(said, client);
      e.message =
          scrub_channel_secrets("Upstream channel '" + channel.record.name + "' answered HTTP " +
                                    std::to_string(status) + ": " + e.message,
                                channel);
      e.type.clear();
      const Failure failure = failure_of_status(said, response);
      std::string err = error_body(error_shape(client), e);
      hold_reply(out, failure, e.status, std::move(err), e.message);
      co_return out;
    }
    response = repair_answer(channel, upstream, std::move(response));
    ir::Response decoded;
    if (auto err = up.decode_response(response, decoded)) {
      out.status = 502;
      out.error = "upstream channel '" + channel.record.name +
                  "' sent an answer the gateway cannot read: " + err->message;
      const std::string e = error_body(error_shape(client), {502, out.error, "", ""});
      co_await ex.response.send(502, "application/json", e);
      co_return out;
    }
    out.usage = decoded.usage;
    out.usage.reported = true;
    if (!decoded.usage.input && !decoded.usage.output) {
      // The upstream reported no usage: bill an estimate, and say so.
      decoded.usage.input = estimate_prompt_tokens(request);
      decoded.usage.output = estimate_output_tokens(decoded.parts);
      out.usage = decoded.usage;
      out.usage_estimated = true;
    }
    if (request.stream) {
      // The client asked for a stream but the upstream answered whole:
      // replay the answer as events.
      auto encoder = down.stream_encoder(client_model, hints);
      std::string bytes;
      for (auto& e : response_as_events(decoded)) encoder->encode(e, bytes);
      ex.response.begin_stream(200, "text/event-stream");
      out.status = co_await ex.response.end_stream(bytes) ? 200 : 499;
      co_return out;
    }
    const std::string encoded = down.encode_response(decoded, client_model, hints);
    out.status = co_await ex.response.send(200, "application/json", encoded) ? 200 : 499;
    co_return out;
  }

  auto decoder = up.stream_decoder();
  auto encoder = down.stream_encoder(client_model, hints);
  auto rewriter = stream_rewriter(channel, upstream);
  std::string rewritten;
  // What the answer said, for an estimate when the upstream reports no usage.
  std::string produced;
  // Bedrock: nothing goes to the client before the first event, which may
  // be a refusal to answer with a status instead (and so to failover).
  StreamStart first;
  bool primed = false;
  if (channel.kind == ChannelKind::bedrock && rewriter) {
    first = co_await read_stream_start(call, *rewriter);
    if (first.error) {
      ApiError e = *first.error;
      const int said = e.status;
      e.status = client_status(said, client);
      e.message = scrub_channel_secrets(
          "Upstream channel '" + channel.record.name + "' refused: " + e.message, channel);
      e.type.clear();
      out.ttfb_us = mono_now_us() - ex.started_us;
      std::string err = error_body(error_shape(client), e);
      hold_reply(out, failure_of_status(said, ""), e.status, std::move(err), e.message);
      co_return out;
    }
    primed = true;
  }
  // Claude clients read the prompt size from message_start (Claude Code
  // decides when to compact by it); upstreams of other protocols report it
  // only at the end, so estimate it here (docs/protocols/README.md#pitfall-3).
  const std::int64_t input_estimate =
      client == Protocol::anthropic ? estimate_prompt_tokens(request) : 0;
  ex.response.begin_stream(200, "text/event-stream");
  out.status = 200;
  std::vector<ir::Event> events;
  events.reserve(64);  // one read's worth, kept across reads
  std::string bytes;
  bool finished = false;
  std::string_view piece;
  while (!finished) {
    events.clear();
    bytes.clear();
    bool broken = false;
    if (primed) {
      // The first event(s), already read and re-framed.
      primed = false;
      decoder->feed(first.bytes, events);
      if (first.ended) {
        decoder->finish(events);
        finished = true;
      }
      broken = first.broken;
    } else if (!co_await call.read_some(piece)) {
      broken = true;
    } else if (piece.empty()) {
      if (rewriter) {
        rewritten.clear();
        rewriter->finish(rewritten);
        decoder->feed(rewritten, events);
      }
      decoder->finish(events);
      finished = true;
    } else {
      if (rewriter) {
        rewritten.clear();
        rewriter->feed(piece, rewritten);
        if (call.done()) rewriter->finish(rewritten);
        decoder->feed(rewritten, events);
      } else {
        decoder->feed(piece, events);
      }
      if (call.done()) {
        decoder->finish(events);
        finished = true;
      }
    }
    if (broken && out.delivered) {
      // The client has the whole answer (and may be gone): just end the body.
      co_await ex.response.end_stream({});
      break;
    }
    if (broken) {
      if (!ex.response.committed()) {
        // Not a byte reached the client: another channel may still answer.
        ex.response.abandon_stream();
        std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
        hold_reply(out, failure_of_call(call), 502,
                   error_body(error_shape(client), {502, message, "", ""}), message);
        co_return out;
      }
      out.status = 502;
      out.failure = failure_of_call(call);
      out.error = "upstream channel '" + channel.record.name + "': " + call.error();
      ir::Event err;
      err.kind = ir::EventKind::error;
      err.error = {502, out.error, "", ""};
      decoder->finish(events);
      events.push_back(std::move(err));
      finished = true;
    }
    bool stop = false;
    for (auto& e : events) {
      if (e.kind == ir::EventKind::message_stop) stop = true;
      if (e.kind == ir::EventKind::part_delta) {
        ++out.relayed_deltas;
        if (produced.size() < (4u << 20)) produced.append(e.delta);
      }
      if (e.kind == ir::EventKind::message_delta && !e.usage.input && !e.usage.output &&
          !out.usage.reported) {
        // No usage anywhere in the stream: estimate it, and say so.
        e.usage.input = out.usage.input ? out.usage.input : estimate_prompt_tokens(request);
        e.usage.output = estimate_text_tokens(produced);
        out.usage_estimated = true;
      }
      note_usage(e, out);
      if (e.kind == ir::EventKind::message_start && !e.usage.input) e.usage.input = input_estimate;
      if (e.kind == ir::EventKind::error && out.error.empty()) {
        out.error = e.error.message;
        if (out.status == 200) out.status = 502;
      }
      encoder->encode(e, bytes);
    }
    if (!out.ttfb_us && !bytes.empty()) out.ttfb_us = mono_now_us() - ex.started_us;
    bool sent;
    if (finished)
      sent = co_await ex.response.end_stream(bytes);
    else
      sent = co_await ex.response.write_chunk(bytes);
    if (!sent) {
      if (!out.delivered) {
        out.status = 499;
        out.error = "client went away during the stream";
      }
      break;
    }
    if (stop && out.status == 200 && out.error.empty()) out.delivered = true;
  }
  if (out.status == 502 && out.error.empty()) out.error = "upstream stream ended with an error";
  co_return out;
}

}  // namespace aiohub
