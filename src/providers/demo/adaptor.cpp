// `demo`: the built-in channel that answers without any provider account, so
// that a newcomer can call the gateway at once. It is an upstream like any
// other, only in process: it speaks Chat Completions, echoing the last user
// message (word by word when streaming), and every client protocol reaches
// it through the same relays as a real channel.
#include <boost/json.hpp>

#include "providers/kinds.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace aiohub::providers {
namespace {
namespace json = boost::json;

constexpr auto kWordDelay = std::chrono::milliseconds(15);
constexpr std::string_view kGreeting =
    "Hello from the aiohub demo channel. Send some text and it comes back.";

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

std::int64_t count_words(std::string_view s) {
  std::int64_t n = 0;
  bool in = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
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

json::object usage_json(std::int64_t input, std::int64_t output) {
  return {
      {"prompt_tokens", input}, {"completion_tokens", output}, {"total_tokens", input + output}};
}

// The echo, as a Chat Completions upstream answers a request.
class DemoUpstream final : public UpstreamExchange {
 public:
  explicit DemoUpstream(asio::any_io_executor executor) : timer_(std::move(executor)) {}

  awaitable<bool> send(const std::string&, std::string_view body) override {
    boost::system::error_code ec;
    json::value request = json::parse(body, ec);
    std::string model = "aiohub-demo";
    std::string reply;
    std::int64_t input = 0;
    bool stream = false, usage_chunk = false;
    if (!ec && request.is_object()) {
      const json::object& o = request.get_object();
      if (auto* m = o.if_contains("model"); m && m->is_string()) model = m->get_string();
      if (auto* s = o.if_contains("stream"); s && s->is_bool()) stream = s->get_bool();
      if (auto* so = o.if_contains("stream_options"); so && so->is_object())
        if (auto* u = so->get_object().if_contains("include_usage"); u && u->is_bool())
          usage_chunk = u->get_bool();
      if (auto* messages = o.if_contains("messages"); messages && messages->is_array())
        for (auto& m : messages->get_array()) {
          if (!m.is_object()) continue;
          auto* content = m.get_object().if_contains("content");
          if (!content) continue;
          std::string text = text_of(*content);
          input += count_words(text);
          auto* role = m.get_object().if_contains("role");
          if (role && role->is_string() && role->get_string() == "user" && !text.empty())
            reply = std::move(text);
        }
    }
    if (reply.empty()) reply = kGreeting;
    const std::int64_t output = count_words(reply);
    const std::string id = "chatcmpl-demo" + random_urlsafe(16);
    const std::int64_t created = unix_now_s();
    if (!stream) {
      content_type_ = "application/json";
      json::object message{{"role", "assistant"}, {"content", reply}, {"refusal", nullptr}};
      json::object answer{{"id", id},
                          {"object", "chat.completion"},
                          {"created", created},
                          {"model", model},
                          {"choices", json::array{json::object{{"index", 0},
                                                               {"message", std::move(message)},
                                                               {"logprobs", nullptr},
                                                               {"finish_reason", "stop"}}}},
                          {"usage", usage_json(input, output)}};
      pieces_.push_back(json::serialize(answer));
      co_return true;
    }
    content_type_ = "text/event-stream";
    auto chunk = [&](json::object delta, const char* finish) {
      json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}};
      choice["finish_reason"] = finish ? json::value(finish) : json::value(nullptr);
      json::object c{{"id", id},
                     {"object", "chat.completion.chunk"},
                     {"created", created},
                     {"model", model},
                     {"choices", json::array{std::move(choice)}}};
      return "data: " + json::serialize(c) + "\n\n";
    };
    pieces_.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (auto& word : words_of(reply)) pieces_.push_back(chunk({{"content", word}}, nullptr));
    pieces_.push_back(chunk({}, "stop"));
    if (usage_chunk) {
      json::object c{{"id", id},
                     {"object", "chat.completion.chunk"},
                     {"created", created},
                     {"model", model},
                     {"choices", json::array{}},
                     {"usage", usage_json(input, output)}};
      pieces_.push_back("data: " + json::serialize(c) + "\n\n");
    }
    pieces_.push_back("data: [DONE]\n\n");
    stream_ = true;
    co_return true;
  }

  const std::string& error() const override { return error_; }
  bool never_connected() const override { return false; }
  bool timed_out() const override { return false; }
  void cancel() override {
    cancelled_ = true;
    error_ = "cancelled";
    timer_.cancel();
  }
  unsigned status() const override { return 200; }
  std::string_view header(std::string_view name) const override {
    return name == "Content-Type" || name == "content-type" ? std::string_view(content_type_)
                                                            : std::string_view{};
  }

  awaitable<bool> read_some(std::string_view& piece) override {
    if (cancelled_) co_return false;
    if (next_ >= pieces_.size()) {
      piece = {};
      co_return true;
    }
    // Streamed words come at about the pace a model writes them.
    if (stream_ && next_ > 0) {
      timer_.expires_after(kWordDelay);
      co_await timer_.async_wait(use_tuple);
      if (cancelled_) co_return false;
    }
    piece = pieces_[next_++];
    co_return true;
  }
  awaitable<bool> read_all(std::string& body, std::size_t) override {
    std::string_view piece;
    while (next_ < pieces_.size()) {
      if (!co_await read_some(piece)) co_return false;
      body.append(piece);
    }
    co_return true;
  }
  bool done() const override { return next_ >= pieces_.size(); }

 private:
  asio::steady_timer timer_;
  std::vector<std::string> pieces_;
  std::size_t next_ = 0;
  std::string content_type_;
  std::string error_;
  bool stream_ = false;
  bool cancelled_ = false;
};

class DemoAdaptor final : public ProviderAdaptor {
 public:
  DemoAdaptor() : ProviderAdaptor(ChannelKind::demo, Protocol::openai_chat) {}

  bool serves(Endpoint endpoint) const override { return endpoint != Endpoint::images; }
  UpstreamRequest build_request(const Channel&, UpstreamAsk ask) const override {
    return {std::string(), std::move(ask.body)};
  }
  std::unique_ptr<UpstreamExchange> open(const Channel&, const UpstreamSite& site,
                                         UpstreamTimeouts) const override {
    return std::make_unique<DemoUpstream>(site.executor);
  }
  bool counts_tokens() const override { return false; }
  // Words, not tokens.
  bool usage_is_estimate() const override { return true; }
};

}  // namespace

const ProviderAdaptor& demo() {
  static const DemoAdaptor adaptor;
  return adaptor;
}

}  // namespace aiohub::providers
