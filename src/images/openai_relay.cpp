// An image request to an OpenAI-style upstream: the JSON body or the
// re-encoded form goes up with the model renamed and `response_format`
// settled (the gateway always takes base64 and makes URLs itself); a
// streamed answer comes back byte for byte while its completed events are
// read for billing.
#include <boost/json.hpp>

#include "images/relay.hpp"
#include "ir/sse.hpp"
#include "protocols/errors.hpp"
#include "providers/upstream_request.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace json = boost::json;
using openai_images::ImageRequest;
using openai_images::Operation;

namespace {

std::string request_head(const Channel& channel, Operation op, std::string_view content_type,
                         bool stream, std::size_t length) {
  std::string h = "POST " + channel.upstream.path_prefix +
                  (op == Operation::edit ? "/v1/images/edits" : "/v1/images/generations") +
                  " HTTP/1.1\r\nHost: " + channel.upstream.host_header + "\r\n";
  if (!channel.record.api_key.empty())
    h += "Authorization: Bearer " + channel.record.api_key + "\r\n";
  h += "Content-Type: ";
  h += content_type;
  h += "\r\nAccept: ";
  h += stream ? "text/event-stream" : "application/json";
  h += "\r\nUser-Agent: aiohub/0.1\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  return h;
}

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
  if (type.size() < 10 || type.compare(type.size() - 10, 10, ".completed") != 0) return;
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

}  // namespace

awaitable<ImageOutcome> relay_openai_images(ImageContext& ctx, const Channel& channel) {
  ImageOutcome result;
  RelayOutcome& out = result.relay;
  HttpExchange& ex = ctx.ex;
  const ImageRequest& request = ctx.request;
  const std::string& upstream_model = channel.upstream_model(request.model);
  const bool urls = openai_images::wants_url(request, upstream_model);

  std::string body;
  std::string content_type = "application/json";
  if (request.op == Operation::edit) {
    auto form = openai_images::upstream_form(request, upstream_model);
    body = std::move(form.body);
    content_type = std::move(form.content_type);
  } else {
    body = openai_images::upstream_json(request, upstream_model);
  }
  const std::string head =
      request_head(channel, request.op, content_type, request.stream, body.size());

  UpstreamCall call(ex.worker.pool, channel.upstream, channel_timeouts(channel, ctx.settings));
  CancelOnClientGone cancel_guard(ex, call);
  if (!co_await call.send(head, body)) {
    std::string message =
        "upstream channel '" + channel.record.name + "' is unreachable: " + call.error();
    hold_reply(out, failure_of_call(call), 502,
               error_body(ErrorShape::openai, {502, message, "", ""}), message);
    co_return result;
  }
  const int status = static_cast<int>(call.status());
  const std::string_view upstream_type = call.header("Content-Type");
  const bool is_sse = strip_content_type_params(upstream_type) == "text/event-stream";

  if (status < 200 || status > 299 || !is_sse) {
    std::string answer;
    if (!co_await call.read_all(answer, ctx.settings.max_response_bytes)) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      hold_reply(out, failure_of_call(call), 502,
                 error_body(ErrorShape::openai, {502, message, "", ""}), message);
      co_return result;
    }
    out.ttfb_us = mono_now_us() - ex.started_us;
    if (status == 401 || status == 403) {
      std::string message = "Upstream channel '" + channel.record.name +
                            "' rejected the gateway's credentials (HTTP " + std::to_string(status) +
                            "). The operator must fix this channel's api_key.";
      hold_reply(out, Failure::auth, 502, error_body(ErrorShape::openai, {502, message, "", ""}),
                 message);
      co_return result;
    }
    if (status < 200 || status > 299) {
      answer = scrub_secret(std::move(answer), channel.record.api_key);
      const Failure failure = failure_of_status(status, answer);
      std::string error =
          "upstream channel '" + channel.record.name + "' answered HTTP " + std::to_string(status);
      hold_reply(out, failure, status, std::move(answer), std::move(error));
      if (!upstream_type.empty()) out.reply->content_type = std::string(upstream_type);
      co_return result;
    }
    bill_from_answer(answer, request, result.bill);
    co_await send_images_answer(ctx, answer, urls, out);
    co_return result;
  }

  // A stream: partial images and the completed ones, relayed as they come.
  result.bill.size = request.size;
  result.bill.quality = request.quality;
  SseParser parser;
  std::vector<SseEvent> events;
  ex.response.begin_stream(200, "text/event-stream");
  out.status = 200;
  std::string_view piece;
  for (;;) {
    events.clear();
    if (!co_await call.read_some(piece)) {
      std::string message = "upstream channel '" + channel.record.name + "': " + call.error();
      if (!ex.response.committed()) {
        // Not a byte reached the client: another channel may still answer.
        ex.response.abandon_stream();
        hold_reply(out, failure_of_call(call), 502,
                   error_body(ErrorShape::openai, {502, message, "", ""}), message);
        co_return result;
      }
      // Relayed byte for byte: no event boundary to put an error at, so the
      // chunked body stays unterminated, which clients report as broken.
      out.failure = failure_of_call(call);
      out.status = 502;
      out.error = std::move(message);
      ex.response.set_close();
      break;
    }
    const bool last = piece.empty() || call.done();
    if (!piece.empty()) parser.feed(piece, events);
    if (last) parser.finish(events);
    for (auto& e : events) tap_event(e, result.bill, out.error);
    if (!out.ttfb_us && !piece.empty()) out.ttfb_us = mono_now_us() - ex.started_us;
    bool sent;
    if (last)
      sent = co_await ex.response.end_stream(piece);
    else
      sent = co_await ex.response.write_chunk(piece);
    if (!sent) {
      out.status = 499;
      out.error = "client went away during the stream";
      break;
    }
    if (last) break;
  }
  co_return result;
}

}  // namespace aiohub
