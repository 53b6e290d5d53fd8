#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses::wire {

Usage parse_usage(const json::value* usage) {
  Usage u;
  if (!usage || !usage->is_object()) return u;
  const auto& o = usage->get_object();
  u.reported = true;
  u.input = get_int(o, "input_tokens");
  u.output = get_int(o, "output_tokens");
  if (auto* d = get(o, "input_tokens_details"); d && d->is_object()) {
    u.cache_read = get_int(d->get_object(), "cached_tokens");
    u.cache_write = get_int(d->get_object(), "cache_write_tokens");
  }
  if (auto* d = get(o, "output_tokens_details"); d && d->is_object())
    u.reasoning = get_int(d->get_object(), "reasoning_tokens");
  return u;
}

json::object usage_json(const Usage& u) {
  json::object details_in{{"cached_tokens", u.cache_read}};
  if (u.cache_write) details_in["cache_write_tokens"] = u.cache_write;
  return {{"input_tokens", u.input},
          {"input_tokens_details", std::move(details_in)},
          {"output_tokens", u.output},
          {"output_tokens_details", {{"reasoning_tokens", u.reasoning}}},
          {"total_tokens", u.input + u.output}};
}

std::string reasoning_text(const json::object& item) {
  std::string text;
  for (std::string_view key : {"summary", "content"}) {
    if (auto* list = get(item, key); list && list->is_array())
      for (const auto& s : list->get_array()) {
        if (!s.is_object()) continue;
        std::string_view t = get_string(s.get_object(), "text");
        if (t.empty()) continue;
        if (!text.empty()) text += "\n\n";
        text += t;
      }
    if (!text.empty()) break;
  }
  return text;
}

std::string unwrap_custom_input(std::string_view arguments) {
  boost::system::error_code ec;
  auto v = json::parse(arguments, ec);
  if (!ec && v.is_object())
    if (auto* in = v.get_object().if_contains("input"); in && in->is_string())
      return std::string(in->get_string());
  // A model that ignored the wrapper still produced the patch text.
  return std::string(arguments);
}

json::value output_item(const ir::Part& p, bool custom_tool) {
  switch (p.kind) {
    case ir::PartKind::text:
      return json::object{{"id", new_id("msg_")},
                          {"type", "message"},
                          {"status", "completed"},
                          {"role", "assistant"},
                          {"content", json::array{json::object{{"type", "output_text"},
                                                               {"text", p.text},
                                                               {"annotations", json::array{}}}}}};
    case ir::PartKind::tool_call: {
      std::string call_id = p.tool_call_id.empty() ? new_id("call_") : p.tool_call_id;
      if (custom_tool)
        return json::object{{"id", new_id("ctc_")},  {"type", "custom_tool_call"},
                            {"status", "completed"}, {"call_id", call_id},
                            {"name", p.tool_name},   {"input", unwrap_custom_input(p.arguments)}};
      return json::object{
          {"id", new_id("fc_")},   {"type", "function_call"},
          {"status", "completed"}, {"call_id", call_id},
          {"name", p.tool_name},   {"arguments", p.arguments.empty() ? "{}" : p.arguments}};
    }
    case ir::PartKind::thinking:
    case ir::PartKind::redacted_thinking: {
      json::array summary;
      if (!p.text.empty()) summary.push_back({{"type", "summary_text"}, {"text", p.text}});
      json::object item{{"id", new_id("rs_")}, {"type", "reasoning"}, {"summary", summary}};
      const std::string& opaque = p.kind == ir::PartKind::thinking ? p.signature : p.data;
      if (!opaque.empty()) item["encrypted_content"] = opaque;
      return item;
    }
    default:
      return nullptr;
  }
}

json::object response_object(std::string_view id, std::int64_t created_at, std::string_view model,
                             std::string_view status, json::array output, const Usage* usage) {
  return {{"id", id},
          {"object", "response"},
          {"created_at", created_at},
          {"status", status},
          {"background", false},
          {"error", nullptr},
          {"incomplete_details", nullptr},
          {"instructions", nullptr},
          {"max_output_tokens", nullptr},
          {"model", model},
          {"output", std::move(output)},
          {"parallel_tool_calls", true},
          {"previous_response_id", nullptr},
          {"reasoning", {{"effort", nullptr}, {"summary", nullptr}}},
          {"store", false},
          {"temperature", nullptr},
          {"text", {{"format", {{"type", "text"}}}}},
          {"tool_choice", "auto"},
          {"tools", json::array{}},
          {"top_p", nullptr},
          {"truncation", "disabled"},
          {"usage", usage ? json::value(usage_json(*usage)) : json::value(nullptr)},
          {"metadata", json::object{}}};
}

std::string error_code(const ApiError& e) {
  if (!e.code.empty()) return e.code;
  if (e.status == 429) return "rate_limit_exceeded";
  if (e.status >= 500 || e.status < 400) return "server_error";
  return "invalid_prompt";
}

int status_for_code(std::string_view code) {
  if (code == "rate_limit_exceeded" || code == "insufficient_quota") return 429;
  if (code == "context_length_exceeded" || code == "invalid_prompt") return 400;
  return 500;
}

}  // namespace aiohub::openai_responses::wire
