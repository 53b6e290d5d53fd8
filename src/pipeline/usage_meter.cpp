#include "pipeline/usage_meter.hpp"

namespace aiohub {
namespace {
constexpr std::size_t kProducedCap = 4u << 20;
}

void UsageMeter::note(const ir::Event& e) {
  switch (e.kind) {
    case ir::EventKind::part_delta:
      ++deltas_;
      if (produced_.size() < kProducedCap) produced_.append(e.delta);
      break;
    case ir::EventKind::message_start:
      // The prompt's size, where the protocol says it first (an estimate
      // until the final counts come).
      if (!usage_.reported && !usage_.input) usage_.input = e.usage.input;
      break;
    case ir::EventKind::message_delta:
      if (e.usage.input || e.usage.output || e.usage.reported) {
        Usage u = e.usage;
        if (!u.input) u.input = usage_.input;
        u.reported = true;
        usage_ = u;
      }
      break;
    default:
      break;
  }
}

}  // namespace aiohub
