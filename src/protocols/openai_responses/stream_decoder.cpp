// Upstream Responses SSE -> IR events. The data payload's `type` decides
// (event names are optional on compatible servers). Every *.done event and
// output_item.done is also read as a fallback, because some compatible
// servers send whole values there without deltas; `sent_` keeps the two from
// doubling up.
#include "protocols/openai_responses/codec.hpp"
#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses {

namespace json = boost::json;

void StreamDecoder::feed(std::string_view bytes, std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.feed(bytes, events);
  for (const auto& e : events) {
    if (ended_) return;
    // Parsed into a stack buffer: the tree lives only for this event.
    unsigned char buf[4096];
    json::monotonic_resource mr(buf, sizeof buf);
    boost::system::error_code ec;
    json::value v = json::parse(e.data, ec, &mr);
    if (ec || !v.is_object()) continue;  // keep-alives and junk are not events
    json::object& o = v.get_object();
    if (!o.contains("type") && !e.event.empty()) o["type"] = e.event;
    on_event(o, out);
  }
}

void StreamDecoder::finish(std::vector<ir::Event>& out) {
  std::vector<SseEvent> events;
  sse_.finish(events);
  for (const auto& e : events) {
    unsigned char buf[4096];
    json::monotonic_resource mr(buf, sizeof buf);
    boost::system::error_code ec;
    json::value v = json::parse(e.data, ec, &mr);
    if (!ended_ && !ec && v.is_object()) on_event(v.get_object(), out);
  }
  if (ended_) return;
  // Responses has no [DONE]: only a terminal event means the answer is whole.
  ir::Event err;
  err.kind = ir::EventKind::error;
  err.error = ApiError{502, "upstream stream closed before response.completed", "server_error", ""};
  out.push_back(std::move(err));
  ended_ = true;
}

void StreamDecoder::on_event(const json::object& ev, std::vector<ir::Event>& out) {
  std::string_view type = wire::get_string(ev, "type");
  std::int64_t oi = wire::get_int(ev, "output_index");
  bool here = oi == open_output_;

  if (type == "response.created" || type == "response.in_progress" || type == "response.queued") {
    if (started_) return;
    ir::Event e;
    e.kind = ir::EventKind::message_start;
    if (auto* r = wire::get(ev, "response"); r && r->is_object()) {
      e.id = wire::get_string(r->get_object(), "id");
      e.model = wire::get_string(r->get_object(), "model");
    }
    out.push_back(std::move(e));
    started_ = true;
    return;
  }
  if (type == "response.completed" || type == "response.incomplete" || type == "response.failed") {
    auto* r = wire::get(ev, "response");
    on_terminal(r && r->is_object() ? r->get_object() : json::object{}, out);
    return;
  }
  // After an error the open part stays unfinished: a truncated part is not
  // one to close as if it were whole.
  if (type == "error") {
    ensure_started(out);
    ir::Event e;
    e.kind = ir::EventKind::error;
    const json::object* err = &ev;
    if (auto* inner = wire::get(ev, "error"); inner && inner->is_object())
      err = &inner->get_object();
    e.error.code = wire::get_string(*err, "code");
    e.error.status = wire::status_for_code(e.error.code);
    e.error.message = wire::get_string(*err, "message");
    out.push_back(std::move(e));
    ended_ = true;
    return;
  }

  ensure_started(out);
  if (type == "response.output_item.added" || type == "response.output_item.done") {
    auto* item = wire::get(ev, "item");
    if (!item || !item->is_object()) return;
    if (type == "response.output_item.added")
      on_item_added(item->get_object(), oi, out);
    else
      on_item_done(item->get_object(), oi, out);
  } else if (type == "response.content_part.added") {
    // Each content part of a message is its own IR text part; reasoning_text
    // parts belong to the open thinking part.
    auto* part = wire::get(ev, "part");
    std::string_view ptype = part && part->is_object()
                                 ? wire::get_string(part->get_object(), "type")
                                 : std::string_view{};
    if (ptype == "output_text" || ptype == "refusal") {
      close(out);
      open(Open::text, oi, out);
    }
  } else if (type == "response.content_part.done") {
    if (here && open_ == Open::text) close(out);
  } else if (type == "response.output_text.delta" || type == "response.refusal.delta") {
    if (!here || open_ != Open::text) {
      close(out);
      open(Open::text, oi, out);
    }
    saw_refusal_ = saw_refusal_ || type == "response.refusal.delta";
    send(ir::DeltaKind::text, wire::get_string(ev, "delta"), out);
  } else if (type == "response.output_text.done" || type == "response.refusal.done") {
    if (here && open_ == Open::text && sent_ == 0)
      send(ir::DeltaKind::text,
           wire::get_string(ev, type.ends_with("text.done") ? "text" : "refusal"), out);
  } else if (type == "response.function_call_arguments.delta") {
    if (here && open_ == Open::tool_call)
      send(ir::DeltaKind::arguments, wire::get_string(ev, "delta"), out);
  } else if (type == "response.function_call_arguments.done") {
    if (here && open_ == Open::tool_call && sent_ == 0)
      send(ir::DeltaKind::arguments, wire::get_string(ev, "arguments"), out);
  } else if (type == "response.custom_tool_call_input.delta") {
    if (here && open_ == Open::custom_tool_call) custom_input_ += wire::get_string(ev, "delta");
  } else if (type == "response.custom_tool_call_input.done") {
    if (here && open_ == Open::custom_tool_call) custom_input_ = wire::get_string(ev, "input");
  } else if (type == "response.reasoning_summary_text.delta" ||
             type == "response.reasoning_text.delta") {
    if (!here || open_ != Open::thinking) {
      close(out);
      open(Open::thinking, oi, out);
    }
    // Blank lines between summary parts, as decode_response joins them.
    std::int64_t si = wire::get_int(ev, "summary_index");
    if (si != summary_index_ && sent_ > 0) send(ir::DeltaKind::thinking, "\n\n", out);
    summary_index_ = si;
    send(ir::DeltaKind::thinking, wire::get_string(ev, "delta"), out);
  }
  // Annotations, hosted-tool progress, reasoning part markers: nothing to carry.
}

void StreamDecoder::on_item_added(const json::object& item, std::int64_t oi,
                                  std::vector<ir::Event>& out) {
  std::string_view type = wire::get_string(item, "type");
  if (type == "message") {
    close(out);  // its text parts open at content_part.added
    open_output_ = oi;
    item_sent_ = 0;
  } else if (type == "function_call" || type == "custom_tool_call") {
    close(out);
    saw_tool_call_ = true;
    custom_input_.clear();
    open(type == "function_call" ? Open::tool_call : Open::custom_tool_call, oi, out,
         std::string(wire::get_string(item, "call_id")),
         std::string(wire::get_string(item, "name")));
  } else if (type == "reasoning") {
    close(out);
    open(Open::thinking, oi, out);
  }
}

void StreamDecoder::on_item_done(const json::object& item, std::int64_t oi,
                                 std::vector<ir::Event>& out) {
  std::string_view type = wire::get_string(item, "type");
  bool known = type == "message" || type == "function_call" || type == "custom_tool_call" ||
               type == "reasoning";
  if (!known) return;
  // An item that never had its output_item.added: start it now.
  if (oi != open_output_) on_item_added(item, oi, out);

  if (type == "message") {
    std::string text;
    if (auto* content = wire::get(item, "content"); content && content->is_array())
      for (const auto& c : content->get_array())
        if (c.is_object()) text += wire::get_string(c.get_object(), "text");
    if (item_sent_ == 0 && !text.empty()) {
      if (open_ != Open::text) {
        // Another kind of part may be open at this output index (an upstream
        // that reused it): parts are strictly sequential.
        close(out);
        open(Open::text, oi, out);
      }
      send(ir::DeltaKind::text, text, out);
    }
  } else if (type == "function_call") {
    if (sent_ == 0) {
      std::string_view args = wire::get_string(item, "arguments");
      send(ir::DeltaKind::arguments, args.empty() ? "{}" : args, out);
    }
  } else if (type == "custom_tool_call") {
    std::string_view input = wire::get_string(item, "input");
    send(ir::DeltaKind::arguments, wire::wrap_custom_input(input.empty() ? custom_input_ : input),
         out);
  } else {
    if (sent_ == 0) send(ir::DeltaKind::thinking, wire::reasoning_text(item), out);
    // The only carrier of reasoning state when store is false
    // (docs/protocols/README.md#pitfall-7).
    send(ir::DeltaKind::signature, wire::get_string(item, "encrypted_content"), out);
  }
  close(out);
}

void StreamDecoder::on_terminal(const json::object& response, std::vector<ir::Event>& out) {
  ensure_started(out);
  ended_ = true;
  std::string_view status = wire::get_string(response, "status");
  if (status != "failed") close(out);
  if (status == "failed") {
    ir::Event e;
    e.kind = ir::EventKind::error;
    e.error = ApiError{500, "upstream response failed", "server_error", ""};
    if (auto* err = wire::get(response, "error"); err && err->is_object()) {
      if (auto code = wire::get_string(err->get_object(), "code"); !code.empty()) {
        e.error.code = code;
        e.error.status = wire::status_for_code(code);
      }
      if (auto m = wire::get_string(err->get_object(), "message"); !m.empty()) e.error.message = m;
    }
    out.push_back(std::move(e));
    return;
  }
  std::string_view reason;
  if (auto* d = wire::get(response, "incomplete_details"); d && d->is_object())
    reason = wire::get_string(d->get_object(), "reason");
  ir::Event delta;
  delta.kind = ir::EventKind::message_delta;
  delta.stop = stop_for(status.empty() ? "completed" : status, reason, saw_tool_call_);
  if (saw_refusal_ && delta.stop == ir::StopReason::end_turn) delta.stop = ir::StopReason::refusal;
  delta.usage = wire::parse_usage(wire::get(response, "usage"));
  out.push_back(std::move(delta));
  ir::Event stop;
  stop.kind = ir::EventKind::message_stop;
  out.push_back(std::move(stop));
}

void StreamDecoder::ensure_started(std::vector<ir::Event>& out) {
  if (started_) return;
  ir::Event e;
  e.kind = ir::EventKind::message_start;
  out.push_back(std::move(e));
  started_ = true;
}

void StreamDecoder::open(Open kind, std::int64_t output_index, std::vector<ir::Event>& out,
                         std::string call_id, std::string name) {
  ir::Event e;
  e.kind = ir::EventKind::part_start;
  e.index = next_index_;
  e.part_kind = kind == Open::text       ? ir::PartKind::text
                : kind == Open::thinking ? ir::PartKind::thinking
                                         : ir::PartKind::tool_call;
  e.tool_call_id = std::move(call_id);
  e.tool_name = std::move(name);
  out.push_back(std::move(e));
  open_ = kind;
  if (output_index != open_output_) item_sent_ = 0;
  open_output_ = output_index;
  sent_ = 0;
  summary_index_ = -1;
}

void StreamDecoder::send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out) {
  if (open_ == Open::none || text.empty()) return;
  ir::Event e;
  e.kind = ir::EventKind::part_delta;
  e.index = next_index_;
  e.delta_kind = kind;
  e.delta = text;
  out.push_back(std::move(e));
  if (kind == ir::DeltaKind::signature) return;
  sent_ += text.size();
  item_sent_ += text.size();
}

void StreamDecoder::close(std::vector<ir::Event>& out) {
  if (open_ == Open::none) return;
  ir::Event e;
  e.kind = ir::EventKind::part_stop;
  e.index = next_index_++;
  out.push_back(std::move(e));
  open_ = Open::none;
}

}  // namespace aiohub::openai_responses
