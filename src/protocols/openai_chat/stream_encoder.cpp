// IR stream events -> Chat Completions chunks, as the openai SDK's
// chat.completions.stream() accumulator rebuilds them: it needs the role on
// the first chunk, id/type/name on a tool call's first fragment, and a
// finish_reason before [DONE].
#include "protocols/errors.hpp"
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/wire.hpp"

namespace aiohub::openai_chat {

namespace json = boost::json;

namespace {

// A chunk's data line up to its delta, and from there to its end: written by
// hand, as serializing {"id","object","created","model","choices":[{"index",
// "delta","finish_reason"}]} would write it.
void open_chunk(std::string_view id, std::int64_t created, std::string_view model,
                std::string& out) {
  out.append("data: {\"id\":");
  append_json_string(out, id);
  out.append(",\"object\":\"chat.completion.chunk\",\"created\":").append(std::to_string(created));
  out.append(",\"model\":");
  append_json_string(out, model);
  out.append(",\"choices\":[{\"index\":0,\"delta\":");
}

// An empty finish_reason is written as null. With include_usage every chunk
// carries "usage":null, as OpenAI sends it (docs/protocols/openai-chat.md#streaming);
// only the last, choice-less chunk has the counts.
void close_chunk(std::string_view finish_reason, bool include_usage, std::string& out) {
  out.append(",\"finish_reason\":");
  if (finish_reason.empty())
    out.append("null");
  else
    append_json_string(out, finish_reason);
  out.append(include_usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
}

}  // namespace

StreamEncoder::StreamEncoder(std::string client_model, bool include_usage)
    : client_model_(std::move(client_model)),
      include_usage_(include_usage),
      id_(wire::new_id("chatcmpl-")),
      created_(wire::now_seconds()) {}

void StreamEncoder::encode(const ir::Event& e, std::string& out) {
  if (ended_) return;
  switch (e.kind) {
    case ir::EventKind::message_start:
      start(e, out);
      break;
    case ir::EventKind::part_start:
      start(ir::Event{}, out);
      if (e.part_kind == ir::PartKind::tool_call) {
        json::object call{{"index", tool_calls_++},
                          {"id", e.tool_call_id.empty() ? wire::new_id("call_") : e.tool_call_id},
                          {"type", "function"},
                          {"function", {{"name", e.tool_name}, {"arguments", ""}}}};
        chunk({{"tool_calls", json::array{std::move(call)}}}, out);
      }
      break;
    case ir::EventKind::part_delta:
      if (e.delta.empty()) break;
      start(ir::Event{}, out);
      if (e.delta_kind == ir::DeltaKind::text || e.delta_kind == ir::DeltaKind::thinking) {
        // reasoning_content is non-standard, read by DeepSeek-aware clients;
        // the SDK keeps it as is.
        open_chunk(id_, created_, client_model_, out);
        out.append(e.delta_kind == ir::DeltaKind::text ? "{\"content\":"
                                                       : "{\"reasoning_content\":");
        append_json_string(out, e.delta);
        out.push_back('}');
        close_chunk("", include_usage_, out);
      } else if (e.delta_kind == ir::DeltaKind::arguments && tool_calls_ > 0) {
        json::object call{{"index", tool_calls_ - 1}, {"function", {{"arguments", e.delta}}}};
        chunk({{"tool_calls", json::array{std::move(call)}}}, out);
      }
      // Signatures cannot travel in Chat.
      break;
    case ir::EventKind::part_stop:
      break;
    case ir::EventKind::message_delta:
      start(ir::Event{}, out);
      stop_ = e.stop;
      finish_chunk(out);
      if (include_usage_) {
        json::object usage{{"id", id_},
                           {"object", "chat.completion.chunk"},
                           {"created", created_},
                           {"model", client_model_},
                           {"choices", json::array{}},
                           {"usage", wire::usage_json(e.usage)}};
        out.append(sse_frame("", json::serialize(usage)));
      }
      break;
    case ir::EventKind::message_stop:
      start(ir::Event{}, out);
      finish_chunk(out);
      out.append(sse_frame("", "[DONE]"));
      ended_ = true;
      break;
    case ir::EventKind::error:
      // The SDK throws on an {"error":...} data line; nothing may follow it.
      out.append(sse_frame("", error_body(ErrorShape::openai, e.error)));
      ended_ = true;
      break;
  }
}

void StreamEncoder::start(const ir::Event& e, std::string& out) {
  if (started_) return;
  started_ = true;
  if (e.id.starts_with("chatcmpl-"))
    id_ = e.id;
  else if (!e.id.empty())
    id_ = "chatcmpl-" + e.id;
  chunk({{"role", "assistant"}, {"content", ""}}, out);
}

void StreamEncoder::chunk(json::object delta, std::string& out) {
  open_chunk(id_, created_, client_model_, out);
  out.append(json::serialize(delta));
  close_chunk("", include_usage_, out);
}

void StreamEncoder::finish_chunk(std::string& out) {
  if (finished_) return;
  finished_ = true;
  ir::StopReason stop = stop_.value_or(ir::StopReason::end_turn);
  // Clients loop on "tool_calls" (docs/protocols/README.md#pitfall-15).
  std::string_view reason =
      tool_calls_ > 0 && stop == ir::StopReason::end_turn ? "tool_calls" : finish_reason_for(stop);
  open_chunk(id_, created_, client_model_, out);
  out.append("{}");
  close_chunk(reason, include_usage_, out);
}

}  // namespace aiohub::openai_chat
