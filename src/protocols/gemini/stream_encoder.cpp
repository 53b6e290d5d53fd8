// IR events -> Gemini SSE for @google/genai's generateContentStream: one
// compact GenerateContentResponse per `data:` line carrying only the new
// parts, tool calls whole, and a last chunk with finishReason and usage
// (docs/protocols/gemini.md#streaming; docs/protocols/README.md#pitfall-1 and #pitfall-6).
#include "protocols/errors.hpp"
#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"

namespace aiohub::gemini {

namespace json = boost::json;

namespace {

// A chunk's members after its candidates, the same in every chunk.
void close_chunk(std::string_view model, std::string_view response_id, std::string& out) {
  out.append(",\"modelVersion\":");
  append_json_string(out, model);
  out.append(",\"responseId\":");
  append_json_string(out, response_id);
  out.append("}\n\n");
}

}  // namespace

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
  // The chunk of every token, written by hand as send() would serialize it.
  // Gemini itself sends a signature as an empty-text part of its own.
  const bool signature = e.delta_kind == ir::DeltaKind::signature;
  const bool thought =
      signature ? kind == ir::PartKind::thinking : e.delta_kind == ir::DeltaKind::thinking;
  if (response_id_.empty()) response_id_ = wire::new_id("");
  out.append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
  append_json_string(out, signature ? std::string_view{} : std::string_view{e.delta});
  if (thought) out.append(",\"thought\":true");
  if (signature) {
    out.append(",\"thoughtSignature\":");
    append_json_string(out, e.delta);
  }
  out.append("}],\"role\":\"model\"},\"index\":0}]");
  close_chunk(client_model_, response_id_, out);
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
  out.append("data: {\"candidates\":[").append(json::serialize(candidate)).append("]");
  if (with_usage)
    out.append(",\"usageMetadata\":").append(json::serialize(wire::usage_json(usage_)));
  close_chunk(client_model_, response_id_, out);
}

}  // namespace aiohub::gemini
