// Upstream Gemini SSE -> IR events. Each chunk carries only new parts, so
// consecutive text (or thought) parts extend one open IR part, and each
// functionCall arrives whole and becomes a complete tool_call part.
#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"

namespace aiohub::gemini {

namespace json = boost::json;
using wire::get_array;
using wire::get_object;
using wire::get_string;

void StreamDecoder::feed(std::string_view bytes, std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.feed(bytes, events);
  for (const SseEvent& e : events) on_chunk(e, out);
}

void StreamDecoder::finish(std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.finish(events);
  for (const SseEvent& e : events) on_chunk(e, out);
  if (ended_) return;
  if (!started_) return fail({502, "upstream stream ended without a response", "", ""}, out);
  // Gemini CLI accepts a call-only turn without a finishReason; so do we.
  if (!finished_ && saw_tool_call_) end(ir::StopReason::tool_use, out);
  if (!finished_) return fail({502, "upstream stream ended without a finishReason", "", ""}, out);
  ir::Event e;
  e.kind = ir::EventKind::message_stop;
  out.push_back(std::move(e));
  ended_ = true;
}

void StreamDecoder::on_chunk(const SseEvent& sse, std::vector<ir::Event>& out) {
  if (ended_ || finished_ || sse.data.empty()) return;
  // Parsed into a stack buffer: the tree lives only for this chunk.
  unsigned char buf[4096];
  json::monotonic_resource mr(buf, sizeof buf);
  boost::system::error_code ec;
  json::value v = json::parse(sse.data, ec, &mr);
  if (ec || !v.is_object())
    return fail({502, "upstream sent a malformed stream chunk", "", ""}, out);
  const json::object& chunk = v.get_object();
  if (const json::object* err = get_object(chunk, "error")) {
    int status = static_cast<int>(wire::get_int(*err, "code").value_or(0));
    if (status <= 0) status = wire::status_for(get_string(*err, "status"));
    return fail({status, std::string(get_string(*err, "message")), "", ""}, out);
  }
  // usageMetadata is cumulative: the last one seen is the total.
  if (const json::object* u = get_object(chunk, "usageMetadata")) usage_ = wire::parse_usage(*u);
  if (!started_) {
    started_ = true;
    ir::Event e;
    e.kind = ir::EventKind::message_start;
    e.id = get_string(chunk, "responseId");
    call_prefix_ = "call_" + (e.id.empty() ? wire::new_id("") : e.id) + "_";
    e.model = get_string(chunk, "modelVersion");
    e.usage = usage_;
    out.push_back(std::move(e));
  }
  const json::array* candidates = get_array(chunk, "candidates");
  const json::object* cand = candidates && !candidates->empty() && (*candidates)[0].is_object()
                                 ? &(*candidates)[0].get_object()
                                 : nullptr;
  if (!cand) {
    const json::object* fb = get_object(chunk, "promptFeedback");
    if (fb && !get_string(*fb, "blockReason").empty()) end(ir::StopReason::content_filter, out);
    return;
  }
  const json::object* content = get_object(*cand, "content");
  if (const json::array* parts = content ? get_array(*content, "parts") : nullptr)
    for (const json::value& p : *parts)
      if (p.is_object()) on_part(p.get_object(), out);
  std::string_view reason = get_string(*cand, "finishReason");
  if (!reason.empty()) end(ir_stop_reason(reason, saw_tool_call_), out);
}

void StreamDecoder::on_part(const json::object& part, std::vector<ir::Event>& out) {
  ir::Part p;
  std::string why;
  if (wire::decode_part(part, p, why) != wire::PartResult::ok) return;
  switch (p.kind) {
    case ir::PartKind::text:
    case ir::PartKind::thinking:
      // An empty part only carrying nothing must not split the open part.
      if (p.text.empty() && p.signature.empty()) return;
      if (open_ < 0 || open_kind_ != p.kind) open(p.kind, "", "", out);
      send(p.kind == ir::PartKind::text ? ir::DeltaKind::text : ir::DeltaKind::thinking, p.text,
           out);
      send(ir::DeltaKind::signature, p.signature, out);
      break;
    case ir::PartKind::tool_call:
      saw_tool_call_ = true;
      if (p.tool_call_id.empty()) p.tool_call_id = call_prefix_ + std::to_string(calls_++);
      open(ir::PartKind::tool_call, p.tool_call_id, p.tool_name, out);
      send(ir::DeltaKind::arguments, p.arguments, out);
      send(ir::DeltaKind::signature, p.signature, out);
      close(out);
      break;
    default:
      // Inline media output has no stream event form in the IR.
      break;
  }
}

void StreamDecoder::open(ir::PartKind kind, std::string id, std::string name,
                         std::vector<ir::Event>& out) {
  close(out);
  ir::Event e;
  e.kind = ir::EventKind::part_start;
  e.index = open_ = next_index_++;
  e.part_kind = open_kind_ = kind;
  e.tool_call_id = std::move(id);
  e.tool_name = std::move(name);
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

void StreamDecoder::end(ir::StopReason stop, std::vector<ir::Event>& out) {
  close(out);
  ir::Event e;
  e.kind = ir::EventKind::message_delta;
  e.stop = stop;
  e.usage = usage_;
  out.push_back(std::move(e));
  finished_ = true;
}

void StreamDecoder::fail(ApiError err, std::vector<ir::Event>& out) {
  ir::Event e;
  e.kind = ir::EventKind::error;
  e.error = std::move(err);
  out.push_back(std::move(e));
  ended_ = true;
}

}  // namespace aiohub::gemini
