// IR events -> the SSE sequence @anthropic-ai/sdk's MessageStream accumulates
// (docs/protocols/anthropic-messages.md#streaming): it dispatches on the event
// line, applies a delta only to a block of the matching type, and must parse
// each tool's JSON at its stop.
#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub::anthropic {

namespace json = boost::json;

namespace {

// `event: TYPE` and the data's opening up to its "type" member; every event
// carries its name in both places.
void open_event(std::string_view type, std::string& out) {
  out.append("event: ").append(type).append("\ndata: {\"type\":\"").append(type).append("\"");
}

// content_block_delta, the event of every token: written by hand, as
// serializing {"type","index","delta":{"type",field}} would write it.
void delta_event(int index, std::string_view type, std::string_view field, std::string_view text,
                 std::string& out) {
  open_event("content_block_delta", out);
  out.append(",\"index\":").append(std::to_string(index));
  out.append(",\"delta\":{\"type\":\"").append(type).append("\",\"").append(field).append("\":");
  append_json_string(out, text);
  out.append("}}\n\n");
}

}  // namespace

StreamEncoder::StreamEncoder(std::string client_model) : client_model_(std::move(client_model)) {}

void StreamEncoder::encode(const ir::Event& e, std::string& out) {
  if (ended_) return;
  if (e.kind == ir::EventKind::error) {
    // The SDK throws on `event: error` at any point, even as the first event.
    std::string type = e.error.type;
    bool anthropic_type = type == "api_error" || wire::status_for_type(type) != 500;
    if (!anthropic_type) type = anthropic_error_type(e.error.status);
    emit("error", {{"error", {{"type", type}, {"message", e.error.message}}}}, out);
    ended_ = true;
    return;
  }
  if (!started_) start(e.kind == ir::EventKind::message_start ? e.usage : Usage{}, e.id, out);
  switch (e.kind) {
    case ir::EventKind::part_start:
      close(out);
      switch (e.part_kind) {
        case ir::PartKind::text:
          open(Block::text, e, out);
          break;
        case ir::PartKind::tool_call:
          open(Block::tool_use, e, out);
          break;
        case ir::PartKind::thinking:
          open(Block::thinking, e, out);
          break;
        case ir::PartKind::redacted_thinking:
          open(Block::redacted_thinking, e, out);
          break;
        default:
          open(Block::skipped, e, out);  // an answer cannot hold media or tool results
      }
      break;
    case ir::EventKind::part_delta:
      delta(e, out);
      break;
    case ir::EventKind::part_stop:
      if (e.index == ir_index_) close(out);
      break;
    case ir::EventKind::message_delta:
      close(out);
      message_delta(e, out);
      break;
    case ir::EventKind::message_stop:
      close(out);
      if (!delta_sent_) message_delta(ir::Event{}, out);
      emit("message_stop", {}, out);
      ended_ = true;
      break;
    default:
      break;
  }
}

void StreamEncoder::start(const Usage& usage, std::string id, std::string& out) {
  started_ = true;
  json::object message{
      {"id", id.starts_with("msg_") ? id : wire::new_id("msg_")},
      {"type", "message"},
      {"role", "assistant"},
      {"model", client_model_},
      {"content", json::array{}},
      {"stop_reason", nullptr},
      {"stop_sequence", nullptr},
      {"usage", wire::usage_json(usage)},
  };
  emit("message_start", {{"message", std::move(message)}}, out);
}

void StreamEncoder::open(Block type, const ir::Event& e, std::string& out) {
  block_ = type;
  ir_index_ = e.index;
  buffer_.clear();
  json::object block;
  switch (type) {
    case Block::text:
      block = {{"type", "text"}, {"text", ""}};
      break;
    case Block::tool_use:
      saw_tool_use_ = true;
      block = {
          {"type", "tool_use"},
          {"id", e.tool_call_id.empty() ? wire::new_id("toolu_") : wire::tool_id(e.tool_call_id)},
          {"name", e.tool_name},
          {"input", json::object{}}};
      break;
    case Block::thinking:
      block = {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
      break;
    default:
      return;  // redacted thinking goes out whole at its stop; skipped never does
  }
  emit("content_block_start", {{"index", next_index_}, {"content_block", std::move(block)}}, out);
}

void StreamEncoder::delta(const ir::Event& e, std::string& out) {
  if (block_ == Block::skipped && e.index == ir_index_) return;
  if (block_ == Block::redacted_thinking && e.index == ir_index_) {
    buffer_ += e.delta;
    return;
  }
  if (e.delta.empty()) return;
  Block need = Block::thinking;
  if (e.delta_kind == ir::DeltaKind::text) need = Block::text;
  if (e.delta_kind == ir::DeltaKind::arguments) need = Block::tool_use;
  if (block_ != need) {
    // A delta without its part_start: a mismatched delta is silently lost by
    // the SDK, so open the block it belongs to. Arguments without their
    // tool's id and name cannot be shown and are dropped.
    if (need == Block::tool_use) return;
    close(out);
    open(need, e, out);
  }
  switch (e.delta_kind) {
    case ir::DeltaKind::text:
      delta_event(next_index_, "text_delta", "text", e.delta, out);
      break;
    case ir::DeltaKind::arguments:
      buffer_ += e.delta;
      delta_event(next_index_, "input_json_delta", "partial_json", e.delta, out);
      break;
    case ir::DeltaKind::thinking:
      delta_event(next_index_, "thinking_delta", "thinking", e.delta, out);
      break;
    case ir::DeltaKind::signature:
      delta_event(next_index_, "signature_delta", "signature", e.delta, out);
      break;
  }
}

void StreamEncoder::close(std::string& out) {
  Block block = block_;
  block_ = Block::none;
  ir_index_ = -1;
  if (block == Block::none || block == Block::skipped) return;
  if (block == Block::redacted_thinking) {
    if (buffer_.empty()) return;  // Anthropic rejects it empty on the next turn
    emit("content_block_start",
         {{"index", next_index_},
          {"content_block", {{"type", "redacted_thinking"}, {"data", buffer_}}}},
         out);
  }
  if (block == Block::tool_use) {
    // Arguments cut short (max_tokens) must still parse at the stop, and none
    // at all must read as {} (docs/protocols/README.md#pitfall-6).
    if (auto suffix = wire::json_completion(buffer_); suffix && !suffix->empty())
      delta_event(next_index_, "input_json_delta", "partial_json", *suffix, out);
  }
  open_event("content_block_stop", out);
  out.append(",\"index\":").append(std::to_string(next_index_)).append("}\n\n");
  ++next_index_;
}

void StreamEncoder::message_delta(const ir::Event& e, std::string& out) {
  delta_sent_ = true;
  std::string_view stop = e.stop          ? wire_stop_reason(*e.stop)
                          : saw_tool_use_ ? "tool_use"
                                          : "end_turn";
  json::object delta{{"stop_reason", stop}, {"stop_sequence", nullptr}};
  if (!e.stop_sequence.empty()) delta["stop_sequence"] = e.stop_sequence;
  json::object usage{{"output_tokens", e.usage.output}};
  // The SDK overwrites message_start's estimates with these: send them only
  // when they are real counts (docs/protocols/README.md#pitfall-3).
  if (e.usage.reported) {
    json::object counts = wire::usage_json(e.usage);
    usage["input_tokens"] = counts["input_tokens"];
    usage["cache_read_input_tokens"] = counts["cache_read_input_tokens"];
    usage["cache_creation_input_tokens"] = counts["cache_creation_input_tokens"];
  }
  emit("message_delta", {{"delta", std::move(delta)}, {"usage", std::move(usage)}}, out);
}

// {"type": TYPE} followed by the members of `data`.
void StreamEncoder::emit(std::string_view type, json::object data, std::string& out) {
  open_event(type, out);
  if (!data.empty()) {
    std::string members = json::serialize(data);
    out.push_back(',');
    out.append(members, 1);  // without its '{'; its '}' closes the event
  } else {
    out.push_back('}');
  }
  out.append("\n\n");
}

}  // namespace aiohub::anthropic
