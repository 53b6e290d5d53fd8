// An image request served by a Gemini image model: one generateContent call
// per image asked for (the image models make one candidate per call), the
// answers turned into the Images API's JSON or, for a streaming client,
// into its completed events (Gemini has no partial images to relay).
#include "images/relay.hpp"
#include "protocols/codec.hpp"
#include "protocols/errors.hpp"
#include "protocols/openai_images/gemini_bridge.hpp"
#include "util/time.hpp"

namespace aiohub {
using openai_images::GeminiImages;
using openai_images::ImageRequest;

namespace {

// Keeps a whole Gemini answer for the bridge to read; errors are answered
// in the Images API's (OpenAI's) shape.
class CollectSink final : public AnswerSink {
 public:
  std::string body;

  Protocol client_protocol() const override { return Protocol::openai_chat; }
  bool relays_upstream_errors() const override { return false; }
  awaitable<void> whole(RelayContext&, std::string answer, std::string_view,
                        RelayOutcome&) override {
    body = std::move(answer);
    co_return;
  }
  void feed(std::string_view bytes, bool, std::string&, RelayOutcome&) override {
    body.append(bytes);
  }
  bool in_band_error(const std::string&, std::string&, RelayOutcome&) override { return false; }
  bool saw_terminal() const override { return false; }
};

}  // namespace

awaitable<ImageOutcome> relay_gemini_images(ImageContext& ctx, const Channel& channel) {
  ImageOutcome result;
  RelayOutcome& out = result.relay;
  ClientTransport& client = ctx.relay.client;
  const ImageRequest& request = ctx.request;
  const std::string& upstream_model = channel.upstream_model(request.model);
  const ProviderAdaptor& adaptor = adaptor_for(channel);
  const std::string body = openai_images::gemini_request_body(request);
  const std::int64_t created = unix_now_s();
  GeminiImages produced;
  // Streaming: each image goes out when the next one arrives; the last one
  // waits for the end, where it carries the usage of all calls.
  std::size_t streamed = 0;
  std::int64_t first_byte_us = 0;  // when the first image went out
  auto begin_stream = [&] {
    if (client.started()) return;
    client.begin_stream(200, "text/event-stream");
    first_byte_us = ctx.relay.clock.mono_us() - ctx.relay.started_us;
  };
  for (int i = 0; i < request.n; ++i) {
    CollectSink sink;
    UpstreamAsk ask{UpstreamApi::generate, upstream_model,          false, body,
                    "application/json",    ctx.relay.client_headers};
    UpstreamRequest upstream = adaptor.build_request(channel, std::move(ask));
    out = co_await relay_exchange(ctx.relay, channel, std::move(upstream), sink);
    out.ttfb_us = first_byte_us;
    if (out.reply) break;
    if (auto err = openai_images::read_gemini_answer(sink.body, produced)) {
      // The model answered without an image: the request's matter (a
      // refusal) or the model's, not the channel's health.
      hold_reply(out, Failure::client, err->status, error_body(ErrorShape::openai, *err),
                 err->message);
      break;
    }
    if (!request.stream) continue;
    for (; streamed + 1 < produced.images.size(); ++streamed) {
      begin_stream();
      const std::string event =
          openai_images::openai_completed_event(produced, streamed, created, request);
      if (!co_await client.write(event)) {
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

  if (request.stream) {
    begin_stream();
    out.ttfb_us = first_byte_us;
    out.status = 200;
    for (std::size_t i = streamed; i < produced.images.size(); ++i) {
      const std::string event =
          openai_images::openai_completed_event(produced, i, created, request);
      // Not a conditional expression: GCC 12 miscompiles co_await in one.
      bool sent;
      if (i + 1 == produced.images.size())
        sent = co_await client.end(event);
      else
        sent = co_await client.write(event);
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
