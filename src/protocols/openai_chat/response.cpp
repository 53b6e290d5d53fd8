// Whole (non-streamed) answers both ways, and upstream error bodies.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/wire.hpp"

#include <algorithm>

namespace aiohub::openai_chat {

namespace {

namespace json = boost::json;

bool has_tool_calls(const std::vector<ir::Part>& parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [](const ir::Part& p) { return p.kind == ir::PartKind::tool_call; });
}

// Returns true when the message was a refusal.
bool decode_message(const json::object& m, std::vector<ir::Part>& parts) {
  std::string_view reasoning = wire::get_string(m, "reasoning_content");
  if (reasoning.empty()) reasoning = wire::get_string(m, "reasoning");
  if (!reasoning.empty()) {
    ir::Part p;
    p.kind = ir::PartKind::thinking;
    p.text = reasoning;
    parts.push_back(std::move(p));
  }
  if (const auto* content = wire::get(m, "content")) {
    if (content->is_string() && !content->get_string().empty()) {
      parts.push_back(ir::Part::make_text(std::string(content->get_string())));
    } else if (content->is_array()) {  // a few compatible servers answer in parts
      for (const auto& c : content->get_array())
        if (const auto* o = c.if_object(); o && wire::get_string(*o, "type") == "text")
          parts.push_back(ir::Part::make_text(std::string(wire::get_string(*o, "text"))));
    }
  }
  bool refusal = false;
  if (auto r = wire::get_string(m, "refusal"); !r.empty()) {
    parts.push_back(ir::Part::make_text(std::string(r)));
    refusal = true;
  }
  if (const auto* calls = wire::get(m, "tool_calls"); calls && calls->is_array()) {
    for (const auto& c : calls->get_array()) {
      const auto* call = c.if_object();
      if (!call) continue;
      ir::Part p;
      p.kind = ir::PartKind::tool_call;
      p.tool_call_id = wire::get_string(*call, "id");
      if (p.tool_call_id.empty()) p.tool_call_id = wire::new_id("call_");
      if (const auto* custom = wire::get(*call, "custom"); custom && custom->is_object()) {
        p.tool_name = wire::get_string(custom->get_object(), "name");
        p.arguments = wire::wrap_custom_input(wire::get_string(custom->get_object(), "input"));
      } else if (const auto* fn = wire::get(*call, "function"); fn && fn->is_object()) {
        p.tool_name = wire::get_string(fn->get_object(), "name");
        p.arguments = wire::get_string(fn->get_object(), "arguments");
      }
      if (p.arguments.empty()) p.arguments = "{}";
      parts.push_back(std::move(p));
    }
  }
  return refusal;
}

}  // namespace

std::optional<ApiError> decode_response(std::string_view body, ir::Response& out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object())
    return ApiError{502, "upstream returned an unreadable response", "", ""};
  const auto& o = doc.get_object();
  // Some compatible servers answer errors with status 200.
  if (wire::get(o, "error")) return decode_error(502, body);
  out.id = wire::get_string(o, "id");
  out.model = wire::get_string(o, "model");
  const auto* choices = wire::get(o, "choices");
  if (!choices || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array()[0].is_object())
    return ApiError{502, "upstream response has no choices", "", ""};
  const auto& choice = choices->get_array()[0].get_object();
  bool refusal = false;
  if (const auto* m = wire::get(choice, "message"); m && m->is_object())
    refusal = decode_message(m->get_object(), out.parts);
  out.stop = stop_for(wire::get_string(choice, "finish_reason"), has_tool_calls(out.parts));
  if (refusal && out.stop == ir::StopReason::end_turn) out.stop = ir::StopReason::refusal;
  out.usage = wire::parse_usage(wire::get(o, "usage"));
  return std::nullopt;
}

std::string encode_response(const ir::Response& r, const std::string& client_model) {
  std::string text, thinking;
  json::array calls;
  for (const auto& p : r.parts) {
    switch (p.kind) {
      case ir::PartKind::text:
        text.append(p.text);
        break;
      case ir::PartKind::thinking:
        thinking.append(p.text);
        break;
      case ir::PartKind::tool_call:
        calls.push_back(
            {{"id", p.tool_call_id.empty() ? wire::new_id("call_") : p.tool_call_id},
             {"type", "function"},
             {"function",
              {{"name", p.tool_name}, {"arguments", p.arguments.empty() ? "{}" : p.arguments}}}});
        break;
      default:  // Chat answers carry no images, documents or opaque reasoning
        break;
    }
  }
  json::object message{{"role", "assistant"}};
  message["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text);
  message["refusal"] = nullptr;
  // Non-standard, but what DeepSeek-style clients read reasoning from.
  if (!thinking.empty()) message["reasoning_content"] = thinking;
  // Clients loop on "tool_calls"; an upstream that ended "normally" with
  // calls still wants them run (docs/protocols/README.md#pitfall-15).
  std::string_view finish = !calls.empty() && r.stop == ir::StopReason::end_turn
                                ? "tool_calls"
                                : finish_reason_for(r.stop);
  if (!calls.empty()) message["tool_calls"] = std::move(calls);
  std::string id =
      r.id.starts_with("chatcmpl-") ? r.id : "chatcmpl-" + (r.id.empty() ? wire::new_id("") : r.id);
  json::object body{{"id", std::move(id)},
                    {"object", "chat.completion"},
                    {"created", wire::now_seconds()},
                    {"model", client_model},
                    {"choices", json::array{json::object{{"index", 0},
                                                         {"message", std::move(message)},
                                                         {"logprobs", nullptr},
                                                         {"finish_reason", finish}}}},
                    {"usage", wire::usage_json(r.usage)}};
  return json::serialize(body);
}

ApiError decode_error(int status, std::string_view body) {
  ApiError e{status, {}, {}, {}};
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  // Servers wrap the error in a one-element array now and then.
  if (!ec && doc.is_array() && !doc.get_array().empty()) doc = doc.get_array()[0];
  if (!ec && doc.is_object()) {
    // {"error":{message,type,param,code}}; also {"error":"text"} and a bare
    // {message,...} from compatible servers.
    const json::object* err = &doc.get_object();
    const auto* inner = wire::get(*err, "error");
    if (inner && inner->is_string()) {
      e.message = inner->get_string();
    } else {
      if (inner && inner->is_object()) err = &inner->get_object();
      e.message = wire::get_string(*err, "message");
      e.type = wire::get_string(*err, "type");
      if (const auto* code = wire::get(*err, "code")) {
        if (code->is_string()) e.code = code->get_string();
        // Numeric codes repeat the HTTP status: nothing for the client's `code`.
      }
    }
  }
  if (e.message.empty()) {
    std::string_view text = body.substr(0, 500);
    e.message = text.empty() ? "upstream error " + std::to_string(status) : std::string(text);
  }
  return e;
}

}  // namespace aiohub::openai_chat
