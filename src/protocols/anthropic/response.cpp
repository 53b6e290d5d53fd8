// Whole (non-streamed) answers and error bodies, both ways.
#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub::anthropic {

namespace json = boost::json;
using wire::get;
using wire::get_string;

std::optional<ApiError> decode_response(std::string_view body, ir::Response& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return ApiError{502, "upstream answer is not a JSON object", "", "api_error"};
  const json::object& m = v.get_object();
  // Some compatible servers answer errors with status 200.
  if (get_string(m, "type") == "error") {
    const json::value* err = get(m, "error");
    int status = err && err->is_object()
                     ? wire::status_for_type(get_string(err->get_object(), "type"))
                     : 502;
    return decode_error(status, body);
  }
  const json::value* content = get(m, "content");
  if (!content || !content->is_array())
    return ApiError{502, "upstream answer has no content array", "", "api_error"};
  out.id = get_string(m, "id");
  out.model = get_string(m, "model");
  for (const json::value& b : content->get_array())
    if (b.is_object())
      if (auto p = wire::output_part(b.get_object())) out.parts.push_back(std::move(*p));
  out.stop = ir_stop_reason(get_string(m, "stop_reason"));
  out.stop_sequence = get_string(m, "stop_sequence");
  if (const json::value* u = get(m, "usage"); u && u->is_object())
    out.usage = wire::parse_usage(u->get_object());
  return std::nullopt;
}

std::string encode_response(const ir::Response& r, const std::string& client_model) {
  json::array content;
  for (const ir::Part& p : r.parts) {
    json::value b = wire::output_block(p);
    if (!b.is_null()) content.push_back(std::move(b));
  }
  json::object m{
      {"id", r.id.starts_with("msg_") ? r.id : wire::new_id("msg_")},
      {"type", "message"},
      {"role", "assistant"},
      {"model", client_model},
      {"content", std::move(content)},
      {"stop_reason", wire_stop_reason(r.stop)},
      {"stop_sequence", nullptr},
      {"usage", wire::usage_json(r.usage)},
  };
  if (!r.stop_sequence.empty()) m["stop_sequence"] = r.stop_sequence;
  return json::serialize(m);
}

ApiError decode_error(int status, std::string_view body) {
  ApiError e;
  e.status = status;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::value* err = !ec && v.is_object() ? get(v.get_object(), "error") : nullptr;
  if (err && err->is_object()) {
    e.message = get_string(err->get_object(), "message");
    e.type = get_string(err->get_object(), "type");
  } else if (err && err->is_string()) {
    e.message = err->get_string();
  }
  // Not Anthropic's shape (a proxy's HTML page, say): keep its text.
  if (e.message.empty())
    e.message = body.empty() ? "upstream error" : std::string(body.substr(0, 2000));
  return e;
}

}  // namespace aiohub::anthropic
