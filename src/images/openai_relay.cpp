// An image request to an OpenAI-style upstream: the JSON body or the
// re-encoded form goes up with the model renamed and `response_format`
// settled (the gateway always takes base64 and makes URLs itself); a
// streamed answer comes back byte for byte while its completed events are
// read for billing.
#include <boost/json.hpp>

#include "images/relay.hpp"
#include "ir/sse.hpp"

namespace aiohub {
namespace json = boost::json;
using openai_images::ImageRequest;
using openai_images::Operation;

namespace {

// Billing facts from one streamed event; `partial_image` events carry none.
void tap_event(const SseEvent& e, ImageBill& bill, std::string& error) {
  boost::system::error_code ec;
  json::value v = json::parse(e.data, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.as_object();
  std::string type = e.event;
  if (const json::value* t = o.if_contains("type"); t && t->is_string())
    type = std::string(t->as_string());
  if (type == "error" || o.contains("error")) {
    if (error.empty()) error = "the upstream sent an error event";
    return;
  }
  if (!std::string_view(type).ends_with(".completed")) return;
  ++bill.images;
  if (const json::value* s = o.if_contains("size"); s && s->is_string())
    bill.size = std::string(s->as_string());
  if (const json::value* q = o.if_contains("quality"); q && q->is_string())
    bill.quality = std::string(q->as_string());
  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) {
    auto num = [&](const char* k) -> std::int64_t {
      const json::value* n = u->as_object().if_contains(k);
      return n && n->is_int64() ? n->as_int64() : 0;
    };
    bill.tokens.input += num("input_tokens");
    bill.tokens.output += num("output_tokens");
    bill.tokens.reported = true;
  }
}

// The Images API on both sides: answers pass through (URLs made here when
// asked for), streams byte for byte, both read for the bill.
class ImagesPassthroughSink final : public AnswerSink {
 public:
  ImagesPassthroughSink(ImageContext& ctx, ImageBill& bill, bool urls)
      : ctx_(ctx), bill_(bill), urls_(urls) {
    bill_.size = ctx.request.size;
    bill_.quality = ctx.request.quality;
  }

  Protocol client_protocol() const override { return Protocol::openai_chat; }
  bool relays_upstream_errors() const override { return true; }
  awaitable<void> whole(RelayContext&, std::string body, std::string_view,
                        RelayOutcome& out) override {
    bill_from_answer(body, ctx_.request, bill_);
    co_await send_images_answer(ctx_, body, urls_, out);
  }
  void feed(std::string_view bytes, bool last, std::string& to_client, RelayOutcome& out) override {
    events_.clear();
    if (!bytes.empty()) parser_.feed(bytes, events_);
    if (last) parser_.finish(events_);
    for (auto& e : events_) tap_event(e, bill_, out.error);
    to_client.append(bytes);
  }
  // Relayed byte for byte: no event boundary to put an error at.
  bool in_band_error(const std::string&, std::string&, RelayOutcome&) override { return false; }
  bool saw_terminal() const override { return false; }

 private:
  ImageContext& ctx_;
  ImageBill& bill_;
  bool urls_;
  SseParser parser_;
  std::vector<SseEvent> events_;
};

}  // namespace

awaitable<ImageOutcome> relay_openai_images(ImageContext& ctx, const Channel& channel) {
  ImageOutcome result;
  const ImageRequest& request = ctx.request;
  const std::string& upstream_model = channel.upstream_model(request.model);
  std::string body;
  std::string content_type = "application/json";
  if (request.op == Operation::edit) {
    auto form = openai_images::upstream_form(request, upstream_model);
    body = std::move(form.body);
    content_type = std::move(form.content_type);
  } else {
    body = openai_images::upstream_json(request, upstream_model);
  }
  const UpstreamApi api =
      request.op == Operation::edit ? UpstreamApi::image_edits : UpstreamApi::image_generations;
  // A named argument, not a braced temporary: GCC 12 mishandles those in
  // coroutines.
  UpstreamAsk ask{api,          upstream_model,          request.stream, std::move(body),
                  content_type, ctx.relay.client_headers};
  UpstreamRequest upstream = adaptor_for(channel).build_request(channel, std::move(ask));
  ImagesPassthroughSink sink(ctx, result.bill, openai_images::wants_url(request, upstream_model));
  result.relay = co_await relay_exchange(ctx.relay, channel, std::move(upstream), sink);
  co_return result;
}

}  // namespace aiohub
