// An image request served by a Gemini image model: one generateContent call
// per image asked for (the image models make one candidate per call), the
// answers turned into the Images API's JSON or, for a streaming client,
// into its completed events (Gemini has no partial images to relay).
#include "images/relay.hpp"
#include "protocols/codec.hpp"
#include "protocols/errors.hpp"
#include "protocols/openai_images/gemini_bridge.hpp"
#include "providers/upstream_request.hpp"
#include "util/time.hpp"

namespace aiohub {
using openai_images::GeminiImages;
using openai_images::ImageRequest;

awaitable<ImageOutcome> relay_gemini_images(ImageContext& ctx, const Channel& channel) {
  ImageOutcome result;
  RelayOutcome& out = result.relay;
  HttpExchange& ex = ctx.ex;
  const ImageRequest& request = ctx.request;
  const std::string& upstream_model = channel.upstream_model(request.model);
  const std::string body = openai_images::gemini_request_body(request);
  const std::string head = upstream_request_head(channel, Protocol::gemini, upstream_model, false,
                                                 body.size(), ex.request);
  const std::int64_t created = unix_now_s();
  GeminiImages produced;
  // Streaming: each image goes out when the next one arrives; the last one
  // waits for the end, where it carries the usage of all calls.
  std::size_t streamed = 0;
  for (int i = 0; i < request.n; ++i) {
    UpstreamCall call(ex.worker.pool, channel.upstream, channel_timeouts(channel, ctx.settings));
    CancelOnClientGone cancel_guard(ex, call);
    std::string answer;
    bool ok = co_await call.send(head, body);
    if (ok) ok = co_await call.read_all(answer, ctx.settings.max_response_bytes);
    if (!ok) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      hold_reply(out, failure_of_call(call), 502,
                 error_body(ErrorShape::openai, {502, message, "", ""}), message);
      break;
    }
    const int status = static_cast<int>(call.status());
    if (status == 401 || status == 403) {
      std::string message = "Upstream channel '" + channel.record.name +
                            "' rejected the gateway's credentials (HTTP " + std::to_string(status) +
                            "). The operator must fix this channel's api_key.";
      hold_reply(out, Failure::auth, 502, error_body(ErrorShape::openai, {502, message, "", ""}),
                 message);
      break;
    }
    if (status < 200 || status > 299) {
      ApiError e = codec(Protocol::gemini).decode_error(status, answer);
      e.message = scrub_secret(std::move(e.message), channel.record.api_key);
      e.status = status;
      std::string error = "upstream channel '" + channel.record.name + "' answered HTTP " +
                          std::to_string(status) + ": " + e.message;
      hold_reply(out, failure_of_status(status, answer), status, error_body(ErrorShape::openai, e),
                 std::move(error));
      break;
    }
    if (auto err = openai_images::read_gemini_answer(answer, produced)) {
      // The model answered without an image: the request's matter (a
      // refusal) or the model's, not the channel's health.
      hold_reply(out, Failure::client, err->status, error_body(ErrorShape::openai, *err),
                 err->message);
      break;
    }
    if (!request.stream) continue;
    for (; streamed + 1 < produced.images.size(); ++streamed) {
      if (!ex.response.started()) {
        ex.response.begin_stream(200, "text/event-stream");
        out.ttfb_us = mono_now_us() - ex.started_us;
      }
      const std::string event =
          openai_images::openai_completed_event(produced, streamed, created, request);
      if (!co_await ex.response.write_chunk(event)) {
        out.status = 499;
        out.error = "client went away during the stream";
        result.bill.tokens = produced.usage;
        result.bill.images = static_cast<std::int64_t>(produced.images.size());
        co_return result;
      }
    }
  }
  result.bill.tokens = produced.usage;
  result.bill.images = static_cast<std::int64_t>(produced.images.size());
  result.bill.size = request.size;
  result.bill.quality = request.quality;
  if (out.reply) {
    // Tokens spent are not thrown away by a retry elsewhere.
    if (produced.usage.reported) out.retryable = false;
    if (produced.images.empty()) co_return result;
    // Fewer images than asked beat none: they are paid for. The failure
    // stays in the log and counts against the channel's health.
    out.reply.reset();
  }
  if (!out.ttfb_us) out.ttfb_us = mono_now_us() - ex.started_us;

  if (request.stream) {
    if (!ex.response.started()) ex.response.begin_stream(200, "text/event-stream");
    out.status = 200;
    for (std::size_t i = streamed; i < produced.images.size(); ++i) {
      const std::string event =
          openai_images::openai_completed_event(produced, i, created, request);
      bool sent;
      if (i + 1 == produced.images.size())
        sent = co_await ex.response.end_stream(event);
      else
        sent = co_await ex.response.write_chunk(event);
      if (!sent) {
        out.status = 499;
        out.error = "client went away during the stream";
        break;
      }
    }
    co_return result;
  }
  std::string answer = openai_images::openai_images_response(produced, created, request);
  co_await send_images_answer(ctx, answer, openai_images::wants_url(request, upstream_model), out);
  co_return result;
}

}  // namespace aiohub
