// The demo channel for Claude, Responses and Gemini clients: the same echo as
// demo_chat.cpp, produced as IR and written by the client's own codec, so a
// newcomer can try every endpoint without an account.
#include "pipeline/relay.hpp"
#include "providers/upstream_request.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

constexpr auto kWordDelay = std::chrono::milliseconds(15);

std::int64_t count_words(const std::string& s) {
  std::int64_t n = 0;
  bool in = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

std::string text_of(const std::vector<ir::Part>& parts) {
  std::string out;
  for (auto& p : parts)
    if (p.kind == ir::PartKind::text) {
      if (!out.empty()) out.push_back('\n');
      out += p.text;
    }
  return out;
}

ir::Response demo_response(const ir::Request& request) {
  ir::Response r;
  r.id = random_urlsafe(24);
  r.model = request.model;
  std::string reply;
  for (auto& m : request.messages) {
    std::string text = text_of(m.parts);
    r.usage.input += count_words(text);
    if (m.role == ir::Role::user && !text.empty()) reply = text;
  }
  r.usage.input += count_words(text_of(request.system));
  if (reply.empty())
    reply = "Hello from the aiohub demo channel. Send some text and it comes back.";
  r.usage.output = count_words(reply);
  r.parts.push_back(ir::Part::make_text(reply));
  r.stop = ir::StopReason::end_turn;
  return r;
}

// The reply's text part split into one delta per word.
std::vector<ir::Event> word_events(const ir::Response& r) {
  std::vector<ir::Event> out;
  for (auto& e : response_as_events(r)) {
    if (e.kind != ir::EventKind::part_delta || e.delta_kind != ir::DeltaKind::text) {
      out.push_back(e);
      continue;
    }
    const std::string& text = e.delta;
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      while (j < text.size() && text[j] != ' ') ++j;
      ir::Event d = e;
      d.delta = text.substr(i, j - i);
      out.push_back(std::move(d));
      i = j;
    }
  }
  return out;
}

}  // namespace

awaitable<RelayOutcome> serve_demo(HttpExchange& ex, Protocol client, const ir::Request& request,
                                   const ClientHints& hints) {
  RelayOutcome out;
  out.usage_estimated = true;
  const ir::Response response = demo_response(request);
  out.usage = response.usage;
  const CodecOps& c = codec(client);
  if (!request.stream) {
    const std::string body = c.encode_response(response, request.model, hints);
    out.ttfb_us = mono_now_us() - ex.started_us;
    out.status = co_await ex.response.send(200, "application/json", body) ? 200 : 499;
    co_return out;
  }
  auto encoder = c.stream_encoder(request.model, hints);
  ex.response.begin_stream(200, "text/event-stream");
  out.status = 200;
  asio::steady_timer timer(ex.worker.io);
  const auto events = word_events(response);
  std::string bytes;
  bool ok = true;
  for (std::size_t i = 0; ok && i < events.size(); ++i) {
    bytes.clear();
    encoder->encode(events[i], bytes);
    if (i + 1 == events.size()) {
      ok = co_await ex.response.end_stream(bytes);
      break;
    }
    if (bytes.empty()) continue;
    if (events[i].kind == ir::EventKind::part_delta) {
      timer.expires_after(kWordDelay);
      co_await timer.async_wait(use_tuple);
    }
    ok = co_await ex.response.write_chunk(bytes);
    if (!out.ttfb_us) out.ttfb_us = mono_now_us() - ex.started_us;
  }
  if (!ok) {
    out.status = 499;
    out.error = "client went away during the stream";
  }
  co_return out;
}

}  // namespace aiohub
