// OpenAI Chat Completions channel, client speaking the same protocol: the
// body goes up with only the model renamed (and usage requested for
// streams); the answer comes back byte for byte, events relayed as they
// arrive, with usage tapped on the way.
#include <spdlog/spdlog.h>

#include "pipeline/relay.hpp"
#include "protocols/codec.hpp"
#include "protocols/errors.hpp"
#include "protocols/token_estimate.hpp"
#include "providers/upstream_request.hpp"
#include "util/json_peek.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

// Upstream error text may quote what it was sent; make sure our credential
// is never among what reaches the client.
std::string scrub(std::string text, const Channel& channel) {
  const auto& secret = channel.record.api_key;
  if (secret.size() < 4) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "***");
  return text;
}

std::string openai_error(int status, const std::string& message) {
  return error_body(ErrorShape::openai, {status, message, "", ""});
}

std::string_view strip_params(std::string_view content_type) {
  return content_type.substr(0, content_type.find(';'));
}

// The upstream reported no usage: bill an estimate, and say so. `answer`
// is a whole response body, or empty for a stream (the caller counts it).
void estimate_usage(HttpExchange& ex, std::string_view answer, RelayOutcome& out) {
  ir::Request request;
  ClientHints hints;
  if (!codec(Protocol::openai_chat).decode_request(ex.request.body(), {}, request, hints))
    out.usage.input = estimate_prompt_tokens(request);
  ir::Response response;
  if (!answer.empty() && !codec(Protocol::openai_chat).decode_response(answer, response))
    out.usage.output = estimate_output_tokens(response.parts);
  out.usage_estimated = true;
}

}  // namespace

awaitable<RelayOutcome> relay_chat_passthrough(HttpExchange& ex, const Channel& channel,
                                               const openai_chat::RequestPeek& peek,
                                               const RelaySettings& settings) {
  RelayOutcome out;
  const std::string& upstream_model = channel.upstream_model(peek.model);
  // A passthrough channel gets the body exactly as the client sent it.
  const bool passthrough = channel.record.settings.passthrough;
  const UpstreamRequest req = build_upstream_request(
      channel, Protocol::openai_chat, upstream_model, peek.stream,
      passthrough ? ex.request.body()
                  : openai_chat::rewrite_request(ex.request.body(), peek, upstream_model),
      ex.request);

  UpstreamCall call(ex.worker.pool, channel.upstream, channel_timeouts(channel, settings));
  CancelOnClientGone cancel_guard(ex, call);
  if (!co_await call.send(req.head, req.body)) {
    std::string message =
        "upstream channel '" + channel.record.name + "' is unreachable: " + call.error();
    hold_reply(out, failure_of_call(call), 502, openai_error(502, message), message);
    co_return out;
  }

  const unsigned status = call.status();
  const std::string_view content_type = call.header("Content-Type");
  const bool is_sse = strip_params(content_type) == "text/event-stream";

  if (status == 401 || status == 403) {
    std::string ignored;
    co_await call.read_all(ignored, 1 << 20);
    std::string message = "Upstream channel '" + channel.record.name +
                          "' rejected the gateway's credentials (HTTP " + std::to_string(status) +
                          "). The operator must fix this channel's api_key.";
    hold_reply(out, Failure::auth, 502, openai_error(502, message), message);
    co_return out;
  }

  if (status != 200 || !is_sse) {
    std::string response;
    if (!co_await call.read_all(response, settings.max_response_bytes)) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      hold_reply(out, failure_of_call(call), 502, openai_error(502, message), message);
      co_return out;
    }
    out.ttfb_us = mono_now_us() - ex.started_us;
    if (status >= 200 && status < 300) {
      response = repair_answer(channel, Protocol::openai_chat, std::move(response));
      if (auto u = openai_chat::usage_from_response(response)) {
        out.usage = *u;
      } else if (channel.kind == ChannelKind::openai_compatible || passthrough) {
        estimate_usage(ex, response, out);
      }
      out.status = static_cast<int>(status);
      if (!co_await ex.response.send(
              out.status, content_type.empty() ? "application/json" : content_type, response))
        out.status = 499;  // the client went away; the answer is still billed
      co_return out;
    }
    // An upstream error: same protocol, so its JSON body is already in the
    // client's shape; anything else is wrapped.
    response = scrub(std::move(response), channel);
    const Failure failure = failure_of_status(static_cast<int>(status), response);
    std::string error =
        "upstream channel '" + channel.record.name + "' answered HTTP " + std::to_string(status);
    if (json_peek::validate(response)) {  // not JSON
      std::string said = response.substr(0, 300);
      for (auto& c : said)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      int code = status >= 400 && status < 600 ? static_cast<int>(status) : 502;
      std::string wrapped =
          openai_error(code, "Upstream channel '" + channel.record.name + "' answered HTTP " +
                                 std::to_string(status) + ": " + said);
      hold_reply(out, failure, code, std::move(wrapped), std::move(error));
      co_return out;
    }
    hold_reply(out, failure, static_cast<int>(status), std::move(response), std::move(error));
    co_return out;
  }

  // Streaming: every complete event goes to the client as soon as it arrives.
  openai_chat::StreamTap tap(!peek.client_wants_usage && !passthrough);
  auto rewriter = stream_rewriter(channel, Protocol::openai_chat);
  std::string rewritten;
  // OpenAI-compatible servers may report no usage, and a passthrough channel
  // does not ask for it: read the answer alongside to estimate it.
  std::unique_ptr<IrStreamDecoder> reader;
  if (channel.kind == ChannelKind::openai_compatible || passthrough)
    reader = codec(Protocol::openai_chat).stream_decoder();
  std::vector<ir::Event> read_events;
  std::string produced;
  ex.response.begin_stream(200, "text/event-stream");
  out.status = 200;
  std::string forward;
  std::string_view piece;
  for (;;) {
    forward.clear();
    if (!co_await call.read_some(piece)) {
      if (out.delivered) {
        // The client has the whole answer: just end the body.
        co_await ex.response.end_stream({});
        break;
      }
      if (!ex.response.committed()) {
        // Not a byte reached the client: another channel may still answer.
        ex.response.abandon_stream();
        std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
        hold_reply(out, failure_of_call(call), 502, openai_error(502, message), message);
        co_return out;
      }
      // The stream broke after it started: tell the client in-band.
      out.status = 502;
      out.failure = failure_of_call(call);
      out.error = "upstream channel '" + channel.record.name + "': " + call.error();
      tap.finish(forward);
      forward.append("data: ");
      forward.append(openai_error(502, out.error));
      forward.append("\n\n");
      co_await ex.response.end_stream(forward);
      break;
    }
    if (rewriter) {
      rewritten.clear();
      if (!piece.empty()) rewriter->feed(piece, rewritten);
      if (piece.empty() || call.done()) rewriter->finish(rewritten);
      if (piece.empty() && !rewritten.empty()) tap.feed(rewritten, forward);
    }
    if (reader) {
      read_events.clear();
      reader->feed(rewriter ? std::string_view(rewritten) : piece, read_events);
      for (auto& e : read_events)
        if (e.kind == ir::EventKind::part_delta && produced.size() < (4u << 20))
          produced.append(e.delta);
    }
    if (piece.empty()) {
      tap.finish(forward);
      co_await ex.response.end_stream(forward);
      break;
    }
    tap.feed(rewriter ? std::string_view(rewritten) : piece, forward);
    if (!out.ttfb_us && !forward.empty()) out.ttfb_us = mono_now_us() - ex.started_us;
    // The piece that completes the upstream body also ends ours, in one write.
    bool sent;
    if (call.done()) {
      tap.finish(forward);
      sent = co_await ex.response.end_stream(forward);
    } else {
      sent = co_await ex.response.write_chunk(forward);
    }
    if (!sent) {
      if (!out.delivered) {
        out.status = 499;
        out.error = "client went away during the stream";
      }
      break;  // `call` closes the upstream connection: the upstream stops generating.
    }
    // [DONE] reached the client: a hang-up from now on is not a cancellation.
    if (tap.saw_done() && out.status == 200) out.delivered = true;
    if (call.done()) break;
  }
  if (tap.usage()) {
    out.usage = *tap.usage();
  } else if (reader && out.status == 200) {
    estimate_usage(ex, "", out);
    out.usage.output = estimate_text_tokens(produced);
  }
  out.relayed_deltas = tap.data_events();
  if (tap.saw_error() && out.status == 200)
    out.error = "upstream sent an error event in the stream";
  if (ex.response.failed() && out.status == 200 && !out.delivered) out.status = 499;
  co_return out;
}

}  // namespace aiohub
