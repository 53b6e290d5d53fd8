#include "pipeline/exchange.hpp"

#include <boost/json/parse.hpp>

#include "pipeline/relay_errors.hpp"
#include "protocols/errors.hpp"

namespace aiohub {
namespace {

// While it lives, a client hanging up cancels the exchange (closing the
// upstream connection), so that a provider stops generating for nobody —
// after a short drain, in which the relay keeps reading for the usage the
// upstream reports at the end.
class CancelOnClientGone {
 public:
  CancelOnClientGone(RelayContext& ctx, UpstreamExchange& call)
      : client_(ctx.client), call_(call), grace_(ctx.settings.drain_after_client_gone) {
    if (ctx.executor) timer_.emplace(ctx.executor);
    client_.on_gone([this] { start(); });
  }
  ~CancelOnClientGone() {
    client_.on_gone(nullptr);
    if (timer_) timer_->cancel();
  }
  CancelOnClientGone(const CancelOnClientGone&) = delete;
  CancelOnClientGone& operator=(const CancelOnClientGone&) = delete;

  // The client is gone: cancel after the drain (at once without a timer).
  void start() {
    if (started_) return;
    started_ = true;
    if (!timer_ || grace_.count() <= 0) {
      call_.cancel();
      return;
    }
    timer_->expires_after(grace_);
    timer_->async_wait([&call = call_](const boost::system::error_code& ec) {
      if (!ec) call.cancel();
    });
  }
  bool draining() const { return started_; }

 private:
  ClientTransport& client_;
  UpstreamExchange& call_;
  std::chrono::milliseconds grace_;
  std::optional<asio::steady_timer> timer_;
  bool started_ = false;
};

bool is_json(std::string_view body) {
  boost::system::error_code ec;
  boost::json::parse(body, ec);
  return !ec;
}

// The held answer for an upstream that could not be reached or read.
void hold_call_failure(RelayOutcome& out, const UpstreamExchange& call, Protocol client,
                       std::string message) {
  hold_reply(out, failure_of_call(call), 502,
             error_body(error_shape(client), {502, message, "", ""}), message);
}

// The held answer for an upstream's error status.
void hold_error_answer(RelayOutcome& out, const Channel& channel, const ProviderAdaptor& adaptor,
                       const UpstreamExchange& call, AnswerSink& sink, std::string body) {
  const int status = static_cast<int>(call.status());
  const ApiError decoded = adaptor.decode_error(status, call, body);
  const int said = adaptor.error_status(status, decoded);
  const Failure failure = failure_of_status(said, body);
  const Protocol client = sink.client_protocol();
  if (said == 401 || said == 403) {
    std::string message =
        adaptor.scrub(relay_errors::credentials_rejected(channel, said, decoded.message), channel);
    hold_reply(out, Failure::auth, 502, error_body(error_shape(client), {502, message, "", ""}),
               message);
    return;
  }
  if (sink.relays_upstream_errors() && adaptor.errors_in_protocol_shape() && is_json(body)) {
    // Same protocol: the provider's own error body is already the client's.
    std::string type(call.header("Content-Type"));
    hold_reply(out, failure, said, adaptor.scrub(std::move(body), channel),
               relay_errors::answered(channel, status, ""));
    if (!type.empty()) out.reply->content_type = std::move(type);
    return;
  }
  ApiError e = decoded;
  e.status = client_status_for(said, client);
  e.message = adaptor.scrub(relay_errors::answered(channel, status, decoded.message), channel);
  e.type.clear();
  std::string reply = error_body(error_shape(client), e);
  hold_reply(out, failure, e.status, std::move(reply), std::move(e.message));
}

}  // namespace

std::string_view AnswerSink::stream_type(std::string_view) const {
  return "text/event-stream";
}

int client_status_for(int said, Protocol client) {
  if (said == 401 || said == 403) return 502;
  if (said == 529 && client != Protocol::anthropic) return 503;
  if (said < 400 || said > 599) return 502;
  return said;
}

awaitable<RelayOutcome> relay_exchange(RelayContext& ctx, const Channel& channel,
                                       UpstreamRequest request, AnswerSink& sink) {
  RelayOutcome out;
  const ProviderAdaptor& adaptor = adaptor_for(channel);
  const Protocol client = sink.client_protocol();
  auto call = ctx.upstream.open(channel, channel_timeouts(channel, ctx.settings));
  CancelOnClientGone cancel_guard(ctx, *call);
  auto first_byte = [&] {
    if (!out.ttfb_us) out.ttfb_us = ctx.clock.mono_us() - ctx.started_us;
  };

  if (!co_await call->send(request.head, request.body)) {
    hold_call_failure(out, *call, client, relay_errors::unreachable(channel, call->error()));
    sink.finish(out);
    co_return out;
  }
  const int status = static_cast<int>(call->status());
  const std::string upstream_type(call->header("Content-Type"));
  const bool ok = status >= 200 && status <= 299;

  if (!ok || !adaptor.is_stream(upstream_type)) {
    std::string body;
    if (!co_await call->read_all(body, ctx.settings.max_response_bytes)) {
      hold_call_failure(out, *call, client, relay_errors::broken(channel, call->error()));
      sink.finish(out);
      co_return out;
    }
    first_byte();
    if (!ok)
      hold_error_answer(out, channel, adaptor, *call, sink, std::move(body));
    else {
      out.status = status;
      co_await sink.whole(ctx, adaptor.repair_answer(channel, std::move(body)), upstream_type, out);
    }
    sink.finish(out);
    co_return out;
  }

  auto rewriter = adaptor.stream_rewriter(channel);
  std::string rewritten;
  std::string_view piece;
  bool last = false;
  bool primed = false;  // `rewritten` holds the stream's first bytes, read ahead
  if (rewriter && adaptor.refuses_in_first_event()) {
    // Nothing goes to the client before the first event, which may be a
    // refusal with a status instead (and so a case for failover).
    bool broken = false;
    while (rewritten.empty() && !last) {
      if (!co_await call->read_some(piece)) {
        broken = true;
        break;
      }
      if (!piece.empty()) rewriter->feed(piece, rewritten);
      last = piece.empty() || call->done();
      if (last) rewriter->finish(rewritten);
    }
    if (auto refusal = adaptor.first_event_refusal(*rewriter, rewritten)) {
      first_byte();
      const int said = refusal->status;
      ApiError e = *refusal;
      e.status = client_status_for(said, client);
      e.message = adaptor.scrub(relay_errors::refused(channel, refusal->message), channel);
      e.type.clear();
      std::string reply = error_body(error_shape(client), e);
      hold_reply(out, failure_of_status(said, ""), e.status, std::move(reply), e.message);
      sink.finish(out);
      co_return out;
    }
    if (broken) {
      hold_call_failure(out, *call, client, relay_errors::broken(channel, call->error()));
      sink.finish(out);
      co_return out;
    }
    primed = true;
  }

  ctx.client.begin_stream(200, sink.stream_type(upstream_type));
  out.status = 200;
  std::string to_client;
  for (;;) {
    to_client.clear();
    bool broken = false;
    if (primed) {
      primed = false;
      piece = rewritten;
    } else if (!co_await call->read_some(piece)) {
      broken = true;
    } else {
      last = piece.empty() || call->done();
      if (rewriter) {
        rewritten.clear();
        if (!piece.empty()) rewriter->feed(piece, rewritten);
        if (last) rewriter->finish(rewritten);
        piece = rewritten;
      }
    }
    if (broken && cancel_guard.draining()) break;  // the drain ended (or the upstream did)
    if (broken) {
      if (out.delivered) {
        // The client has the whole answer (and may be gone): just end the body.
        co_await ctx.client.end();
        break;
      }
      if (!ctx.client.committed()) {
        // Not a byte reached the client: another channel may still answer.
        ctx.client.abandon_stream();
        out.status = 0;
        hold_call_failure(out, *call, client, relay_errors::broken(channel, call->error()));
        break;
      }
      out.status = 502;
      out.failure = failure_of_call(*call);
      out.error = relay_errors::broken(channel, call->error());
      if (!sink.in_band_error(out.error, to_client, out)) {
        ctx.client.cut();
        break;
      }
      co_await ctx.client.end(to_client);
      break;
    }
    sink.feed(piece, last, to_client, out);
    if (cancel_guard.draining()) {
      // The client is gone: read on (briefly) for the usage, send nothing.
      if (last) break;
      continue;
    }
    if (!to_client.empty()) first_byte();
    // Not a conditional expression: GCC 12 miscompiles co_await in one.
    bool sent;
    if (last)
      sent = co_await ctx.client.end(to_client);
    else
      sent = co_await ctx.client.write(to_client);
    if (!sent) {
      if (!out.delivered) {
        out.status = 499;
        out.error = relay_errors::kClientGoneDuringStream;
      }
      if (last || out.delivered) break;
      cancel_guard.start();
      continue;
    }
    if (sink.saw_terminal() && out.status == 200 && out.error.empty()) out.delivered = true;
    if (last) break;
  }
  sink.finish(out);
  co_return out;
}

}  // namespace aiohub
