// Whole (non-streamed) answers both ways, and upstream error bodies.
#include "protocols/openai_responses/codec.hpp"
#include "protocols/openai_responses/wire.hpp"

#include <algorithm>

namespace aiohub::openai_responses {

namespace {

namespace json = boost::json;

// Returns true when the item was a refusal.
bool decode_item(const json::object& item, std::vector<ir::Part>& parts) {
  std::string_view type = wire::get_string(item, "type");
  bool refusal = false;
  if (type == "message") {
    if (auto* content = wire::get(item, "content"); content && content->is_array())
      for (const auto& c : content->get_array()) {
        if (!c.is_object()) continue;
        const auto& o = c.get_object();
        std::string_view ctype = wire::get_string(o, "type");
        if (ctype == "output_text") {
          parts.push_back(ir::Part::make_text(std::string(wire::get_string(o, "text"))));
        } else if (ctype == "refusal") {
          parts.push_back(ir::Part::make_text(std::string(wire::get_string(o, "refusal"))));
          refusal = true;
        }
      }
  } else if (type == "function_call" || type == "custom_tool_call") {
    ir::Part p;
    p.kind = ir::PartKind::tool_call;
    p.tool_call_id = wire::get_string(item, "call_id");
    p.tool_name = wire::get_string(item, "name");
    p.arguments = type == "custom_tool_call"
                      ? wire::wrap_custom_input(wire::get_string(item, "input"))
                      : std::string(wire::get_string(item, "arguments"));
    if (p.arguments.empty()) p.arguments = "{}";
    parts.push_back(std::move(p));
  } else if (type == "reasoning") {
    ir::Part p;
    p.kind = ir::PartKind::thinking;
    p.text = wire::reasoning_text(item);
    p.signature = wire::get_string(item, "encrypted_content");
    if (!p.text.empty() || !p.signature.empty()) parts.push_back(std::move(p));
  }
  // Hosted-tool items (web_search_call, ...) describe work already done upstream.
  return refusal;
}

}  // namespace

std::optional<ApiError> decode_response(std::string_view body, ir::Response& out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object())
    return ApiError{502, "upstream returned an unreadable response", "", ""};
  const auto& o = doc.get_object();
  std::string_view status = wire::get_string(o, "status");
  if (status == "failed") {
    ApiError e{500, "upstream response failed", "", ""};
    if (auto* err = wire::get(o, "error"); err && err->is_object()) {
      e.code = wire::get_string(err->get_object(), "code");
      e.status = wire::status_for_code(e.code);
      if (auto m = wire::get_string(err->get_object(), "message"); !m.empty()) e.message = m;
    }
    return e;
  }
  out.id = wire::get_string(o, "id");
  out.model = wire::get_string(o, "model");
  bool refusal = false;
  if (auto* output = wire::get(o, "output"); output && output->is_array())
    for (const auto& item : output->get_array())
      if (item.is_object()) refusal = decode_item(item.get_object(), out.parts) || refusal;
  std::string_view reason;
  if (auto* d = wire::get(o, "incomplete_details"); d && d->is_object())
    reason = wire::get_string(d->get_object(), "reason");
  bool tools = std::any_of(out.parts.begin(), out.parts.end(),
                           [](const ir::Part& p) { return p.kind == ir::PartKind::tool_call; });
  out.stop = stop_for(status.empty() ? "completed" : status, reason, tools);
  if (refusal && out.stop == ir::StopReason::end_turn) out.stop = ir::StopReason::refusal;
  out.usage = wire::parse_usage(wire::get(o, "usage"));
  return std::nullopt;
}

std::string encode_response(const ir::Response& r, const std::string& client_model,
                            const ClientOptions& client) {
  json::array output;
  for (const auto& p : r.parts) {
    bool custom = p.kind == ir::PartKind::tool_call &&
                  std::find(client.custom_tools.begin(), client.custom_tools.end(), p.tool_name) !=
                      client.custom_tools.end();
    if (auto item = wire::output_item(p, custom); !item.is_null())
      output.push_back(std::move(item));
  }
  WireStatus ws = status_for(r.stop);
  std::string id =
      r.id.starts_with("resp_") ? r.id : "resp_" + (r.id.empty() ? wire::new_id("") : r.id);
  auto body = wire::response_object(id, wire::now_seconds(), client_model, ws.status,
                                    std::move(output), &r.usage);
  if (!ws.incomplete_reason.empty())
    body["incomplete_details"] = {{"reason", ws.incomplete_reason}};
  if (ws.status == "failed")
    body["error"] = {{"code", "server_error"}, {"message", "the upstream failed"}};
  return json::serialize(body);
}

std::string encode_response(const ir::Response& r, const std::string& client_model) {
  return encode_response(r, client_model, ClientOptions{});
}

ApiError decode_error(int status, std::string_view body) {
  ApiError e{status, {}, {}, {}};
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (!ec && doc.is_object()) {
    // {"error":{...}} from HTTP errors; a bare {message, code} from error events.
    const json::object* err = &doc.get_object();
    if (auto* inner = wire::get(*err, "error"); inner && inner->is_object())
      err = &inner->get_object();
    e.message = wire::get_string(*err, "message");
    e.type = wire::get_string(*err, "type");
    if (auto* code = wire::get(*err, "code"); code && code->is_string())
      e.code = code->get_string();
  }
  if (e.message.empty()) {
    std::string_view text = body.substr(0, 500);
    e.message = text.empty() ? "upstream error " + std::to_string(status) : std::string(text);
  }
  return e;
}

}  // namespace aiohub::openai_responses
