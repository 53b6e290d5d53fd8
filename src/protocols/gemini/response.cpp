// Whole (non-streamed) answers both ways, and upstream error bodies.
#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"

namespace aiohub::gemini {

namespace json = boost::json;
using wire::get_array;
using wire::get_object;
using wire::get_string;

namespace {

// The error object of {"error":{…}}, also inside the one-element array that
// the non-SSE streaming endpoint answers with.
const json::object* error_object(const json::value& v) {
  if (v.is_array() && !v.get_array().empty()) return error_object(v.get_array()[0]);
  return v.is_object() ? get_object(v.get_object(), "error") : nullptr;
}

}  // namespace

std::optional<ApiError> decode_response(std::string_view body, ir::Response& out) {
  out = ir::Response{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return ApiError{502, "upstream answer is not a Gemini response", "", ""};
  if (error_object(v)) return decode_error(0, body);
  const json::object& o = v.get_object();
  out.id = get_string(o, "responseId");
  out.model = get_string(o, "modelVersion");
  if (const json::object* u = get_object(o, "usageMetadata")) out.usage = wire::parse_usage(*u);

  const json::array* candidates = get_array(o, "candidates");
  if (!candidates || candidates->empty() || !(*candidates)[0].is_object()) {
    // A blocked prompt answers 200 with promptFeedback and no candidates.
    const json::object* fb = get_object(o, "promptFeedback");
    if (fb && !get_string(*fb, "blockReason").empty()) {
      out.stop = ir::StopReason::content_filter;
      return std::nullopt;
    }
    return ApiError{502, "upstream answer has no candidates", "", ""};
  }
  const json::object& cand = (*candidates)[0].get_object();
  int calls = 0;
  std::string prefix = "call_" + (out.id.empty() ? wire::new_id("") : out.id) + "_";
  const json::object* content = get_object(cand, "content");
  if (const json::array* parts = content ? get_array(*content, "parts") : nullptr) {
    for (const json::value& pv : *parts) {
      ir::Part p;
      std::string why;
      if (!pv.is_object() || wire::decode_part(pv.get_object(), p, why) != wire::PartResult::ok)
        continue;
      if (p.kind == ir::PartKind::tool_result) continue;  // not a model output
      // Id-less calls get ids unique across turns, as the client echoes them back.
      if (p.kind == ir::PartKind::tool_call && p.tool_call_id.empty())
        p.tool_call_id = prefix + std::to_string(calls);
      if (p.kind == ir::PartKind::tool_call) ++calls;
      out.parts.push_back(std::move(p));
    }
  }
  out.stop = ir_stop_reason(get_string(cand, "finishReason"), calls > 0);
  return std::nullopt;
}

std::string encode_response(const ir::Response& r, const std::string& client_model) {
  json::array parts;
  for (const auto& p : r.parts)
    if (json::value v = wire::encode_part(p); !v.is_null()) parts.push_back(std::move(v));
  json::object cand;
  // A turn without output (e.g. cut at MAX_TOKENS at once) has no parts, as on Gemini.
  json::object content{{"role", "model"}};
  if (!parts.empty()) content = {{"parts", std::move(parts)}, {"role", "model"}};
  cand["content"] = std::move(content);
  cand["finishReason"] = wire_finish_reason(r.stop);
  cand["index"] = 0;
  return json::serialize(json::object{
      {"candidates", json::array{std::move(cand)}},
      {"usageMetadata", wire::usage_json(r.usage)},
      {"modelVersion", client_model},
      {"responseId", r.id.empty() ? wire::new_id("") : r.id},
  });
}

ApiError decode_error(int status, std::string_view body) {
  ApiError e;
  e.status = status;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* err = ec ? nullptr : error_object(v);
  if (!err) {
    e.message = body.empty() ? "upstream error" : std::string(body.substr(0, 2000));
    if (e.status <= 0) e.status = 502;
    return e;
  }
  e.message = get_string(*err, "message");
  if (e.status <= 0) e.status = static_cast<int>(wire::get_int(*err, "code").value_or(0));
  if (e.status <= 0) e.status = wire::status_for(get_string(*err, "status"));
  if (e.message.empty()) e.message = get_string(*err, "status");
  // Gemini's context overflow is a plain 400; OpenAI clients know it by code
  // (docs/protocols/README.md#pitfall-17).
  if (e.message.find("input token count") != std::string::npos &&
      e.message.find("exceeds") != std::string::npos)
    e.code = "context_length_exceeded";
  return e;
}

}  // namespace aiohub::gemini
