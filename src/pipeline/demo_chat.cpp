// The built-in demo channel: answers any chat request locally, so that a
// newcomer can call the gateway before they have a provider account. It
// echoes the last user message; when streaming, word by word.
#include <boost/json.hpp>

#include "pipeline/relay.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {
namespace json = boost::json;

constexpr auto kWordDelay = std::chrono::milliseconds(15);

std::string text_of(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string out;
  if (content.is_array())
    for (auto& part : content.get_array())
      if (part.is_object())
        if (auto* t = part.get_object().if_contains("text"); t && t->is_string()) {
          if (!out.empty()) out.push_back('\n');
          out.append(t->get_string());
        }
  return out;
}

// Each piece keeps its leading spaces, so that the pieces join back exactly.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && text[j] == ' ') ++j;
    while (j < text.size() && text[j] != ' ') ++j;
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

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

// What the demo says, and what it counts as tokens (words: an estimate).
struct DemoReply {
  std::string text;
  Usage usage;
};

DemoReply compose_reply(std::string_view body) {
  DemoReply r;
  boost::system::error_code ec;
  json::value request = json::parse(body, ec);
  if (!ec && request.is_object())
    if (auto* messages = request.get_object().if_contains("messages");
        messages && messages->is_array())
      for (auto& m : messages->get_array()) {
        if (!m.is_object()) continue;
        auto* content = m.get_object().if_contains("content");
        if (!content) continue;
        std::string text = text_of(*content);
        r.usage.input += count_words(text);
        auto* role = m.get_object().if_contains("role");
        if (role && role->is_string() && role->get_string() == "user") r.text = text;
      }
  if (r.text.empty())
    r.text = "Hello from the aiohub demo channel. Send some text and it comes back.";
  r.usage.output = count_words(r.text);
  return r;
}

json::object usage_json(const Usage& u) {
  return {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output}};
}

std::string completion_body(const std::string& id, std::int64_t created, const std::string& model,
                            const DemoReply& r) {
  json::object message{{"role", "assistant"}, {"content", r.text}, {"refusal", nullptr}};
  json::object body{{"id", id},
                    {"object", "chat.completion"},
                    {"created", created},
                    {"model", model},
                    {"choices", json::array{json::object{{"index", 0},
                                                         {"message", std::move(message)},
                                                         {"logprobs", nullptr},
                                                         {"finish_reason", "stop"}}}},
                    {"usage", usage_json(r.usage)}};
  return json::serialize(body);
}

// One SSE event of the stream: a delta (role, content, or none with a finish
// reason), or with `usage` set the usage-only final chunk.
std::string chunk_event(const std::string& id, std::int64_t created, const std::string& model,
                        std::string_view role, std::optional<std::string_view> content,
                        std::string_view finish, const Usage* usage) {
  json::object c{
      {"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model}};
  if (usage) {
    c["choices"] = json::array{};
    c["usage"] = usage_json(*usage);
  } else {
    json::object delta;
    if (!role.empty()) delta["role"] = role;
    if (content) delta["content"] = *content;
    json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}};
    choice["finish_reason"] = finish.empty() ? json::value(nullptr) : json::value(finish);
    c["choices"] = json::array{std::move(choice)};
  }
  return "data: " + json::serialize(c) + "\n\n";
}

}  // namespace

awaitable<RelayOutcome> serve_demo_chat(HttpExchange& ex, const openai_chat::RequestPeek& peek) {
  RelayOutcome out;
  out.usage_estimated = true;
  const DemoReply reply = compose_reply(ex.request.body());
  out.usage = reply.usage;
  const std::string id = "chatcmpl-demo" + random_urlsafe(16);
  const std::int64_t created = unix_now_s();
  const std::string& model = peek.model;

  if (!peek.stream) {
    std::string body = completion_body(id, created, model, reply);
    out.ttfb_us = mono_now_us() - ex.started_us;
    out.status = co_await ex.response.send(200, "application/json", body) ? 200 : 499;
    co_return out;
  }

  out.status = 200;
  ex.response.begin_stream(200, "text/event-stream");
  bool ok = true;
  out.ttfb_us = mono_now_us() - ex.started_us;
  std::string event = chunk_event(id, created, model, "assistant", "", "", nullptr);
  if (ok) ok = co_await ex.response.write_chunk(event);
  asio::steady_timer timer(ex.worker.io);
  for (auto& word : words_of(reply.text)) {
    if (!ok) break;
    timer.expires_after(kWordDelay);
    co_await timer.async_wait(use_tuple);
    event = chunk_event(id, created, model, "", word, "", nullptr);
    ok = co_await ex.response.write_chunk(event);
  }
  event = chunk_event(id, created, model, "", std::nullopt, "stop", nullptr);
  if (ok) ok = co_await ex.response.write_chunk(event);
  if (ok && peek.client_wants_usage) {
    event = chunk_event(id, created, model, "", std::nullopt, "", &reply.usage);
    ok = co_await ex.response.write_chunk(event);
  }
  if (ok) ok = co_await ex.response.end_stream("data: [DONE]\n\n");
  if (!ok) {
    out.status = 499;
    out.error = "client went away during the stream";
  }
  co_return out;
}

}  // namespace aiohub
