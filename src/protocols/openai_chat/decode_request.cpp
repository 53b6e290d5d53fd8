// A client's Chat Completions request -> IR. Anything the IR cannot carry
// that would change the answer is refused with a 400 naming the field,
// rather than silently dropped.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/wire.hpp"

namespace aiohub::openai_chat {

namespace {

namespace json = boost::json;

ApiError bad(std::string message) {
  return ApiError{400, std::move(message), "", ""};
}

std::string at(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

// System, developer and tool content: a string or text parts only.
std::optional<ApiError> text_content(const json::value* content, const std::string& field,
                                     std::vector<ir::Part>& out) {
  if (!content) return std::nullopt;
  if (content->is_string()) {
    out.push_back(ir::Part::make_text(std::string(content->get_string())));
    return std::nullopt;
  }
  if (!content->is_array()) return bad("'" + field + "' must be a string or an array of parts.");
  const auto& parts = content->get_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto* part = parts[i].if_object();
    if (!part || wire::get_string(*part, "type") != "text")
      return bad("'" + at(field, i) + "' must be a text part.");
    out.push_back(ir::Part::make_text(std::string(wire::get_string(*part, "text"))));
  }
  return std::nullopt;
}

std::optional<ApiError> user_part(const json::object& part, const std::string& field,
                                  std::vector<ir::Part>& out) {
  std::string_view type = wire::get_string(part, "type");
  if (type == "text") {
    out.push_back(ir::Part::make_text(std::string(wire::get_string(part, "text"))));
    return std::nullopt;
  }
  if (type == "image_url") {
    // The SDK types it as {url, detail}; a bare string is a common shortcut.
    std::string_view url;
    if (auto* v = wire::get(part, "image_url")) {
      if (v->is_string()) url = v->get_string();
      if (v->is_object()) url = wire::get_string(v->get_object(), "url");
    }
    if (url.empty()) return bad("'" + field + ".image_url.url' must be a non-empty string.");
    ir::Part p;
    p.kind = ir::PartKind::image;
    if (!wire::parse_data_url(url, p.mime_type, p.data)) {
      if (url.starts_with("data:"))
        return bad("'" + field + ".image_url.url' must be a base64 data URL or an http(s) URL.");
      p.url = url;
    }
    out.push_back(std::move(p));
    return std::nullopt;
  }
  if (type == "file") {
    const auto* file = wire::get(part, "file");
    std::string_view data = file && file->is_object()
                                ? wire::get_string(file->get_object(), "file_data")
                                : std::string_view{};
    if (data.empty())
      return bad("'" + field +
                 ".file.file_data' is required: uploaded files (file_id) cannot be forwarded.");
    ir::Part p;
    p.kind = ir::PartKind::document;
    // The SDK documents base64 data; clients send it as a data URL or bare.
    if (!wire::parse_data_url(data, p.mime_type, p.data)) {
      p.mime_type = "application/pdf";
      p.data = data;
    }
    out.push_back(std::move(p));
    return std::nullopt;
  }
  if (type == "input_audio") return bad("'" + field + "': audio input is not supported here.");
  return bad("'" + field + ".type' must be one of text, image_url, file.");
}

std::optional<ApiError> user_content(const json::value* content, const std::string& field,
                                     std::vector<ir::Part>& out) {
  if (!content) return bad("'" + field + "' is required for user messages.");
  if (content->is_string()) {
    out.push_back(ir::Part::make_text(std::string(content->get_string())));
    return std::nullopt;
  }
  if (!content->is_array()) return bad("'" + field + "' must be a string or an array of parts.");
  const auto& parts = content->get_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto* part = parts[i].if_object();
    if (!part) return bad("'" + at(field, i) + "' must be an object.");
    if (auto err = user_part(*part, at(field, i), out)) return err;
  }
  return std::nullopt;
}

std::optional<ApiError> tool_call(const json::value& v, const std::string& field,
                                  std::vector<ir::Part>& out) {
  const auto* call = v.if_object();
  if (!call) return bad("'" + field + "' must be an object.");
  ir::Part p;
  p.kind = ir::PartKind::tool_call;
  p.tool_call_id = wire::get_string(*call, "id");
  if (p.tool_call_id.empty()) return bad("'" + field + ".id' must be a non-empty string.");
  if (wire::get_string(*call, "type") == "custom") {
    const auto* c = wire::get(*call, "custom");
    if (!c || !c->is_object()) return bad("'" + field + ".custom' must be an object.");
    p.tool_name = wire::get_string(c->get_object(), "name");
    p.arguments = wire::wrap_custom_input(wire::get_string(c->get_object(), "input"));
  } else {
    const auto* fn = wire::get(*call, "function");
    if (!fn || !fn->is_object()) return bad("'" + field + ".function' must be an object.");
    p.tool_name = wire::get_string(fn->get_object(), "name");
    p.arguments = wire::get_string(fn->get_object(), "arguments");
    if (p.arguments.empty()) p.arguments = "{}";
  }
  if (p.tool_name.empty()) return bad("'" + field + "' needs a function name.");
  out.push_back(std::move(p));
  return std::nullopt;
}

std::optional<ApiError> assistant(const json::object& m, const std::string& field,
                                  std::vector<ir::Part>& out) {
  // Non-standard reasoning (DeepSeek reasoning_content, OpenRouter reasoning)
  // that clients echo back came before the answer.
  std::string_view reasoning = wire::get_string(m, "reasoning_content");
  if (reasoning.empty()) reasoning = wire::get_string(m, "reasoning");
  if (!reasoning.empty()) {
    ir::Part p;
    p.kind = ir::PartKind::thinking;
    p.text = reasoning;
    out.push_back(std::move(p));
  }
  if (const auto* content = wire::get(m, "content")) {
    if (content->is_string()) {
      if (!content->get_string().empty())
        out.push_back(ir::Part::make_text(std::string(content->get_string())));
    } else if (content->is_array()) {
      const auto& parts = content->get_array();
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto* part = parts[i].if_object();
        std::string_view type = part ? wire::get_string(*part, "type") : "";
        if (type != "text" && type != "refusal")
          return bad("'" + at(field + ".content", i) + "' must be a text or refusal part.");
        out.push_back(ir::Part::make_text(std::string(wire::get_string(*part, type))));
      }
    } else {
      return bad("'" + field + ".content' must be a string, an array of parts or null.");
    }
  }
  if (const auto* calls = wire::get(m, "tool_calls")) {
    if (!calls->is_array()) return bad("'" + field + ".tool_calls' must be an array.");
    const auto& arr = calls->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i)
      if (auto err = tool_call(arr[i], at(field + ".tool_calls", i), out)) return err;
  }
  return std::nullopt;
}

std::optional<ApiError> messages(const json::value* v, ir::Request& out) {
  if (!v || !v->is_array() || v->get_array().empty())
    return bad("'messages' must be a non-empty array of messages.");
  bool in_tool_run = false;  // the last message came from a tool message
  const auto& arr = v->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string field = at("messages", i);
    const auto* m = arr[i].if_object();
    if (!m) return bad("'" + field + "' must be an object.");
    std::string_view role = wire::get_string(*m, "role");
    const auto* content = wire::get(*m, "content");
    bool was_tool_run = in_tool_run;
    in_tool_run = false;
    if (role == "system" || role == "developer") {
      // Leading ones are the system prompt; later ones stay where they are.
      if (out.messages.empty()) {
        if (auto err = text_content(content, field + ".content", out.system)) return err;
      } else {
        ir::Message msg{ir::Role::system, {}};
        if (auto err = text_content(content, field + ".content", msg.parts)) return err;
        out.messages.push_back(std::move(msg));
      }
    } else if (role == "user") {
      ir::Message msg{ir::Role::user, {}};
      if (auto err = user_content(content, field + ".content", msg.parts)) return err;
      out.messages.push_back(std::move(msg));
    } else if (role == "assistant") {
      ir::Message msg{ir::Role::assistant, {}};
      if (auto err = assistant(*m, field, msg.parts)) return err;
      out.messages.push_back(std::move(msg));
    } else if (role == "tool") {
      ir::Part result;
      result.kind = ir::PartKind::tool_result;
      result.tool_call_id = wire::get_string(*m, "tool_call_id");
      if (result.tool_call_id.empty())
        return bad("'" + field + ".tool_call_id' must be a non-empty string.");
      if (auto err = text_content(content, field + ".content", result.content)) return err;
      // The IR (like Anthropic) answers all calls of a turn in one user message.
      if (!was_tool_run) out.messages.push_back(ir::Message{ir::Role::user, {}});
      out.messages.back().parts.push_back(std::move(result));
      in_tool_run = true;
    } else {
      return bad("'" + field + ".role' must be one of system, developer, user, assistant, tool.");
    }
  }
  return std::nullopt;
}

std::optional<ApiError> tools(const json::value* v, ir::Request& out) {
  if (!v) return std::nullopt;
  if (!v->is_array()) return bad("'tools' must be an array.");
  const auto& arr = v->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string field = at("tools", i);
    const auto* t = arr[i].if_object();
    if (!t) return bad("'" + field + "' must be an object.");
    std::string_view type = wire::get_string(*t, "type");
    if (type != "function" && type != "custom")
      return bad("'" + field + ".type' must be function or custom.");
    const auto* def = wire::get(*t, type);
    if (!def || !def->is_object())
      return bad("'" + field + "." + std::string(type) + "' is required.");
    const auto& d = def->get_object();
    ir::Tool tool;
    tool.name = wire::get_string(d, "name");
    if (tool.name.empty())
      return bad("'" + field + "." + std::string(type) + ".name' must be a non-empty string.");
    tool.description = wire::get_string(d, "description");
    if (type == "custom") {
      tool.schema = wire::custom_tool_schema();
    } else if (const auto* params = wire::get(d, "parameters")) {
      if (!params->is_object())
        return bad("'" + field + ".function.parameters' must be an object.");
      tool.schema = *params;
    } else {
      tool.schema = {{"type", "object"}, {"properties", json::object{}}};
    }
    out.tools.push_back(std::move(tool));
  }
  return std::nullopt;
}

std::optional<ApiError> tool_choice(const json::value* v, ir::ToolChoice& out) {
  using Mode = ir::ToolChoice::Mode;
  if (!v) return std::nullopt;
  if (v->is_string()) {
    std::string_view s = v->get_string();
    if (s == "auto")
      out.mode = Mode::automatic;
    else if (s == "none")
      out.mode = Mode::none;
    else if (s == "required")
      out.mode = Mode::required;
    else
      return bad("'tool_choice' must be none, auto, required or a named tool.");
    return std::nullopt;
  }
  const auto* o = v->if_object();
  if (!o) return bad("'tool_choice' must be a string or an object.");
  std::string_view type = wire::get_string(*o, "type");
  if (type == "function" || type == "custom") {
    const auto* def = wire::get(*o, type);
    if (def && def->is_object()) out.name = wire::get_string(def->get_object(), "name");
    if (out.name.empty()) return bad("'tool_choice." + std::string(type) + ".name' is required.");
    out.mode = Mode::specific;
    return std::nullopt;
  }
  if (type == "allowed_tools") {
    // The IR has no tool subset; keep the mode, offer every tool.
    std::string_view mode;
    if (const auto* a = wire::get(*o, "allowed_tools"); a && a->is_object())
      mode = wire::get_string(a->get_object(), "mode");
    out.mode = mode == "required" ? Mode::required : Mode::automatic;
    return std::nullopt;
  }
  return bad("'tool_choice.type' must be function, custom or allowed_tools.");
}

std::optional<ApiError> response_format(const json::value* v, ir::ResponseFormat& out) {
  if (!v) return std::nullopt;
  const auto* o = v->if_object();
  if (!o) return bad("'response_format' must be an object.");
  std::string_view type = wire::get_string(*o, "type");
  if (type == "text") {
    out.kind = ir::ResponseFormat::Kind::text;
  } else if (type == "json_object") {
    out.kind = ir::ResponseFormat::Kind::json_object;
  } else if (type == "json_schema") {
    const auto* js = wire::get(*o, "json_schema");
    if (!js || !js->is_object()) return bad("'response_format.json_schema' must be an object.");
    const auto& s = js->get_object();
    out.kind = ir::ResponseFormat::Kind::json_schema;
    out.name = wire::get_string(s, "name");
    if (out.name.empty()) return bad("'response_format.json_schema.name' is required.");
    if (const auto* schema = wire::get(s, "schema")) out.schema = *schema;
    if (const auto* strict = wire::get(s, "strict"); strict && strict->is_bool())
      out.strict = strict->get_bool();
  } else {
    return bad("'response_format.type' must be text, json_object or json_schema.");
  }
  return std::nullopt;
}

std::optional<ApiError> number(const json::object& o, std::string_view key,
                               std::optional<double>& out) {
  const auto* v = wire::get(o, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) return bad("'" + std::string(key) + "' must be a number.");
  out = v->to_number<double>();
  return std::nullopt;
}

std::optional<ApiError> integer(const json::object& o, std::string_view key,
                                std::optional<std::int64_t>& out) {
  const auto* v = wire::get(o, key);
  if (!v) return std::nullopt;
  if (!v->is_int64() && !v->is_uint64())
    return bad("'" + std::string(key) + "' must be an integer.");
  out = wire::get_int(o, key);
  return std::nullopt;
}

std::optional<ApiError> boolean(const json::object& o, std::string_view key,
                                std::optional<bool>& out) {
  const auto* v = wire::get(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) return bad("'" + std::string(key) + "' must be a boolean.");
  out = v->get_bool();
  return std::nullopt;
}

std::optional<ApiError> reasoning(const json::object& o, ir::Reasoning& out) {
  if (const auto* effort = wire::get(o, "reasoning_effort")) {
    if (!effort->is_string() || effort->get_string().empty())
      return bad("'reasoning_effort' must be a string.");
    out.effort = std::string(effort->get_string());
    out.disabled = *out.effort == "none";
  }
  // OpenRouter's unified {effort, max_tokens, enabled}, sent by its users.
  if (const auto* r = wire::get(o, "reasoning"); r && r->is_object()) {
    const auto& ro = r->get_object();
    if (auto e = wire::get_string(ro, "effort"); !e.empty() && !out.effort) out.effort = e;
    if (const auto* m = wire::get(ro, "max_tokens"); m && m->is_number())
      out.budget_tokens = wire::get_int(ro, "max_tokens");
    if (const auto* en = wire::get(ro, "enabled"); en && en->is_bool() && !en->get_bool())
      out.disabled = true;
  }
  return std::nullopt;
}

std::optional<ApiError> scalars(const json::object& o, ir::Request& out) {
  if (auto err = boolean(o, "parallel_tool_calls", out.parallel_tool_calls)) return err;
  // max_tokens is deprecated but still what most clients send.
  if (auto err = integer(o, "max_completion_tokens", out.max_tokens)) return err;
  if (!out.max_tokens)
    if (auto err = integer(o, "max_tokens", out.max_tokens)) return err;
  if (auto err = number(o, "temperature", out.temperature)) return err;
  if (auto err = number(o, "top_p", out.top_p)) return err;
  if (auto err = integer(o, "top_k", out.top_k)) return err;  // vLLM and friends accept it
  if (const auto* stop = wire::get(o, "stop")) {
    if (stop->is_string()) {
      out.stop.emplace_back(stop->get_string());
    } else if (stop->is_array()) {
      for (const auto& s : stop->get_array()) {
        if (!s.is_string()) return bad("'stop' must be a string or an array of strings.");
        out.stop.emplace_back(s.get_string());
      }
    } else {
      return bad("'stop' must be a string or an array of strings.");
    }
  }
  std::optional<std::int64_t> n;
  if (auto err = integer(o, "n", n)) return err;
  if (n && *n != 1) return bad("'n' must be 1: several choices are not supported for this model.");
  std::optional<bool> stream;
  if (auto err = boolean(o, "stream", stream)) return err;
  out.stream = stream.value_or(false);
  if (const auto* user = wire::get(o, "user")) {
    if (!user->is_string()) return bad("'user' must be a string.");
    out.user = user->get_string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> decode_request(std::string_view body, ir::Request& out,
                                       ClientOptions& client) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return bad("We could not parse the JSON body of your request (" + ec.message() + ").");
  const auto* o = doc.if_object();
  if (!o) return bad("The request body must be a JSON object.");
  out.model = wire::get_string(*o, "model");
  if (out.model.empty()) return bad("'model' must be a non-empty string.");
  if (auto err = messages(wire::get(*o, "messages"), out)) return err;
  if (auto err = tools(wire::get(*o, "tools"), out)) return err;
  if (auto err = tool_choice(wire::get(*o, "tool_choice"), out.tool_choice)) return err;
  if (auto err = response_format(wire::get(*o, "response_format"), out.response_format)) return err;
  if (auto err = reasoning(*o, out.reasoning)) return err;
  if (auto err = scalars(*o, out)) return err;
  if (const auto* opts = wire::get(*o, "stream_options"); opts && opts->is_object())
    if (const auto* inc = wire::get(opts->get_object(), "include_usage"); inc && inc->is_bool())
      client.include_usage = inc->get_bool();
  return std::nullopt;
}

std::optional<ApiError> decode_request(std::string_view body, ir::Request& out) {
  ClientOptions ignored;
  return decode_request(body, out, ignored);
}

}  // namespace aiohub::openai_chat
