// IR events -> the Responses SSE a client's SDK accumulates. The openai-node
// accumulator rejects deltas for items or content parts it was not told
// about, ids that change between added and done, and output indices with
// gaps; Codex takes items into history only from output_item.done and needs
// a terminal event carrying the whole response. Hence: every item is
// announced, streamed, then repeated whole, and the terminal event waits for
// message_stop, after the usage in message_delta.
#include <algorithm>

#include "protocols/openai_responses/codec.hpp"
#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses {

namespace json = boost::json;

namespace {

json::object output_text(std::string_view text) {
  return {{"type", "output_text"},
          {"annotations", json::array{}},
          {"logprobs", json::array{}},
          {"text", text}};
}

json::object summary_text(std::string_view text) {
  return {{"type", "summary_text"}, {"text", text}};
}

// `event: TYPE` and the data's opening up to its sequence_number: the
// members every event starts with.
void open_event(std::string_view type, std::int64_t seq, std::string& out) {
  out.append("event: ").append(type).append("\ndata: {\"type\":\"").append(type);
  out.append("\",\"sequence_number\":").append(std::to_string(seq));
}

// A delta event, written by hand as emit() would serialize it:
// {"type","sequence_number","item_id","output_index",[index_name: 0,]"delta",["logprobs":[]]}.
void delta_event(std::string_view type, std::int64_t seq, std::string_view item_id,
                 std::size_t output_index, std::string_view index_name, std::string_view delta,
                 bool logprobs, std::string& out) {
  open_event(type, seq, out);
  out.append(",\"item_id\":");
  append_json_string(out, item_id);
  out.append(",\"output_index\":").append(std::to_string(output_index));
  if (!index_name.empty()) out.append(",\"").append(index_name).append("\":0");
  out.append(",\"delta\":");
  append_json_string(out, delta);
  out.append(logprobs ? ",\"logprobs\":[]}\n\n" : "}\n\n");
}

}  // namespace

StreamEncoder::StreamEncoder(std::string client_model, ClientOptions client)
    : client_model_(std::move(client_model)), client_(std::move(client)) {}

void StreamEncoder::encode(const ir::Event& e, std::string& out) {
  if (ended_) return;
  if (!started_) {
    started_ = true;
    id_ = e.kind == ir::EventKind::message_start && e.id.starts_with("resp_")
              ? e.id
              : wire::new_id("resp_");
    created_at_ = wire::now_seconds();
    const std::string r = json::serialize(response("in_progress"));
    for (std::string_view type : {"response.created", "response.in_progress"}) {
      open_event(type, seq_++, out);
      out.append(",\"response\":").append(r).append("}\n\n");
    }
  }
  switch (e.kind) {
    case ir::EventKind::message_start:
      break;
    case ir::EventKind::part_start:
      stop_part(out);
      start_part(e, out);
      break;
    case ir::EventKind::part_delta:
      delta(e, out);
      break;
    case ir::EventKind::part_stop:
      stop_part(out);
      break;
    case ir::EventKind::message_delta:
      if (e.stop) stop_ = e.stop;
      usage_ = e.usage;
      break;
    case ir::EventKind::message_stop:
      finish(out);
      break;
    case ir::EventKind::error:
      fail(e.error, out);
      break;
  }
}

// {"type": TYPE, "sequence_number": N} followed by the members of `ev`.
void StreamEncoder::emit(std::string_view type, json::object ev, std::string& out) {
  open_event(type, seq_++, out);
  if (!ev.empty()) {
    std::string members = json::serialize(ev);
    out.push_back(',');
    out.append(members, 1);  // without its '{'; its '}' closes the event
  } else {
    out.push_back('}');
  }
  out.append("\n\n");
}

json::object StreamEncoder::response(std::string_view status) const {
  bool done = status != "in_progress";
  return wire::response_object(id_, created_at_, client_model_, status,
                               done ? output_ : json::array{}, done ? &usage_ : nullptr);
}

void StreamEncoder::start_part(const ir::Event& e, std::string& out) {
  text_.clear();
  signature_.clear();
  summary_open_ = false;
  json::object item;
  switch (e.part_kind) {
    case ir::PartKind::text:
      item_ = Item::message;
      item_id_ = wire::new_id("msg_");
      item = {{"id", item_id_},
              {"type", "message"},
              {"status", "in_progress"},
              {"role", "assistant"},
              {"content", json::array{}}};
      break;
    case ir::PartKind::tool_call: {
      name_ = e.tool_name;
      call_id_ = e.tool_call_id.empty() ? wire::new_id("call_") : e.tool_call_id;
      bool custom = std::find(client_.custom_tools.begin(), client_.custom_tools.end(), name_) !=
                    client_.custom_tools.end();
      item_ = custom ? Item::custom_tool_call : Item::function_call;
      item_id_ = wire::new_id(custom ? "ctc_" : "fc_");
      item = {{"id", item_id_},          {"type", custom ? "custom_tool_call" : "function_call"},
              {"status", "in_progress"}, {"call_id", call_id_},
              {"name", name_},           {custom ? "input" : "arguments", ""}};
      break;
    }
    case ir::PartKind::thinking:
    case ir::PartKind::redacted_thinking:
      item_ = Item::reasoning;
      item_id_ = wire::new_id("rs_");
      item = {{"id", item_id_}, {"type", "reasoning"}, {"summary", json::array{}}};
      break;
    default:
      return;  // images and documents have no output item
  }
  emit("response.output_item.added", {{"output_index", output_.size()}, {"item", item}}, out);
  if (item_ == Item::message)
    emit("response.content_part.added",
         {{"item_id", item_id_},
          {"output_index", output_.size()},
          {"content_index", 0},
          {"part", output_text("")}},
         out);
}

void StreamEncoder::delta(const ir::Event& e, std::string& out) {
  const auto at = output_.size();
  if (item_ == Item::message && e.delta_kind == ir::DeltaKind::text) {
    text_ += e.delta;
    delta_event("response.output_text.delta", seq_++, item_id_, at, "content_index", e.delta, true,
                out);
  } else if (item_ == Item::function_call && e.delta_kind == ir::DeltaKind::arguments) {
    text_ += e.delta;
    delta_event("response.function_call_arguments.delta", seq_++, item_id_, at, "", e.delta, false,
                out);
  } else if (item_ == Item::custom_tool_call && e.delta_kind == ir::DeltaKind::arguments) {
    text_ += e.delta;  // the wrapped input can only be unwrapped whole
  } else if (item_ == Item::reasoning && e.delta_kind == ir::DeltaKind::thinking) {
    if (!summary_open_) {
      summary_open_ = true;
      emit("response.reasoning_summary_part.added",
           {{"item_id", item_id_},
            {"output_index", at},
            {"summary_index", 0},
            {"part", summary_text("")}},
           out);
    }
    text_ += e.delta;
    delta_event("response.reasoning_summary_text.delta", seq_++, item_id_, at, "summary_index",
                e.delta, false, out);
  } else if (item_ == Item::reasoning && e.delta_kind == ir::DeltaKind::signature) {
    signature_ += e.delta;
  }
}

void StreamEncoder::stop_part(std::string& out) {
  const auto at = output_.size();
  json::object item;
  switch (item_) {
    case Item::none:
      return;
    case Item::message:
      emit("response.output_text.done",
           {{"item_id", item_id_},
            {"output_index", at},
            {"content_index", 0},
            {"text", text_},
            {"logprobs", json::array{}}},
           out);
      emit("response.content_part.done",
           {{"item_id", item_id_},
            {"output_index", at},
            {"content_index", 0},
            {"part", output_text(text_)}},
           out);
      item = {{"id", item_id_},
              {"type", "message"},
              {"status", "completed"},
              {"role", "assistant"},
              {"content", json::array{output_text(text_)}}};
      break;
    case Item::function_call: {
      std::string args = text_.empty() ? "{}" : text_;
      emit("response.function_call_arguments.done",
           {{"item_id", item_id_}, {"output_index", at}, {"name", name_}, {"arguments", args}},
           out);
      item = {{"id", item_id_},      {"type", "function_call"}, {"status", "completed"},
              {"call_id", call_id_}, {"name", name_},           {"arguments", args}};
      break;
    }
    case Item::custom_tool_call: {
      std::string input = wire::unwrap_custom_input(text_);
      if (!input.empty())
        emit("response.custom_tool_call_input.delta",
             {{"item_id", item_id_}, {"output_index", at}, {"delta", input}}, out);
      emit("response.custom_tool_call_input.done",
           {{"item_id", item_id_}, {"output_index", at}, {"input", input}}, out);
      item = {{"id", item_id_},        {"type", "custom_tool_call"},
              {"status", "completed"}, {"call_id", call_id_},
              {"name", name_},         {"input", input}};
      break;
    }
    case Item::reasoning: {
      json::array summary;
      if (summary_open_) {
        emit("response.reasoning_summary_text.done",
             {{"item_id", item_id_}, {"output_index", at}, {"summary_index", 0}, {"text", text_}},
             out);
        emit("response.reasoning_summary_part.done",
             {{"item_id", item_id_},
              {"output_index", at},
              {"summary_index", 0},
              {"part", summary_text(text_)}},
             out);
        summary.push_back(summary_text(text_));
      }
      item = {{"id", item_id_}, {"type", "reasoning"}, {"summary", std::move(summary)}};
      // Any vendor's reasoning state; it comes back in the next request.
      if (!signature_.empty()) item["encrypted_content"] = signature_;
      break;
    }
  }
  emit("response.output_item.done", {{"output_index", at}, {"item", item}}, out);
  output_.push_back(std::move(item));
  item_ = Item::none;
}

void StreamEncoder::finish(std::string& out) {
  stop_part(out);
  WireStatus ws = status_for(stop_.value_or(ir::StopReason::end_turn));
  if (ws.status == "failed")
    return fail(ApiError{500, "the upstream failed", "server_error", ""}, out);
  auto r = response(ws.status);
  std::string_view type = "response.completed";
  if (!ws.incomplete_reason.empty()) {
    r["incomplete_details"] = {{"reason", ws.incomplete_reason}};
    type = "response.incomplete";
  }
  emit(type, {{"response", std::move(r)}}, out);
  ended_ = true;
}

void StreamEncoder::fail(const ApiError& err, std::string& out) {
  std::string code = wire::error_code(err);
  auto r = response("failed");
  r["error"] = {{"code", code}, {"message", err.message}};
  emit("response.failed", {{"response", std::move(r)}}, out);
  emit("error", {{"code", code}, {"message", err.message}, {"param", nullptr}}, out);
  ended_ = true;
}

}  // namespace aiohub::openai_responses
