#include "admin/channel_test.hpp"

#include "admin/channel_view.hpp"
#include "admin/json_util.hpp"
#include "protocols/codec.hpp"
#include "providers/upstream_request.hpp"
#include "server/upstream.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace aiohub::admin {
namespace {

constexpr std::int64_t kMaxTokens = 16;
constexpr std::size_t kMaxAnswerBytes = 1 << 20;

struct Outcome {
  bool ok = false;
  unsigned status = 0;  // 0: no HTTP answer (connection failed, timed out)
  std::int64_t latency_ms = 0;
  std::string text;  // the answer, or the error
};

std::string outcome_json(const Outcome& o, const std::string& model, const std::string& secret) {
  json::object body;
  body["ok"] = o.ok;
  body["status"] = o.status;
  body["latency_ms"] = o.latency_ms;
  body["model"] = model;
  body[o.ok ? "answer" : "error"] = scrub_secret(o.text, secret);
  return json::serialize(body);
}

// Everything the call needs, built outside the coroutine.
struct Prepared {
  Channel channel;
  Protocol protocol = Protocol::openai_chat;
  std::string upstream_model;
  std::string head;
  std::string body;
  UpstreamTimeouts timeouts;
  std::optional<std::string> refusal;  // the test cannot be run: why
};

Prepared prepare(const ChannelTestPlan& plan) {
  Prepared p;
  p.channel.record = plan.channel;
  p.channel.kind = channel_kind(plan.channel.type);
  if (p.channel.kind == ChannelKind::bedrock) {
    p.refusal = "Channels of type 'bedrock' cannot be tested yet.";
    return p;
  }
  if (p.channel.kind == ChannelKind::demo) return p;
  auto addr = parse_base_url(plan.channel.base_url);
  if (!addr) {
    p.refusal = "The channel's base_url is not usable.";
    return p;
  }
  p.channel.upstream = *addr;
  p.protocol = upstream_protocol(p.channel.kind);
  p.upstream_model = p.channel.upstream_model(plan.model);

  ir::Request r;
  r.model = p.upstream_model;
  ir::Message m;
  m.role = ir::Role::user;
  m.parts.push_back(ir::Part::make_text("Reply with one word: pong"));
  r.messages.push_back(std::move(m));
  r.max_tokens = kMaxTokens;
  r.stream = false;
  p.body = codec(p.protocol).encode_request(r);
  const boost::beast::http::fields no_client_headers;
  p.head = upstream_request_head(p.channel, p.protocol, p.upstream_model, false, p.body.size(),
                                 no_client_headers);
  const auto& s = plan.channel.settings;
  p.timeouts.connect = std::chrono::seconds(s.connect_timeout_seconds.value_or(10));
  p.timeouts.first_byte =
      std::chrono::seconds(std::min(s.first_byte_timeout_seconds.value_or(60), 60));
  p.timeouts.idle = std::chrono::seconds(std::min(s.idle_timeout_seconds.value_or(60), 60));
  return p;
}

Outcome read_answer(const Prepared& p, unsigned status, std::string_view body) {
  Outcome o;
  o.status = status;
  if (status >= 200 && status < 300) {
    ir::Response decoded;
    if (auto err = codec(p.protocol).decode_response(body, decoded)) {
      o.text = "The upstream answered HTTP " + std::to_string(status) +
               " with a body that could not be read: " + err->message;
      return o;
    }
    o.ok = true;
    for (auto& part : decoded.parts)
      if (part.kind == ir::PartKind::text) o.text += part.text;
    return o;
  }
  ApiError e = codec(p.protocol).decode_error(static_cast<int>(status), body);
  o.text = e.message.empty() ? "HTTP " + std::to_string(status) : e.message;
  return o;
}

}  // namespace

ChannelTestPlan plan_channel_test(Store& store, const std::string& name, std::string_view body) {
  auto channel = channel_by_name(store, name);
  if (!channel) not_found("No channel named '" + name + "'.");
  json::object o = parse_object(body);
  Fields f(o);
  auto model = f.string("model");
  f.refuse_unknown();
  ChannelTestPlan plan;
  plan.channel = *channel;
  if (model && !model->empty())
    plan.model = *model;
  else if (!channel->models.empty())
    plan.model = channel->models.front();
  else
    bad_request("Channel '" + name + "' lists no models; say which to try with {\"model\":...}.");
  return plan;
}

awaitable<std::string> run_channel_test(const ChannelTestPlan& plan,
                                        const std::shared_ptr<UpstreamPool>& pool) {
  Prepared p = prepare(plan);
  Outcome o;
  if (p.refusal) {
    o.text = *p.refusal;
    co_return outcome_json(o, plan.model, plan.channel.api_key);
  }
  if (p.channel.kind == ChannelKind::demo) {
    o.ok = true;
    o.status = 200;
    o.text = "pong (the demo channel answers locally)";
    co_return outcome_json(o, plan.model, plan.channel.api_key);
  }
  const std::int64_t started = mono_now_us();
  UpstreamCall call(pool, p.channel.upstream, p.timeouts);
  std::string answer;
  bool sent = co_await call.send(p.head, p.body);
  bool read = false;
  if (sent) read = co_await call.read_all(answer, kMaxAnswerBytes);
  const std::int64_t latency_ms = (mono_now_us() - started) / 1000;
  if (!sent || !read) {
    o.status = sent ? call.status() : 0;
    o.text = call.error();
  } else {
    o = read_answer(p, call.status(), answer);
  }
  o.latency_ms = latency_ms;
  co_return outcome_json(o, plan.model, plan.channel.api_key);
}

}  // namespace aiohub::admin
