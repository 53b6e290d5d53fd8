// An upstream's Chat Completions SSE -> IR stream events.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/wire.hpp"

namespace aiohub::openai_chat {

namespace json = boost::json;

void StreamDecoder::feed(std::string_view bytes, std::vector<ir::Event>& out) {
  events_.clear();
  sse_.feed(bytes, events_);
  for (const auto& ev : events_) on_data(ev.data, out);
}

void StreamDecoder::finish(std::vector<ir::Event>& out) {
  events_.clear();
  sse_.finish(events_);
  for (const auto& ev : events_) on_data(ev.data, out);
  if (ended_) return;
  // Without [DONE] a finish_reason still proves the answer complete; with
  // neither, the upstream broke off and the client must not take the
  // fragment for a whole answer.
  if (finish_reason_) return end(out);
  fail(ApiError{502,
                started_ ? "upstream stream ended before the answer was complete"
                         : "upstream closed the stream without an answer",
                "", ""},
       out);
}

namespace {

// The chunk of every token, as OpenAI writes it: its text content, or
// nullopt for any other chunk.
std::optional<std::string_view> plain_content_chunk(std::string_view data) {
  DataMatcher m(data);
  std::string_view s;
  std::int64_t created;
  if (!(m.literal(R"({"id":)") && m.plain_string(s) &&
        m.literal(R"(,"object":"chat.completion.chunk","created":)") && m.small_int(created) &&
        m.literal(R"(,"model":)") && m.plain_string(s)))
    return std::nullopt;
  if (m.literal(R"(,"system_fingerprint":)") && !m.plain_string(s)) return std::nullopt;
  if (!(m.literal(R"(,"choices":[{"index":0,"delta":{"content":)") && m.plain_string(s) &&
        m.literal("}")))
    return std::nullopt;
  m.literal(R"(,"logprobs":null)");
  if (!(m.literal(R"(,"finish_reason":null}]})") && m.at_end())) return std::nullopt;
  return s;
}

}  // namespace

void StreamDecoder::on_data(std::string_view data, std::vector<ir::Event>& out) {
  if (ended_) return;
  if (data == "[DONE]") return end(out);
  if (started_) {
    if (auto text = plain_content_chunk(data)) {
      if (!text->empty()) {
        if (open_ != Open::text) open(Open::text, out);
        send(ir::DeltaKind::text, *text, out);
      }
      return;
    }
  }
  // Parsed into a stack buffer: the tree lives only for this chunk.
  unsigned char buf[4096];
  json::monotonic_resource mr(buf, sizeof buf);
  boost::system::error_code ec;
  json::value doc = json::parse(data, ec, &mr);
  // Not a chunk (a stray keep-alive payload): nothing to tell the client.
  if (ec || !doc.is_object()) return;
  const auto& o = doc.get_object();
  if (const auto* err = wire::get(o, "error")) {
    // OpenRouter and others put the HTTP status in a numeric code.
    int status = 500;
    if (err->is_object())
      if (auto code = wire::get_int(err->get_object(), "code"); code >= 400 && code < 600)
        status = static_cast<int>(code);
    return fail(decode_error(status, data), out);
  }
  ensure_started(&o, out);
  if (const auto* usage = wire::get(o, "usage"); usage && usage->is_object())
    usage_ = wire::parse_usage(usage);
  if (const auto* choices = wire::get(o, "choices"); choices && choices->is_array())
    for (const auto& c : choices->get_array())
      // The IR holds one answer; n>1 is refused on the way in.
      if (const auto* choice = c.if_object(); choice && wire::get_int(*choice, "index") == 0)
        on_choice(*choice, out);
}

void StreamDecoder::on_choice(const json::object& choice, std::vector<ir::Event>& out) {
  if (const auto* d = wire::get(choice, "delta"); d && d->is_object()) {
    const auto& delta = d->get_object();
    // OpenRouter-style servers may send both fields with the same text.
    std::string_view reasoning = wire::get_string(delta, "reasoning_content");
    if (reasoning.empty()) reasoning = wire::get_string(delta, "reasoning");
    if (!reasoning.empty()) {
      if (open_ != Open::thinking) open(Open::thinking, out);
      send(ir::DeltaKind::thinking, reasoning, out);
    }
    std::string_view text = wire::get_string(delta, "content");
    if (auto refusal = wire::get_string(delta, "refusal"); !refusal.empty()) {
      text = refusal;
      saw_refusal_ = true;
    }
    if (!text.empty()) {
      if (open_ != Open::text) open(Open::text, out);
      send(ir::DeltaKind::text, text, out);
    }
    if (const auto* calls = wire::get(delta, "tool_calls"); calls && calls->is_array())
      for (const auto& c : calls->get_array())
        if (const auto* call = c.if_object()) on_tool_call(*call, out);
  }
  if (auto reason = wire::get_string(choice, "finish_reason"); !reason.empty()) {
    finish_reason_ = std::string(reason);
    close(out);
  }
}

void StreamDecoder::on_tool_call(const json::object& call, std::vector<ir::Event>& out) {
  std::string_view id = wire::get_string(call, "id");
  std::string_view name, arguments;
  if (const auto* fn = wire::get(call, "function"); fn && fn->is_object()) {
    name = wire::get_string(fn->get_object(), "name");
    arguments = wire::get_string(fn->get_object(), "arguments");
  }
  std::int64_t index;
  if (wire::get(call, "index")) {
    index = wire::get_int(call, "index");
  } else {
    // Some servers omit the index: a new id means a new call.
    bool new_call = open_ != Open::tool_call || (!id.empty() && id != open_tool_id_);
    index = new_call ? last_tool_ + 1 : open_tool_;
  }
  if (open_ == Open::tool_call && index == open_tool_) {
    send(ir::DeltaKind::arguments, arguments, out);
    return;
  }
  // A late fragment of a call already closed cannot be placed any more:
  // IR parts are strictly sequential. Real servers finish one call first.
  if (index <= last_tool_) return;
  open(Open::tool_call, out, id.empty() ? wire::new_id("call_") : std::string(id),
       std::string(name));
  open_tool_ = last_tool_ = index;
  open_tool_id_ = id;
  saw_tool_call_ = true;
  send(ir::DeltaKind::arguments, arguments, out);
}

void StreamDecoder::ensure_started(const json::object* chunk, std::vector<ir::Event>& out) {
  if (started_) return;
  started_ = true;
  ir::Event e;
  e.kind = ir::EventKind::message_start;
  if (chunk) {
    e.id = wire::get_string(*chunk, "id");
    e.model = wire::get_string(*chunk, "model");
  }
  out.push_back(std::move(e));
}

void StreamDecoder::open(Open kind, std::vector<ir::Event>& out, std::string id, std::string name) {
  close(out);
  ir::Event e;
  e.kind = ir::EventKind::part_start;
  e.index = next_index_++;
  e.part_kind = kind == Open::text       ? ir::PartKind::text
                : kind == Open::thinking ? ir::PartKind::thinking
                                         : ir::PartKind::tool_call;
  e.tool_call_id = std::move(id);
  e.tool_name = std::move(name);
  out.push_back(std::move(e));
  open_ = kind;
}

void StreamDecoder::send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out) {
  if (text.empty()) return;
  ir::Event e;
  e.kind = ir::EventKind::part_delta;
  e.index = next_index_ - 1;
  e.delta_kind = kind;
  e.delta = text;
  out.push_back(std::move(e));
}

void StreamDecoder::close(std::vector<ir::Event>& out) {
  if (open_ == Open::none) return;
  ir::Event e;
  e.kind = ir::EventKind::part_stop;
  e.index = next_index_ - 1;
  out.push_back(std::move(e));
  open_ = Open::none;
  open_tool_ = -1;
  open_tool_id_.clear();
}

// Only at [DONE] or the end of the body: the usage chunk comes after the
// finish_reason chunk (docs/protocols/README.md#pitfall-3).
void StreamDecoder::end(std::vector<ir::Event>& out) {
  ensure_started(nullptr, out);
  close(out);
  ir::Event delta;
  delta.kind = ir::EventKind::message_delta;
  delta.stop = stop_for(finish_reason_.value_or(""), saw_tool_call_);
  if (saw_refusal_ && delta.stop == ir::StopReason::end_turn) delta.stop = ir::StopReason::refusal;
  delta.usage = usage_;
  out.push_back(std::move(delta));
  ir::Event stop;
  stop.kind = ir::EventKind::message_stop;
  out.push_back(std::move(stop));
  ended_ = true;
}

void StreamDecoder::fail(ApiError err, std::vector<ir::Event>& out) {
  ensure_started(nullptr, out);
  ir::Event e;
  e.kind = ir::EventKind::error;
  e.error = std::move(err);
  out.push_back(std::move(e));
  ended_ = true;
}

}  // namespace aiohub::openai_chat
