// Upstream Anthropic SSE -> IR events. Anthropic's stream already has the IR's
// shape; the work is renumbering blocks (server tool blocks have no IR part)
// and folding usage, whose counts are spread over message_start and
// message_delta.
#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub::anthropic {

namespace json = boost::json;
using wire::get;
using wire::get_string;

void StreamDecoder::feed(std::string_view bytes, std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.feed(bytes, events);
  for (const SseEvent& e : events) on_event(e, out);
}

void StreamDecoder::finish(std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.finish(events);
  for (const SseEvent& e : events) on_event(e, out);
  if (!ended_) fail({502, "upstream stream closed before message_stop", "", "api_error"}, out);
}

void StreamDecoder::on_event(const SseEvent& sse, std::vector<ir::Event>& out) {
  if (ended_) return;
  // Fast path for the event of every token, as Anthropic writes it.
  if (started_) {
    DataMatcher m(sse.data);
    std::int64_t index;
    std::string_view text;
    if (m.literal(R"({"type":"content_block_delta","index":)") && m.small_int(index) &&
        m.literal(R"(,"delta":{"type":"text_delta","text":)") && m.plain_string(text) &&
        m.literal("}}") && m.at_end()) {
      auto it = indices_.find(index);
      if (it != indices_.end() && it->second == open_ && open_ >= 0)
        send(ir::DeltaKind::text, text, out);
      return;
    }
  }
  // Parsed into a stack buffer: the tree lives only for this event.
  unsigned char buf[4096];
  json::monotonic_resource mr(buf, sizeof buf);
  boost::system::error_code ec;
  json::value v = json::parse(sse.data, ec, &mr);
  if (ec || !v.is_object()) return;  // not an event of ours (keep-alive junk)
  const json::object& ev = v.get_object();
  // The data's type is authoritative; the event line is the same name.
  std::string_view type = get_string(ev, "type");
  if (type.empty()) type = sse.event;
  if (type == "ping") return;
  if (type == "error") {
    const json::value* err = get(ev, "error");
    const json::object empty;
    const json::object& eo = err && err->is_object() ? err->get_object() : empty;
    std::string etype(get_string(eo, "type"));
    fail({wire::status_for_type(etype), std::string(get_string(eo, "message")), "", etype}, out);
    return;
  }
  if (type == "message_start") {
    if (started_) return;
    started_ = true;
    const json::value* mv = get(ev, "message");
    const json::object empty;
    const json::object& m = mv && mv->is_object() ? mv->get_object() : empty;
    ir::Event e;
    e.kind = ir::EventKind::message_start;
    e.id = get_string(m, "id");
    e.model = get_string(m, "model");
    if (const json::value* u = get(m, "usage"); u && u->is_object()) {
      usage_ = wire::parse_usage(u->get_object());
      e.usage = usage_;
    }
    out.push_back(std::move(e));
    return;
  }
  if (!started_) {
    fail({502, "upstream stream did not begin with message_start", "", "api_error"}, out);
    return;
  }
  if (type == "content_block_start") {
    on_block_start(ev, out);
  } else if (type == "content_block_delta") {
    on_block_delta(ev, out);
  } else if (type == "content_block_stop") {
    auto it = indices_.find(wire::get_int(ev, "index"));
    if (it != indices_.end() && it->second == open_) close(out);
  } else if (type == "message_delta") {
    on_message_delta(ev, out);
  } else if (type == "message_stop") {
    close(out);
    ir::Event e;
    e.kind = ir::EventKind::message_stop;
    out.push_back(std::move(e));
    ended_ = true;
  }
}

void StreamDecoder::on_block_start(const json::object& ev, std::vector<ir::Event>& out) {
  close(out);  // parts are strictly sequential, even if the upstream was not
  std::int64_t index = wire::get_int(ev, "index");
  const json::value* bv = get(ev, "content_block");
  std::optional<ir::Part> part;
  // A block after message_delta has no place in the IR sequence (the client
  // encoders have already written the end of the message): skipped, like a
  // block the IR cannot carry.
  if (bv && bv->is_object() && !delta_seen_) part = wire::output_part(bv->get_object());
  if (!part) {
    indices_[index] = -1;
    return;
  }
  ir::Event e;
  e.kind = ir::EventKind::part_start;
  e.index = open_ = next_index_++;
  e.part_kind = part->kind;
  e.tool_call_id = part->tool_call_id;
  e.tool_name = part->tool_name;
  indices_[index] = e.index;
  out.push_back(std::move(e));
  // Blocks normally start empty, but redacted thinking arrives whole and
  // some compatible servers send everything in the start event.
  switch (part->kind) {
    case ir::PartKind::text:
      send(ir::DeltaKind::text, part->text, out);
      break;
    case ir::PartKind::thinking:
      send(ir::DeltaKind::thinking, part->text, out);
      send(ir::DeltaKind::signature, part->signature, out);
      break;
    case ir::PartKind::redacted_thinking:
      send(ir::DeltaKind::signature, part->data, out);
      break;
    case ir::PartKind::tool_call:
      if (part->arguments != "{}") send(ir::DeltaKind::arguments, part->arguments, out);
      break;
    default:
      break;
  }
}

void StreamDecoder::on_block_delta(const json::object& ev, std::vector<ir::Event>& out) {
  auto it = indices_.find(wire::get_int(ev, "index"));
  if (it == indices_.end() || it->second != open_ || open_ < 0) return;
  const json::value* dv = get(ev, "delta");
  if (!dv || !dv->is_object()) return;
  const json::object& d = dv->get_object();
  std::string_view type = get_string(d, "type");
  if (type == "text_delta")
    send(ir::DeltaKind::text, get_string(d, "text"), out);
  else if (type == "input_json_delta")
    send(ir::DeltaKind::arguments, get_string(d, "partial_json"), out);
  else if (type == "thinking_delta")
    send(ir::DeltaKind::thinking, get_string(d, "thinking"), out);
  else if (type == "signature_delta")
    send(ir::DeltaKind::signature, get_string(d, "signature"), out);
  // citations_delta: the IR has no citations.
}

void StreamDecoder::on_message_delta(const json::object& ev, std::vector<ir::Event>& out) {
  close(out);
  delta_seen_ = true;
  ir::Event e;
  e.kind = ir::EventKind::message_delta;
  if (const json::value* dv = get(ev, "delta"); dv && dv->is_object()) {
    const json::object& d = dv->get_object();
    if (const json::value* s = get(d, "stop_reason"); s && s->is_string())
      e.stop = ir_stop_reason(s->get_string());
    e.stop_sequence = get_string(d, "stop_sequence");
  }
  if (const json::value* uv = get(ev, "usage"); uv && uv->is_object()) {
    // output_tokens is cumulative; input and cache counts appear here only
    // when they changed (server tools), else message_start's stand.
    const json::object& u = uv->get_object();
    std::int64_t uncached = usage_.input - usage_.cache_read - usage_.cache_write;
    if (get(u, "cache_read_input_tokens"))
      usage_.cache_read = wire::get_int(u, "cache_read_input_tokens");
    if (get(u, "cache_creation_input_tokens"))
      usage_.cache_write = wire::get_int(u, "cache_creation_input_tokens");
    if (get(u, "input_tokens")) uncached = wire::get_int(u, "input_tokens");
    usage_.input = uncached + usage_.cache_read + usage_.cache_write;
    if (get(u, "output_tokens")) usage_.output = wire::get_int(u, "output_tokens");
    if (const json::value* d = get(u, "output_tokens_details"); d && d->is_object())
      usage_.reasoning = wire::get_int(d->get_object(), "thinking_tokens");
    usage_.reported = true;
  }
  e.usage = usage_;
  out.push_back(std::move(e));
}

void StreamDecoder::send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out) {
  if (text.empty() || open_ < 0) return;
  out.push_back(ir::part_delta_event(open_, kind, text));
}

void StreamDecoder::close(std::vector<ir::Event>& out) {
  if (open_ < 0) return;
  out.push_back(ir::part_stop_event(open_));
  open_ = -1;
}

void StreamDecoder::fail(ApiError err, std::vector<ir::Event>& out) {
  ir::Event e;
  e.kind = ir::EventKind::error;
  e.error = std::move(err);
  out.push_back(std::move(e));
  ended_ = true;
}

}  // namespace aiohub::anthropic
