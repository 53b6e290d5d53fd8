// The complete stop-reason table (docs/protocols/mapping.md#stop-reasons).
// Rows marked `canonical` give the wire name for an IR reason; every row is
// accepted when decoding.
#include <array>

#include "protocols/anthropic/codec.hpp"

namespace aiohub::anthropic {

namespace {

struct Row {
  std::string_view wire;
  ir::StopReason stop;
  bool canonical;
};

constexpr std::array<Row, 9> kTable{{
    {"end_turn", ir::StopReason::end_turn, true},
    {"max_tokens", ir::StopReason::max_tokens, true},
    {"stop_sequence", ir::StopReason::stop_sequence, true},
    {"tool_use", ir::StopReason::tool_use, true},
    {"pause_turn", ir::StopReason::pause, true},
    {"refusal", ir::StopReason::refusal, true},
    // Anthropic has no separate content filter: a filtered answer is a refusal.
    {"refusal", ir::StopReason::content_filter, true},
    // The answer was cut short by the context window, as with max_tokens.
    {"model_context_window_exceeded", ir::StopReason::max_tokens, false},
    // No wire reason means failure; a failed stream ends in an error event
    // instead, so a whole answer that failed can only say it ended.
    {"end_turn", ir::StopReason::error, true},
}};

}  // namespace

std::string_view wire_stop_reason(ir::StopReason stop) {
  for (const auto& row : kTable)
    if (row.canonical && row.stop == stop) return row.wire;
  return "end_turn";
}

ir::StopReason ir_stop_reason(std::string_view wire) {
  for (const auto& row : kTable)
    if (row.wire == wire) return row.stop;
  return ir::StopReason::end_turn;
}

}  // namespace aiohub::anthropic
