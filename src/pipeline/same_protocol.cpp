// A client served by a channel that speaks its own protocol (other than Chat
// Completions, which has its own leaner path): the body goes up with the
// model renamed, the answer comes back byte for byte, and usage is tapped by
// running the protocol's stream decoder alongside.
#include "pipeline/relay.hpp"
#include "protocols/codec.hpp"
#include "protocols/errors.hpp"
#include "providers/upstream_request.hpp"
#include "util/json_peek.hpp"
#include "util/time.hpp"

namespace aiohub {

awaitable<RelayOutcome> relay_same_protocol(HttpExchange& ex, const Channel& channel,
                                            Protocol protocol, const json_peek::Object& peeked,
                                            const std::string& client_model, bool stream,
                                            const RelaySettings& settings) {
  RelayOutcome out;
  const std::string& upstream_model = channel.upstream_model(client_model);
  // A passthrough channel gets the body exactly as the client sent it.
  const bool as_sent = protocol == Protocol::gemini || upstream_model == client_model ||
                       channel.record.settings.passthrough;
  const UpstreamRequest req = build_upstream_request(
      channel, protocol, upstream_model, stream,
      as_sent ? ex.request.body() : body_with_model(ex.request.body(), peeked, upstream_model),
      ex.request);
  const ErrorShape shape = error_shape(protocol);

  UpstreamCall call(ex.worker.pool, channel.upstream, channel_timeouts(channel, settings));
  CancelOnClientGone cancel_guard(ex, call);
  if (!co_await call.send(req.head, req.body)) {
    std::string message =
        "upstream channel '" + channel.record.name + "' is unreachable: " + call.error();
    hold_reply(out, failure_of_call(call), 502, error_body(shape, {502, message, "", ""}), message);
    co_return out;
  }
  const int status = static_cast<int>(call.status());
  std::string_view content_type = call.header("Content-Type");
  const bool is_sse = is_stream_answer(channel, content_type);
  // Bedrock's event stream reaches the client as the protocol's own SSE.
  auto rewriter = is_sse ? stream_rewriter(channel, protocol) : nullptr;
  if (rewriter) content_type = "text/event-stream";

  if (status < 200 || status > 299 || !is_sse) {
    std::string response;
    if (!co_await call.read_all(response, settings.max_response_bytes)) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      hold_reply(out, failure_of_call(call), 502, error_body(shape, {502, message, "", ""}),
                 message);
      co_return out;
    }
    out.ttfb_us = mono_now_us() - ex.started_us;
    if (status == 401 || status == 403) {
      std::string message = "Upstream channel '" + channel.record.name +
                            "' rejected the gateway's credentials (HTTP " + std::to_string(status) +
                            "). The operator must fix this channel's api_key.";
      hold_reply(out, Failure::auth, 502, error_body(shape, {502, message, "", ""}), message);
      co_return out;
    }
    if (status >= 200 && status <= 299) {
      ir::Response decoded;
      if (!codec(protocol).decode_response(response, decoded)) {
        out.usage = decoded.usage;
        out.usage.reported = true;
      }
    } else if (channel.kind == ChannelKind::bedrock) {
      // Bedrock's errors are its own JSON: answer in the protocol's shape,
      // with the status its exception name stands for.
      ApiError e = decode_upstream_error(channel, protocol, status, call.header("x-amzn-errortype"),
                                         response);
      const Failure failure = failure_of_status(e.status, response);
      if (e.status == 401 || e.status == 403) e.status = 502;
      e.message =
          scrub_channel_secrets("Upstream channel '" + channel.record.name + "' answered HTTP " +
                                    std::to_string(status) + ": " + e.message,
                                channel);
      std::string err = error_body(shape, e);
      hold_reply(out, failure, e.status, std::move(err), e.message);
      co_return out;
    } else {
      response = scrub_channel_secrets(std::move(response), channel);
      const Failure failure = failure_of_status(status, response);
      std::string error =
          "upstream channel '" + channel.record.name + "' answered HTTP " + std::to_string(status);
      hold_reply(out, failure, status, std::move(response), std::move(error));
      if (!content_type.empty()) out.reply->content_type = std::string(content_type);
      co_return out;
    }
    out.status = status;
    if (!co_await ex.response.send(status, content_type.empty() ? "application/json" : content_type,
                                   response))
      out.status = 499;
    co_return out;
  }

  auto decoder = codec(protocol).stream_decoder();
  std::vector<ir::Event> events;
  std::string rewritten;
  // Bedrock: nothing goes to the client before the first event, which may
  // be a refusal to answer with a status instead (and so to failover).
  StreamStart first;
  bool primed = false;
  if (channel.kind == ChannelKind::bedrock && rewriter) {
    first = co_await read_stream_start(call, *rewriter);
    if (first.error) {
      ApiError e = *first.error;
      const Failure failure = failure_of_status(e.status, "");
      if (e.status == 401 || e.status == 403) e.status = 502;
      e.message = scrub_channel_secrets(
          "Upstream channel '" + channel.record.name + "' refused: " + e.message, channel);
      out.ttfb_us = mono_now_us() - ex.started_us;
      std::string err = error_body(shape, e);
      hold_reply(out, failure, e.status, std::move(err), e.message);
      co_return out;
    }
    primed = true;
  }
  ex.response.begin_stream(200, content_type);
  out.status = 200;
  std::string_view piece;
  for (;;) {
    events.clear();
    bool last = false;
    bool broken = false;
    if (primed) {
      // The first event(s), already read and re-framed.
      primed = false;
      broken = first.broken;
      piece = first.bytes;
      last = first.ended;
    } else if (!co_await call.read_some(piece)) {
      broken = true;
    } else {
      last = piece.empty() || call.done();
      if (rewriter) {
        rewritten.clear();
        if (!piece.empty()) rewriter->feed(piece, rewritten);
        if (last) rewriter->finish(rewritten);
        piece = rewritten;
      }
    }
    if (broken) {
      if (out.delivered) {
        // The client has the whole answer (and may be gone): just end the body.
        co_await ex.response.end_stream({});
        break;
      }
      if (!ex.response.committed()) {
        // Not a byte reached the client: another channel may still answer.
        ex.response.abandon_stream();
        std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
        hold_reply(out, failure_of_call(call), 502, error_body(shape, {502, message, "", ""}),
                   message);
        co_return out;
      }
      out.failure = failure_of_call(call);
      // Bytes are relayed as they are, so there is no event boundary to put
      // an error event at: leave the chunked body unterminated and close,
      // which every client reports as a broken transfer, not a short answer.
      out.status = 502;
      out.error = "upstream channel '" + channel.record.name + "': " + call.error();
      ex.response.set_close();
      break;
    }
    if (!piece.empty()) decoder->feed(piece, events);
    if (last) decoder->finish(events);
    bool stop = false;
    for (auto& e : events) {
      if (e.kind == ir::EventKind::message_stop) stop = true;
      if (e.kind == ir::EventKind::part_delta) ++out.relayed_deltas;
      if (e.kind == ir::EventKind::message_start && !out.usage.input)
        out.usage.input = e.usage.input;
      if (e.kind == ir::EventKind::message_delta) {
        Usage u = e.usage;
        if (!u.input) u.input = out.usage.input;
        u.reported = true;
        out.usage = u;
      }
      if (e.kind == ir::EventKind::error && out.error.empty()) out.error = e.error.message;
    }
    if (!out.ttfb_us && !piece.empty()) out.ttfb_us = mono_now_us() - ex.started_us;
    bool sent;
    if (last)
      sent = co_await ex.response.end_stream(piece);
    else
      sent = co_await ex.response.write_chunk(piece);
    if (!sent) {
      if (!out.delivered) {
        out.status = 499;
        out.error = "client went away during the stream";
      }
      break;
    }
    if (stop && out.status == 200 && out.error.empty()) out.delivered = true;
    if (last) break;
  }
  co_return out;
}

}  // namespace aiohub
