#include "protocols/gemini/wire.hpp"

#include <cctype>

#include "util/crypto.hpp"

namespace aiohub::gemini::wire {

namespace {

std::string snake_case(std::string_view camel) {
  std::string s;
  s.reserve(camel.size() + 4);
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      s.push_back('_');
      s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      s.push_back(c);
    }
  }
  return s;
}

bool is_media(std::string_view mime) {
  return mime.starts_with("image/");
}

// functionResponse.response -> result text. Our own wrappers ({"result": …},
// Gemini CLI's {"output": …}) unwrap to their text; anything else is JSON.
void response_content(const json::value* response, ir::Part& out) {
  std::string text;
  if (response && response->is_object()) {
    const json::object& o = response->get_object();
    const json::value* only = o.size() == 1 ? &o.begin()->value() : nullptr;
    std::string_view key = o.size() == 1 ? std::string_view(o.begin()->key()) : "";
    if (only && key == "error") out.is_error = true;
    if (only && only->is_string() && (key == "error" || key == "output" || key == "result"))
      text = only->get_string();
    else if (only && key == "error")
      text = json::serialize(*only);
    else
      text = json::serialize(o);
  } else if (response && response->is_string()) {
    text = response->get_string();
  } else if (response) {
    text = json::serialize(*response);
  }
  if (!text.empty()) out.content.push_back(ir::Part::make_text(std::move(text)));
}

}  // namespace

const json::value* get(const json::object& o, std::string_view camel) {
  const json::value* v = o.if_contains(camel);
  if (!v) v = o.if_contains(snake_case(camel));
  return v && !v->is_null() ? v : nullptr;
}

std::string_view get_string(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::optional<std::int64_t> get_int(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) {  // out of range (1e25, say) the cast would be undefined
    const double d = v->get_double();
    if (d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  // proto3 JSON may spell 64-bit integers as strings.
  if (v->is_string()) {
    try {
      return std::stoll(std::string(v->get_string()));
    } catch (...) {
    }
  }
  return std::nullopt;
}

std::optional<double> get_number(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

bool get_bool(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  return v && v->is_bool() && v->get_bool();
}

const json::object* get_object(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* get_array(const json::object& o, std::string_view camel) {
  const json::value* v = get(o, camel);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string new_id(std::string_view prefix) {
  return std::string(prefix) + random_urlsafe(24);
}

Usage parse_usage(const json::object& meta) {
  Usage u;
  std::int64_t thoughts = get_int(meta, "thoughtsTokenCount").value_or(0);
  // Tool-use prompt tokens (e.g. search results fed back) are billed as input.
  u.input = get_int(meta, "promptTokenCount").value_or(0) +
            get_int(meta, "toolUsePromptTokenCount").value_or(0);
  u.cache_read = get_int(meta, "cachedContentTokenCount").value_or(0);
  u.output = get_int(meta, "candidatesTokenCount").value_or(0) + thoughts;
  u.reasoning = thoughts;
  u.reported = true;
  return u;
}

json::object usage_json(const Usage& u) {
  json::object o{{"promptTokenCount", u.input},
                 {"candidatesTokenCount", u.output - u.reasoning},
                 {"totalTokenCount", u.input + u.output}};
  if (u.cache_read > 0) o["cachedContentTokenCount"] = u.cache_read;
  if (u.reasoning > 0) o["thoughtsTokenCount"] = u.reasoning;
  return o;
}

json::object args_object(std::string_view arguments) {
  boost::system::error_code ec;
  json::value v = json::parse(arguments, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}

PartResult decode_part(const json::object& part, ir::Part& out, std::string& why) {
  out = ir::Part{};
  out.signature = get_string(part, "thoughtSignature");
  bool thought = get_bool(part, "thought");
  if (const json::value* t = get(part, "text")) {
    if (!t->is_string()) {
      why = "text must be a string";
      return PartResult::bad;
    }
    out.kind = thought ? ir::PartKind::thinking : ir::PartKind::text;
    out.text = t->get_string();
    return PartResult::ok;
  }
  if (get(part, "inlineData")) {
    const json::object* d = get_object(part, "inlineData");
    if (!d || get_string(*d, "data").empty()) {
      why = "inlineData needs mimeType and data";
      return PartResult::bad;
    }
    out.mime_type = get_string(*d, "mimeType");
    out.data = get_string(*d, "data");
    out.kind = is_media(out.mime_type) ? ir::PartKind::image : ir::PartKind::document;
    return PartResult::ok;
  }
  if (get(part, "fileData")) {
    const json::object* f = get_object(part, "fileData");
    if (!f || get_string(*f, "fileUri").empty()) {
      why = "fileData needs fileUri";
      return PartResult::bad;
    }
    out.mime_type = get_string(*f, "mimeType");
    out.url = get_string(*f, "fileUri");
    out.kind = is_media(out.mime_type) ? ir::PartKind::image : ir::PartKind::document;
    return PartResult::ok;
  }
  if (get(part, "functionCall")) {
    const json::object* c = get_object(part, "functionCall");
    if (!c || get_string(*c, "name").empty()) {
      why = "functionCall needs a name";
      return PartResult::bad;
    }
    const json::value* args = get(*c, "args");
    if (args && !args->is_object()) {
      why = "functionCall.args must be an object";
      return PartResult::bad;
    }
    out.kind = ir::PartKind::tool_call;
    out.tool_call_id = get_string(*c, "id");
    out.tool_name = get_string(*c, "name");
    out.arguments = args ? json::serialize(*args) : "{}";
    return PartResult::ok;
  }
  if (get(part, "functionResponse")) {
    const json::object* r = get_object(part, "functionResponse");
    if (!r || get_string(*r, "name").empty()) {
      why = "functionResponse needs a name";
      return PartResult::bad;
    }
    out.kind = ir::PartKind::tool_result;
    out.signature.clear();
    out.tool_call_id = get_string(*r, "id");
    out.tool_name = get_string(*r, "name");
    response_content(get(*r, "response"), out);
    // Multimodal function responses (Gemini 3) carry media as nested parts.
    if (const json::array* nested = get_array(*r, "parts")) {
      for (const json::value& n : *nested) {
        ir::Part media;
        std::string ignored;
        if (n.is_object() && decode_part(n.get_object(), media, ignored) == PartResult::ok &&
            (media.kind == ir::PartKind::image || media.kind == ir::PartKind::document ||
             media.kind == ir::PartKind::text))
          out.content.push_back(std::move(media));
      }
    }
    return PartResult::ok;
  }
  // Code execution has no IR form; it is the model's own server-side tool.
  if (get(part, "executableCode") || get(part, "codeExecutionResult")) return PartResult::skip;
  if (thought || !out.signature.empty()) {
    out.kind = ir::PartKind::thinking;
    return PartResult::ok;
  }
  why = "part has no data field (text, inlineData, fileData, functionCall, functionResponse)";
  return PartResult::bad;
}

json::value encode_part(const ir::Part& p) {
  json::object o;
  switch (p.kind) {
    case ir::PartKind::text:
      if (p.text.empty() && p.signature.empty()) return nullptr;
      o["text"] = p.text;
      break;
    case ir::PartKind::thinking:
      if (p.text.empty() && p.signature.empty()) return nullptr;
      o["text"] = p.text;
      o["thought"] = true;
      break;
    case ir::PartKind::tool_call: {
      json::object call;
      if (!p.tool_call_id.empty()) call["id"] = p.tool_call_id;
      call["name"] = p.tool_name;
      call["args"] = args_object(p.arguments);
      o["functionCall"] = std::move(call);
      break;
    }
    case ir::PartKind::image:
    case ir::PartKind::document: {
      std::string mime = p.mime_type, data = p.data;
      if (data.empty() && !parse_data_url(p.url, mime, data)) {
        if (p.url.empty()) return nullptr;
        json::object file;
        if (!mime.empty()) file["mimeType"] = mime;
        file["fileUri"] = p.url;
        o["fileData"] = std::move(file);
        break;
      }
      o["inlineData"] = json::object{{"mimeType", mime}, {"data", data}};
      break;
    }
    default:
      return nullptr;
  }
  if (!p.signature.empty()) o["thoughtSignature"] = p.signature;
  return o;
}

bool parse_data_url(std::string_view url, std::string& mime, std::string& data) {
  if (!url.starts_with("data:")) return false;
  auto comma = url.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) return false;
  mime = meta.substr(0, meta.size() - 7);
  data = url.substr(comma + 1);
  return true;
}

int status_for(std::string_view status) {
  if (status == "INVALID_ARGUMENT" || status == "FAILED_PRECONDITION" || status == "OUT_OF_RANGE")
    return 400;
  if (status == "UNAUTHENTICATED") return 401;
  if (status == "PERMISSION_DENIED") return 403;
  if (status == "NOT_FOUND") return 404;
  if (status == "ALREADY_EXISTS" || status == "ABORTED") return 409;
  if (status == "RESOURCE_EXHAUSTED") return 429;
  if (status == "CANCELLED") return 499;
  if (status == "UNIMPLEMENTED") return 501;
  if (status == "UNAVAILABLE") return 503;
  if (status == "DEADLINE_EXCEEDED") return 504;
  return 500;
}

}  // namespace aiohub::gemini::wire
