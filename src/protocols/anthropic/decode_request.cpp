// Client request -> IR. Every rejection names the offending field, so that the
// client's SDK shows where its request went wrong.
#include <string>

#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub::anthropic {

namespace {

namespace json = boost::json;
using wire::get;
using wire::get_string;

struct Bad {
  std::string message;
};

[[noreturn]] void bad(std::string message) {
  throw Bad{std::move(message)};
}

const json::object& as_object(const json::value& v, const std::string& where) {
  if (!v.is_object()) bad(where + ": must be an object");
  return v.get_object();
}

std::string need_string(const json::object& o, std::string_view key, const std::string& where) {
  const json::value* v = get(o, key);
  if (!v || !v->is_string()) bad(where + "." + std::string(key) + ": must be a string");
  return std::string(v->get_string());
}

std::string opt_string(const json::object& o, std::string_view key, const std::string& where) {
  const json::value* v = get(o, key);
  if (!v) return {};
  if (!v->is_string()) bad(where + "." + std::string(key) + ": must be a string");
  return std::string(v->get_string());
}

std::optional<double> opt_number(const json::object& o, std::string_view key) {
  const json::value* v = get(o, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) bad(std::string(key) + ": must be a number");
  return v->to_number<double>();
}

std::optional<std::int64_t> opt_int(const json::object& o, std::string_view key,
                                    const std::string& where) {
  const json::value* v = get(o, key);
  if (!v) return std::nullopt;
  boost::system::error_code ec;
  auto n = v->is_number() ? v->to_number<std::int64_t>(ec) : 0;
  if (!v->is_number() || ec) bad(where + ": must be an integer");
  return n;
}

// image/document source -> mime_type + data (base64) or url.
void decode_source(const json::object& block, ir::Part& p, const std::string& where) {
  const json::value* sv = get(block, "source");
  if (!sv) bad(where + ".source: required");
  const json::object& source = as_object(*sv, where + ".source");
  std::string at = where + ".source";
  std::string type = need_string(source, "type", at);
  if (type == "base64") {
    p.mime_type = need_string(source, "media_type", at);
    p.data = need_string(source, "data", at);
  } else if (type == "url") {
    p.url = need_string(source, "url", at);
  } else if (type == "text" && p.kind == ir::PartKind::document) {
    // The IR holds document data as base64, whatever its type.
    p.mime_type = "text/plain";
    p.data = wire::base64_encode(need_string(source, "data", at));
  } else if (type == "content" && p.kind == ir::PartKind::document) {
    std::string text;
    if (const json::value* c = get(source, "content"); c && c->is_string()) {
      text = c->get_string();
    } else if (c && c->is_array()) {
      for (const json::value& b : c->get_array())
        if (b.is_object() && get_string(b.get_object(), "type") == "text") {
          if (!text.empty()) text += "\n\n";
          text += get_string(b.get_object(), "text");
        }
    } else {
      bad(at + ".content: must be a string or an array");
    }
    p.mime_type = "text/plain";
    p.data = wire::base64_encode(text);
  } else {
    bad(at + ".type: unsupported source type \"" + type + "\"");
  }
}

ir::Part decode_block(const json::value& v, const std::string& where, bool in_tool_result);

std::vector<ir::Part> decode_content(const json::value& v, const std::string& where,
                                     bool in_tool_result) {
  std::vector<ir::Part> parts;
  if (v.is_string()) {
    parts.push_back(ir::Part::make_text(std::string(v.get_string())));
  } else if (v.is_array()) {
    const json::array& blocks = v.get_array();
    for (std::size_t i = 0; i < blocks.size(); ++i)
      parts.push_back(
          decode_block(blocks[i], where + "[" + std::to_string(i) + "]", in_tool_result));
  } else {
    bad(where + ": must be a string or an array of content blocks");
  }
  return parts;
}

ir::Part decode_block(const json::value& v, const std::string& where, bool in_tool_result) {
  const json::object& block = as_object(v, where);
  std::string type = need_string(block, "type", where);
  ir::Part p;
  if (type == "text") {
    p.text = need_string(block, "text", where);
  } else if (type == "image") {
    p.kind = ir::PartKind::image;
    decode_source(block, p, where);
  } else if (type == "document") {
    p.kind = ir::PartKind::document;
    decode_source(block, p, where);
  } else if (in_tool_result) {
    bad(where + ".type: \"" + type + "\" is not allowed in a tool_result");
  } else if (type == "tool_use") {
    p.kind = ir::PartKind::tool_call;
    p.tool_call_id = need_string(block, "id", where);
    p.tool_name = need_string(block, "name", where);
    const json::value* input = get(block, "input");
    if (input && !input->is_object()) bad(where + ".input: must be an object");
    p.arguments = wire::arguments_text(input);
  } else if (type == "tool_result") {
    p.kind = ir::PartKind::tool_result;
    p.tool_call_id = need_string(block, "tool_use_id", where);
    if (const json::value* c = get(block, "content"))
      p.content = decode_content(*c, where + ".content", true);
    if (const json::value* e = get(block, "is_error")) {
      if (!e->is_bool()) bad(where + ".is_error: must be a boolean");
      p.is_error = e->get_bool();
    }
  } else if (type == "thinking") {
    p.kind = ir::PartKind::thinking;
    p.text = need_string(block, "thinking", where);
    p.signature = opt_string(block, "signature", where);
  } else if (type == "redacted_thinking") {
    p.kind = ir::PartKind::redacted_thinking;
    p.data = need_string(block, "data", where);
  } else {
    bad(where + ".type: unsupported content block type \"" + type + "\"");
  }
  return p;
}

void decode_system(const json::value& v, ir::Request& out) {
  if (v.is_string()) {
    if (!v.get_string().empty())
      out.system.push_back(ir::Part::make_text(std::string(v.get_string())));
    return;
  }
  if (!v.is_array()) bad("system: must be a string or an array of text blocks");
  const json::array& blocks = v.get_array();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    std::string where = "system[" + std::to_string(i) + "]";
    const json::object& block = as_object(blocks[i], where);
    if (need_string(block, "type", where) != "text") bad(where + ".type: must be \"text\"");
    // cache_control is Anthropic's own affair and stays out of the IR.
    out.system.push_back(ir::Part::make_text(need_string(block, "text", where)));
  }
}

void decode_messages(const json::object& body, ir::Request& out) {
  const json::value* mv = get(body, "messages");
  if (!mv || !mv->is_array()) bad("messages: required, must be an array");
  const json::array& messages = mv->get_array();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    std::string where = "messages[" + std::to_string(i) + "]";
    const json::object& m = as_object(messages[i], where);
    std::string role = need_string(m, "role", where);
    ir::Message msg;
    if (role == "user")
      msg.role = ir::Role::user;
    else if (role == "assistant")
      msg.role = ir::Role::assistant;
    else if (role == "system")
      msg.role = ir::Role::system;
    else
      bad(where + ".role: must be \"user\" or \"assistant\", not \"" + role + "\"");
    const json::value* content = get(m, "content");
    if (!content) bad(where + ".content: required");
    msg.parts = decode_content(*content, where + ".content", false);
    out.messages.push_back(std::move(msg));
  }
}

void decode_tools(const json::object& body, ir::Request& out) {
  if (const json::value* tv = get(body, "tools")) {
    if (!tv->is_array()) bad("tools: must be an array");
    const json::array& tools = tv->get_array();
    for (std::size_t i = 0; i < tools.size(); ++i) {
      std::string where = "tools[" + std::to_string(i) + "]";
      const json::object& t = as_object(tools[i], where);
      std::string_view type = get_string(t, "type");
      // Server tools (web_search_…, bash_…) run at Anthropic and cannot be
      // forwarded to another vendor (docs/protocols/README.md#pitfall-14).
      if (!type.empty() && type != "custom") continue;
      ir::Tool tool;
      tool.name = need_string(t, "name", where);
      tool.description = opt_string(t, "description", where);
      if (const json::value* s = get(t, "input_schema")) {
        as_object(*s, where + ".input_schema");
        tool.schema = *s;
      } else {
        tool.schema = json::object{{"type", "object"}, {"properties", json::object{}}};
      }
      out.tools.push_back(std::move(tool));
    }
  }
  if (const json::value* cv = get(body, "tool_choice")) {
    const json::object& c = as_object(*cv, "tool_choice");
    std::string type = need_string(c, "type", "tool_choice");
    using Mode = ir::ToolChoice::Mode;
    if (type == "auto") {
      out.tool_choice.mode = Mode::automatic;
    } else if (type == "any") {
      out.tool_choice.mode = Mode::required;
    } else if (type == "none") {
      out.tool_choice.mode = Mode::none;
    } else if (type == "tool") {
      out.tool_choice.mode = Mode::specific;
      out.tool_choice.name = need_string(c, "name", "tool_choice");
    } else {
      bad("tool_choice.type: unsupported \"" + type + "\"");
    }
    if (const json::value* d = get(c, "disable_parallel_tool_use");
        d && d->is_bool() && d->get_bool())
      out.parallel_tool_calls = false;
  }
}

void decode_reasoning(const json::object& body, ir::Request& out) {
  if (const json::value* tv = get(body, "thinking")) {
    const json::object& t = as_object(*tv, "thinking");
    std::string type = need_string(t, "type", "thinking");
    if (type == "enabled") {
      out.reasoning.budget_tokens = opt_int(t, "budget_tokens", "thinking.budget_tokens");
      if (!out.reasoning.budget_tokens) bad("thinking.budget_tokens: required when enabled");
    } else if (type == "disabled") {
      out.reasoning.disabled = true;
    } else if (type == "adaptive") {
      // The model picks its own budget; Anthropic's default effort is high.
      out.reasoning.effort = "high";
    } else {
      bad("thinking.type: unsupported \"" + type + "\"");
    }
  }
  if (const json::value* ov = get(body, "output_config")) {
    const json::object& o = as_object(*ov, "output_config");
    std::string effort = opt_string(o, "effort", "output_config");
    if (!effort.empty()) out.reasoning.effort = effort;
    if (const json::value* fv = get(o, "format")) {
      const json::object& f = as_object(*fv, "output_config.format");
      if (get_string(f, "type") == "json_schema") {
        out.response_format.kind = ir::ResponseFormat::Kind::json_schema;
        if (const json::value* s = get(f, "schema")) out.response_format.schema = *s;
      }
    }
  }
}

void decode(const json::object& body, ir::Request& out) {
  const json::value* model = get(body, "model");
  if (!model || !model->is_string() || model->get_string().empty())
    bad("model: required, must be a non-empty string");
  out.model = model->get_string();
  if (const json::value* s = get(body, "system")) decode_system(*s, out);
  decode_messages(body, out);
  decode_tools(body, out);
  decode_reasoning(body, out);
  out.max_tokens = opt_int(body, "max_tokens", "max_tokens");
  out.temperature = opt_number(body, "temperature");
  out.top_p = opt_number(body, "top_p");
  out.top_k = opt_int(body, "top_k", "top_k");
  if (const json::value* sv = get(body, "stop_sequences")) {
    if (!sv->is_array()) bad("stop_sequences: must be an array of strings");
    for (const json::value& s : sv->get_array()) {
      if (!s.is_string()) bad("stop_sequences: must be an array of strings");
      out.stop.emplace_back(s.get_string());
    }
  }
  if (const json::value* st = get(body, "stream")) {
    if (!st->is_bool()) bad("stream: must be a boolean");
    out.stream = st->get_bool();
  }
  if (const json::value* mv = get(body, "metadata"))
    out.user = opt_string(as_object(*mv, "metadata"), "user_id", "metadata");
}

}  // namespace

std::optional<ApiError> decode_request(std::string_view body, ir::Request& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return ApiError{400, "request body must be a JSON object", "", "invalid_request_error"};
  try {
    decode(v.get_object(), out);
  } catch (const Bad& b) {
    return ApiError{400, b.message, "", "invalid_request_error"};
  }
  return std::nullopt;
}

}  // namespace aiohub::anthropic
