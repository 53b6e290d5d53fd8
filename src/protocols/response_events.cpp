#include "protocols/response_events.hpp"

namespace aiohub {

std::vector<ir::Event> response_as_events(const ir::Response& r) {
  std::vector<ir::Event> events;
  ir::Event start;
  start.kind = ir::EventKind::message_start;
  start.id = r.id;
  start.model = r.model;
  start.usage.input = r.usage.input;
  start.usage.cache_read = r.usage.cache_read;
  start.usage.cache_write = r.usage.cache_write;
  events.push_back(start);
  int index = 0;
  for (const auto& part : r.parts) {
    ir::Event ps;
    ps.kind = ir::EventKind::part_start;
    ps.index = index;
    ps.part_kind = part.kind;
    ps.tool_call_id = part.tool_call_id;
    ps.tool_name = part.tool_name;
    if (part.kind == ir::PartKind::redacted_thinking) ps.delta = part.data;
    events.push_back(ps);
    auto delta = [&](ir::DeltaKind k, const std::string& text) {
      if (text.empty()) return;
      ir::Event d;
      d.kind = ir::EventKind::part_delta;
      d.index = index;
      d.part_kind = part.kind;
      d.delta_kind = k;
      d.delta = text;
      events.push_back(d);
    };
    switch (part.kind) {
      case ir::PartKind::text:
        delta(ir::DeltaKind::text, part.text);
        break;
      case ir::PartKind::tool_call:
        delta(ir::DeltaKind::arguments, part.arguments.empty() ? "{}" : part.arguments);
        break;
      case ir::PartKind::thinking:
        delta(ir::DeltaKind::thinking, part.text);
        delta(ir::DeltaKind::signature, part.signature);
        break;
      default:
        break;
    }
    ir::Event stop;
    stop.kind = ir::EventKind::part_stop;
    stop.index = index;
    stop.part_kind = part.kind;
    events.push_back(stop);
    ++index;
  }
  ir::Event md;
  md.kind = ir::EventKind::message_delta;
  md.stop = r.stop;
  md.stop_sequence = r.stop_sequence;
  md.usage = r.usage;
  events.push_back(md);
  ir::Event end;
  end.kind = ir::EventKind::message_stop;
  events.push_back(end);
  return events;
}

}  // namespace aiohub
