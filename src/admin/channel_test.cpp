#include "admin/channel_test.hpp"

#include "admin/channel_view.hpp"
#include "admin/json_util.hpp"
#include "protocols/codec.hpp"
#include "providers/adaptor.hpp"
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

std::string outcome_json(const Outcome& o, const std::string& model, const ChannelRecord& channel) {
  json::object body;
  body["ok"] = o.ok;
  body["status"] = o.status;
  body["latency_ms"] = o.latency_ms;
  body["model"] = model;
  body[o.ok ? "answer" : "error"] = scrub_credentials(o.text, channel);
  return json::serialize(body);
}

// Everything the call needs, built outside the coroutine.
struct Prepared {
  Channel channel;
  UpstreamRequest request;
  UpstreamTimeouts timeouts;
  std::optional<std::string> refusal;  // the test cannot be run: why
};

Prepared prepare(const ChannelTestPlan& plan) {
  Prepared p;
  std::string problem;
  auto channel = channel_from_record(plan.channel, problem);
  if (!channel) {
    p.refusal = "The channel's base_url or proxy is not usable.";
    return p;
  }
  p.channel = std::move(*channel);
  const ProviderAdaptor& adaptor = adaptor_for(p.channel);
  const std::string& upstream_model = p.channel.upstream_model(plan.model);
  ir::Request r;
  r.model = upstream_model;
  ir::Message m;
  m.role = ir::Role::user;
  m.parts.push_back(ir::Part::make_text("Reply with one word: pong"));
  r.messages.push_back(std::move(m));
  r.max_tokens = kMaxTokens;
  r.stream = false;
  static const boost::beast::http::fields kNoClientHeaders;
  p.request = adaptor.build_request(p.channel, {UpstreamApi::generate, upstream_model, false,
                                                codec(adaptor.protocol()).encode_request(r),
                                                "application/json", kNoClientHeaders});
  const auto& s = plan.channel.settings;
  p.timeouts.connect = std::chrono::seconds(s.connect_timeout_seconds.value_or(10));
  p.timeouts.first_byte =
      std::chrono::seconds(std::min(s.first_byte_timeout_seconds.value_or(60), 60));
  p.timeouts.idle = std::chrono::seconds(std::min(s.idle_timeout_seconds.value_or(60), 60));
  return p;
}

Outcome read_answer(const Prepared& p, const UpstreamExchange& call, std::string_view body) {
  const ProviderAdaptor& adaptor = adaptor_for(p.channel);
  Outcome o;
  o.status = call.status();
  if (o.status >= 200 && o.status < 300) {
    ir::Response decoded;
    if (auto err = codec(adaptor.protocol()).decode_response(body, decoded)) {
      o.text = "The upstream answered HTTP " + std::to_string(o.status) +
               " with a body that could not be read: " + err->message;
      return o;
    }
    o.ok = true;
    for (auto& part : decoded.parts)
      if (part.kind == ir::PartKind::text) o.text += part.text;
    return o;
  }
  ApiError e = adaptor.decode_error(static_cast<int>(o.status), call, body);
  o.text = e.message.empty() ? "HTTP " + std::to_string(o.status) : e.message;
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

awaitable<std::string> run_channel_test(const ChannelTestPlan& plan, const UpstreamSite& site) {
  Prepared p = prepare(plan);
  Outcome o;
  if (p.refusal) {
    o.text = *p.refusal;
    co_return outcome_json(o, plan.model, plan.channel);
  }
  const ProviderAdaptor& adaptor = adaptor_for(p.channel);
  const std::int64_t started = mono_now_us();
  auto call = adaptor.open(p.channel, site, p.timeouts);
  std::string answer;
  bool sent = co_await call->send(p.request.head, p.request.body);
  bool read = false;
  if (sent) read = co_await call->read_all(answer, kMaxAnswerBytes);
  const std::int64_t latency_ms = (mono_now_us() - started) / 1000;
  if (!sent || !read) {
    o.status = sent ? call->status() : 0;
    o.text = call->error();
  } else {
    o = read_answer(p, *call, answer);
  }
  o.latency_ms = latency_ms;
  co_return outcome_json(o, plan.model, plan.channel);
}

}  // namespace aiohub::admin
