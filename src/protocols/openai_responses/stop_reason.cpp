// The complete stop-reason table (docs/protocols/mapping.md#stop-reasons).
// Responses reports an outcome, not a finish reason, so several IR reasons
// share one status.
#include <array>

#include "protocols/openai_responses/codec.hpp"

namespace aiohub::openai_responses {

namespace {

struct Row {
  ir::StopReason stop;
  WireStatus wire;
};

constexpr std::array<Row, 8> kTable{{
    {ir::StopReason::end_turn, {"completed", ""}},
    {ir::StopReason::stop_sequence, {"completed", ""}},
    {ir::StopReason::tool_use, {"completed", ""}},
    {ir::StopReason::pause, {"completed", ""}},
    {ir::StopReason::max_tokens, {"incomplete", "max_output_tokens"}},
    {ir::StopReason::content_filter, {"incomplete", "content_filter"}},
    {ir::StopReason::refusal, {"incomplete", "content_filter"}},
    {ir::StopReason::error, {"failed", ""}},
}};

}  // namespace

WireStatus status_for(ir::StopReason stop) {
  for (const auto& row : kTable)
    if (row.stop == stop) return row.wire;
  return {"completed", ""};
}

ir::StopReason stop_for(std::string_view status, std::string_view incomplete_reason,
                        bool has_tool_calls) {
  if (status == "incomplete")
    return incomplete_reason == "content_filter" ? ir::StopReason::content_filter
                                                 : ir::StopReason::max_tokens;
  // cancelled too: the answer is not usable as a normal turn.
  if (status == "failed" || status == "cancelled") return ir::StopReason::error;
  // completed, and the in_progress/queued snapshots of an unfinished answer.
  return has_tool_calls ? ir::StopReason::tool_use : ir::StopReason::end_turn;
}

}  // namespace aiohub::openai_responses
