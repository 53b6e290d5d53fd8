// A client's Responses request body -> ir::Request: the top-level settings
// and tools; the input items are decode_items.cpp's job.
#include "protocols/openai_responses/codec.hpp"
#include "protocols/openai_responses/decode_items.hpp"
#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses {

namespace {

namespace json = boost::json;

ApiError bad(std::string message) {
  return {400, std::move(message), "", "invalid_request_error"};
}

json::value empty_object_schema() {
  return json::object{{"type", "object"}, {"properties", json::object{}}};
}

// A freeform tool becomes a function taking its raw text as "input"; the
// grammar goes into the description so that other vendors' models can still
// produce text the client's tool accepts.
ir::Tool custom_tool(const json::object& o) {
  ir::Tool t;
  t.name = wire::get_string(o, "name");
  t.description = wire::get_string(o, "description");
  if (auto* f = wire::get(o, "format"); f && f->is_object()) {
    std::string_view definition = wire::get_string(f->get_object(), "definition");
    if (!definition.empty()) {
      if (!t.description.empty()) t.description += "\n\n";
      t.description += "The input must match this ";
      t.description += wire::get_string(f->get_object(), "syntax");
      t.description += " grammar:\n";
      t.description += definition;
    }
  }
  t.schema = json::object{
      {"type", "object"},
      {"properties", {{"input", {{"type", "string"}, {"description", "The raw tool input."}}}}},
      {"required", json::array{"input"}},
      {"additionalProperties", false}};
  return t;
}

std::optional<ApiError> tools(const json::value& v, ir::Request& out, ClientOptions& client) {
  if (!v.is_array()) return bad("tools must be an array");
  const auto& list = v.get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = "tools[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return bad(at + " must be an object");
    const auto& o = list[i].get_object();
    std::string_view type = wire::get_string(o, "type");
    if (type == "custom") {
      if (wire::get_string(o, "name").empty()) return bad(at + ".name is required");
      out.tools.push_back(custom_tool(o));
      client.custom_tools.push_back(out.tools.back().name);
      continue;
    }
    // Hosted tools (web_search, local_shell, mcp, ...) only exist on OpenAI.
    if (type != "function") continue;
    // Chat-style {type, function:{...}} also arrives here (docs/protocols/README.md#pitfall-14).
    const json::object* fn = &o;
    if (auto* nested = wire::get(o, "function"); nested && nested->is_object())
      fn = &nested->get_object();
    ir::Tool t;
    t.name = wire::get_string(*fn, "name");
    if (t.name.empty()) return bad(at + ".name is required");
    t.description = wire::get_string(*fn, "description");
    auto* params = wire::get(*fn, "parameters");
    if (params && !params->is_object()) return bad(at + ".parameters must be an object");
    t.schema = params ? *params : empty_object_schema();
    out.tools.push_back(std::move(t));
  }
  return std::nullopt;
}

std::optional<ApiError> tool_choice(const json::value& v, ir::ToolChoice& out) {
  using Mode = ir::ToolChoice::Mode;
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (s == "auto")
      out.mode = Mode::automatic;
    else if (s == "none")
      out.mode = Mode::none;
    else if (s == "required")
      out.mode = Mode::required;
    else
      return bad("tool_choice must be auto, none, required or an object");
    return std::nullopt;
  }
  if (!v.is_object()) return bad("tool_choice must be a string or an object");
  const auto& o = v.get_object();
  std::string_view type = wire::get_string(o, "type");
  if (type == "function" || type == "custom") {
    std::string_view name = wire::get_string(o, "name");
    if (auto* fn = wire::get(o, "function"); name.empty() && fn && fn->is_object())
      name = wire::get_string(fn->get_object(), "name");
    if (name.empty()) return bad("tool_choice.name is required");
    out.mode = Mode::specific;
    out.name = name;
  } else if (type == "allowed_tools") {
    out.mode = wire::get_string(o, "mode") == "required" ? Mode::required : Mode::automatic;
  } else {
    out.mode = Mode::automatic;  // a hosted tool, which was dropped
  }
  return std::nullopt;
}

std::optional<ApiError> text_format(const json::value& v, ir::ResponseFormat& out) {
  if (!v.is_object()) return bad("text must be an object");
  auto* f = wire::get(v.get_object(), "format");
  if (!f) return std::nullopt;
  if (!f->is_object()) return bad("text.format must be an object");
  const auto& o = f->get_object();
  std::string_view type = wire::get_string(o, "type");
  if (type == "text") {
    out.kind = ir::ResponseFormat::Kind::text;
  } else if (type == "json_object") {
    out.kind = ir::ResponseFormat::Kind::json_object;
  } else if (type == "json_schema") {
    out.kind = ir::ResponseFormat::Kind::json_schema;
    out.name = wire::get_string(o, "name");
    auto* schema = wire::get(o, "schema");
    if (!schema || !schema->is_object()) return bad("text.format.schema must be an object");
    out.schema = *schema;
    auto* strict = wire::get(o, "strict");
    out.strict = strict && strict->is_bool() && strict->get_bool();
  } else {
    return bad("text.format.type must be text, json_object or json_schema");
  }
  return std::nullopt;
}

std::optional<ApiError> number(const json::object& body, std::string_view key,
                               std::optional<double>& out) {
  auto* v = wire::get(body, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) return bad(std::string(key) + " must be a number");
  out = v->to_number<double>();
  return std::nullopt;
}

std::optional<ApiError> boolean(const json::object& body, std::string_view key, bool& out) {
  auto* v = wire::get(body, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) return bad(std::string(key) + " must be a boolean");
  out = v->get_bool();
  return std::nullopt;
}

std::optional<ApiError> settings(const json::object& body, ir::Request& out) {
  if (auto e = number(body, "temperature", out.temperature)) return e;
  if (auto e = number(body, "top_p", out.top_p)) return e;
  if (auto* v = wire::get(body, "max_output_tokens")) {
    if (!v->is_int64() && !v->is_uint64()) return bad("max_output_tokens must be an integer");
    out.max_tokens = v->to_number<std::int64_t>();
  }
  if (auto e = boolean(body, "stream", out.stream)) return e;
  if (wire::get(body, "parallel_tool_calls")) {
    bool parallel = true;
    if (auto e = boolean(body, "parallel_tool_calls", parallel)) return e;
    out.parallel_tool_calls = parallel;
  }
  if (auto* v = wire::get(body, "reasoning")) {
    if (!v->is_object()) return bad("reasoning must be an object");
    std::string_view effort = wire::get_string(v->get_object(), "effort");
    if (!effort.empty()) out.reasoning.effort = std::string(effort);
    out.reasoning.disabled = effort == "none";
  }
  if (auto* v = wire::get(body, "text"))
    if (auto e = text_format(*v, out.response_format)) return e;
  if (auto* v = wire::get(body, "tool_choice"))
    if (auto e = tool_choice(*v, out.tool_choice)) return e;
  out.user = wire::get_string(body, "user");
  if (out.user.empty()) out.user = wire::get_string(body, "safety_identifier");
  // store, include, previous_response_id, prompt_cache_key, metadata, ...:
  // OpenAI-side state with no meaning for another upstream.
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> decode_request(std::string_view body, ir::Request& out,
                                       ClientOptions& client) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return bad("the request body is not valid JSON");
  if (!doc.is_object()) return bad("the request body must be a JSON object");
  const auto& o = doc.get_object();

  auto* model = wire::get(o, "model");
  if (!model || !model->is_string() || model->get_string().empty())
    return bad("model is required and must be a string");
  out.model = model->get_string();

  if (auto* v = wire::get(o, "instructions")) {
    if (!v->is_string()) return bad("instructions must be a string");
    if (!v->get_string().empty())
      out.system.push_back(ir::Part::make_text(std::string(v->get_string())));
  }

  auto* input = wire::get(o, "input");
  if (!input) return bad("input is required");
  if (input->is_string()) {
    out.messages.push_back(
        {ir::Role::user, {ir::Part::make_text(std::string(input->get_string()))}});
  } else if (input->is_array()) {
    if (auto e = decode_items(input->get_array(), out)) return e;
  } else {
    return bad("input must be a string or an array");
  }

  if (auto* v = wire::get(o, "tools"))
    if (auto e = tools(*v, out, client)) return e;
  return settings(o, out);
}

std::optional<ApiError> decode_request(std::string_view body, ir::Request& out) {
  ClientOptions ignored;
  return decode_request(body, out, ignored);
}

}  // namespace aiohub::openai_responses
