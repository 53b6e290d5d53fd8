// IR events -> Gemini SSE for @google/genai's generateContentStream: one
// compact GenerateContentResponse per `data:` line carrying only the new
// parts, tool calls whole, and a last chunk with finishReason and usage
// (PROTOCOLS.md 1.4, pitfalls 1 and 6).
#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"

namespace aiohub::gemini {

namespace json = boost::json;

StreamEncoder::StreamEncoder(std::string client_model) : client_model_(std::move(client_model)) {}

void StreamEncoder::encode(const ir::Event& e, std::string& out) {
  if (ended_) return;
  switch (e.kind) {
    case ir::EventKind::message_start:
      if (response_id_.empty()) response_id_ = e.id;
      usage_ = e.usage;
      break;
    case ir::EventKind::part_start:
      if (finished_) break;
      kinds_[e.index] = e.part_kind;
      if (e.part_kind == ir::PartKind::tool_call) {
        flush_tool_call(out);
        tool_index_ = e.index;
        tool_id_ = e.tool_call_id;
        tool_name_ = e.tool_name;
      }
      break;
    case ir::EventKind::part_delta:
      if (!finished_) delta(e, out);
      break;
    case ir::EventKind::part_stop:
      if (e.index == tool_index_) flush_tool_call(out);
      break;
    case ir::EventKind::message_delta:
      if (finished_) break;
      if (e.usage.reported) usage_ = e.usage;
      stop_ = e.stop.value_or(ir::StopReason::end_turn);
      finish_chunk(out);
      break;
    case ir::EventKind::message_stop:
      // The SDK needs a finishReason even if the upstream never gave one.
      if (!finished_) finish_chunk(out);
      ended_ = true;
      break;
    case ir::EventKind::error:
      out += sse_frame("", error_body(ErrorShape::gemini, e.error));
      ended_ = true;
      break;
  }
}

void StreamEncoder::delta(const ir::Event& e, std::string& out) {
  if (e.delta.empty()) return;
  if (e.index == tool_index_) {
    if (e.delta_kind == ir::DeltaKind::arguments) tool_args_ += e.delta;
    if (e.delta_kind == ir::DeltaKind::signature) tool_signature_ += e.delta;
    return;
  }
  auto it = kinds_.find(e.index);
  ir::PartKind kind = it != kinds_.end()                    ? it->second
                      : e.delta_kind == ir::DeltaKind::text ? ir::PartKind::text
                                                            : ir::PartKind::thinking;
  // Redacted thinking and media have no Gemini stream form; stray arguments
  // lack the name a call needs.
  if (kind != ir::PartKind::text && kind != ir::PartKind::thinking) return;
  if (e.delta_kind == ir::DeltaKind::arguments) return;
  json::object part;
  if (e.delta_kind == ir::DeltaKind::signature) {
    // Gemini itself sends a signature as an empty-text part of its own.
    part["text"] = "";
    if (kind == ir::PartKind::thinking) part["thought"] = true;
    part["thoughtSignature"] = e.delta;
  } else {
    part["text"] = e.delta;
    if (e.delta_kind == ir::DeltaKind::thinking) part["thought"] = true;
  }
  chunk(json::array{std::move(part)}, out);
}

void StreamEncoder::flush_tool_call(std::string& out) {
  if (tool_index_ < 0) return;
  json::object call;
  if (!tool_id_.empty()) call["id"] = tool_id_;
  call["name"] = tool_name_;
  call["args"] = wire::args_object(tool_args_);
  json::object part{{"functionCall", std::move(call)}};
  if (!tool_signature_.empty()) part["thoughtSignature"] = tool_signature_;
  chunk(json::array{std::move(part)}, out);
  tool_index_ = -1;
  tool_id_.clear();
  tool_name_.clear();
  tool_args_.clear();
  tool_signature_.clear();
}

void StreamEncoder::finish_chunk(std::string& out) {
  flush_tool_call(out);
  send({{"finishReason", wire_finish_reason(stop_)}, {"index", 0}}, true, out);
  finished_ = true;
}

void StreamEncoder::chunk(json::array parts, std::string& out) {
  send({{"content", {{"parts", std::move(parts)}, {"role", "model"}}}, {"index", 0}}, false, out);
}

void StreamEncoder::send(json::object candidate, bool with_usage, std::string& out) {
  if (response_id_.empty()) response_id_ = wire::new_id("");
  json::object chunk{{"candidates", json::array{std::move(candidate)}}};
  if (with_usage) chunk["usageMetadata"] = wire::usage_json(usage_);
  chunk["modelVersion"] = client_model_;
  chunk["responseId"] = response_id_;
  out += sse_frame("", json::serialize(chunk));
}

}  // namespace aiohub::gemini
