// The complete finish-reason table (docs/protocols/mapping.md#stop-reasons).
// Rows marked `canonical` give the wire name for an IR reason; every row is
// accepted when decoding.
#include <array>

#include "protocols/gemini/codec.hpp"

namespace aiohub::gemini {

namespace {

struct Row {
  std::string_view wire;
  ir::StopReason stop;
  bool canonical;
};

constexpr std::array<Row, 24> kTable{{
    {"STOP", ir::StopReason::end_turn, true},
    // Gemini reports neither matched stop sequences nor tool calls in the
    // finish reason; both end with STOP (tool calls: docs/protocols/README.md#pitfall-15).
    {"STOP", ir::StopReason::stop_sequence, true},
    {"STOP", ir::StopReason::tool_use, true},
    {"STOP", ir::StopReason::pause, true},
    {"MAX_TOKENS", ir::StopReason::max_tokens, true},
    {"SAFETY", ir::StopReason::content_filter, true},
    // A model refusal has no own reason; SAFETY is what the SDK shows as blocked.
    {"SAFETY", ir::StopReason::refusal, true},
    {"OTHER", ir::StopReason::error, true},
    // Blocked by a filter: what OpenAI calls content_filter.
    {"RECITATION", ir::StopReason::content_filter, false},
    {"LANGUAGE", ir::StopReason::content_filter, false},
    {"BLOCKLIST", ir::StopReason::content_filter, false},
    {"PROHIBITED_CONTENT", ir::StopReason::content_filter, false},
    {"SPII", ir::StopReason::content_filter, false},
    {"IMAGE_SAFETY", ir::StopReason::content_filter, false},
    {"IMAGE_PROHIBITED_CONTENT", ir::StopReason::content_filter, false},
    {"IMAGE_RECITATION", ir::StopReason::content_filter, false},
    {"IMAGE_OTHER", ir::StopReason::content_filter, false},
    // The turn failed: the model produced an unusable call or response.
    {"MALFORMED_FUNCTION_CALL", ir::StopReason::error, false},
    {"UNEXPECTED_TOOL_CALL", ir::StopReason::error, false},
    {"TOO_MANY_TOOL_CALLS", ir::StopReason::error, false},
    {"MISSING_THOUGHT_SIGNATURE", ir::StopReason::error, false},
    {"MALFORMED_RESPONSE", ir::StopReason::error, false},
    // An image model that answered without an image still ended normally.
    {"NO_IMAGE", ir::StopReason::end_turn, false},
    {"FINISH_REASON_UNSPECIFIED", ir::StopReason::end_turn, false},
}};

}  // namespace

std::string_view wire_finish_reason(ir::StopReason stop) {
  for (const auto& row : kTable)
    if (row.canonical && row.stop == stop) return row.wire;
  return "STOP";
}

ir::StopReason ir_stop_reason(std::string_view finish_reason, bool has_tool_calls) {
  ir::StopReason stop = ir::StopReason::end_turn;
  for (const auto& row : kTable) {
    if (row.wire == finish_reason) {
      stop = row.stop;
      break;
    }
  }
  if (stop == ir::StopReason::end_turn && has_tool_calls) return ir::StopReason::tool_use;
  return stop;
}

}  // namespace aiohub::gemini
