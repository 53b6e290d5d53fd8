// Chat finish_reason <-> IR stop reason (docs/protocols/mapping.md#stop-reasons).
#include "protocols/openai_chat/codec.hpp"

namespace aiohub::openai_chat {

std::string_view finish_reason_for(ir::StopReason stop) {
  switch (stop) {
    case ir::StopReason::end_turn:
    case ir::StopReason::stop_sequence:
      return "stop";
    case ir::StopReason::max_tokens:
      return "length";
    case ir::StopReason::tool_use:
      return "tool_calls";
    case ir::StopReason::content_filter:
    case ir::StopReason::refusal:
      return "content_filter";
    // Chat has no "continue me" or failure reason; the text so far stands as
    // a finished answer (litellm maps these the same way).
    case ir::StopReason::pause:
    case ir::StopReason::error:
      return "stop";
  }
  return "stop";
}

ir::StopReason stop_for(std::string_view finish_reason, bool has_tool_calls) {
  if (finish_reason == "length") return ir::StopReason::max_tokens;
  if (finish_reason == "tool_calls" || finish_reason == "function_call")
    return ir::StopReason::tool_use;
  if (finish_reason == "content_filter") return ir::StopReason::content_filter;
  // "stop", null, and the odd values of compatible servers ("eos", "end_turn").
  return has_tool_calls ? ir::StopReason::tool_use : ir::StopReason::end_turn;
}

}  // namespace aiohub::openai_chat
