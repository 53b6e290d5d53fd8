// Client GenerateContentRequest -> ir::Request. The model and streaming come
// from the URL; everything else from the body.
#include <algorithm>
#include <cctype>
#include <map>

#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"
#include "util/strings.hpp"

namespace aiohub::gemini {

namespace json = boost::json;
using wire::get;
using wire::get_array;
using wire::get_object;
using wire::get_string;

namespace {

ApiError bad(std::string message) {
  return {400, std::move(message), "", ""};
}

// `parameters`/`responseSchema` use Gemini's OpenAPI subset (type "OBJECT",
// nullable); other upstreams need JSON Schema (type "object", type [t, "null"]).
json::value json_schema(const json::value& s) {
  if (s.is_array()) {
    json::array out;
    for (const auto& x : s.get_array()) out.push_back(json_schema(x));
    return out;
  }
  if (!s.is_object()) return s;
  const json::object& in = s.get_object();
  bool nullable = wire::get_bool(in, "nullable");
  json::object out;
  for (const auto& [key, value] : in) {
    if (key == "nullable" || key == "propertyOrdering" || key == "property_ordering") continue;
    if (key == "type" && value.is_string()) {
      std::string t = to_lower_ascii(value.get_string());
      if (nullable)
        out[key] = json::array{json::string(t), "null"};
      else
        out[key] = t;
    } else if (key == "properties" && value.is_object()) {
      json::object props;
      for (const auto& [name, sub] : value.get_object()) props[name] = json_schema(sub);
      out[key] = std::move(props);
    } else if (key == "items" || key == "anyOf" || key == "any_of") {
      out[key == "any_of" ? "anyOf" : key] = json_schema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

// Calls seen so far, for giving id-less function responses the id of their call.
struct Calls {
  struct Call {
    std::string id;
    std::string name;
    bool answered = false;
  };
  // Unanswered calls by id and by name, oldest first; an answered call is
  // dropped from the other queue when it reaches the front. Each response
  // is matched in O(log n), not by a scan of every call before it.
  struct Queue {
    std::vector<std::size_t> items;
    std::size_t head = 0;
  };
  std::vector<Call> calls;
  std::map<std::string, Queue, std::less<>> unanswered_by_id, unanswered_by_name;

  std::string next_id() const { return "call_" + std::to_string(calls.size()); }

  void add(ir::Part& call) {
    if (call.tool_call_id.empty()) call.tool_call_id = next_id();
    unanswered_by_id[call.tool_call_id].items.push_back(calls.size());
    unanswered_by_name[call.tool_name].items.push_back(calls.size());
    calls.push_back({call.tool_call_id, call.tool_name});
  }

  // By id when the response has one, else the earliest unanswered call of
  // that name: positional ids misassign parallel calls (docs/protocols/README.md#pitfall-4).
  void answer(ir::Part& result) {
    const bool by_name = result.tool_call_id.empty();
    auto& index = by_name ? unanswered_by_name : unanswered_by_id;
    if (auto it = index.find(by_name ? result.tool_name : result.tool_call_id); it != index.end()) {
      Queue& q = it->second;
      while (q.head < q.items.size() && calls[q.items[q.head]].answered) ++q.head;
      if (q.head < q.items.size()) {
        Call& c = calls[q.items[q.head++]];
        c.answered = true;
        result.tool_call_id = c.id;
        return;
      }
    }
    if (by_name) {
      result.tool_call_id = next_id();
      calls.push_back({result.tool_call_id, result.tool_name, true});
    }
  }
};

std::optional<ApiError> decode_contents(const json::object& body, ir::Request& out) {
  const json::array* contents = get_array(body, "contents");
  if (!contents || contents->empty()) return bad("contents must be a non-empty array");
  Calls calls;
  for (std::size_t i = 0; i < contents->size(); ++i) {
    std::string where = "contents[" + std::to_string(i) + "]";
    if (!(*contents)[i].is_object()) return bad(where + " must be an object");
    const json::object& c = (*contents)[i].get_object();
    std::string_view role = get_string(c, "role");
    ir::Message m;
    if (role == "model") {
      m.role = ir::Role::assistant;
    } else if (role.empty() || role == "user" || role == "function") {
      m.role = ir::Role::user;  // "function" is the old role of function responses
    } else {
      return bad(where + ".role must be \"user\" or \"model\"");
    }
    const json::array* parts = get_array(c, "parts");
    if (!parts) return bad(where + ".parts must be an array");
    for (std::size_t j = 0; j < parts->size(); ++j) {
      std::string at = where + ".parts[" + std::to_string(j) + "]";
      if (!(*parts)[j].is_object()) return bad(at + " must be an object");
      ir::Part p;
      std::string why;
      switch (wire::decode_part((*parts)[j].get_object(), p, why)) {
        case wire::PartResult::bad:
          return bad(at + ": " + why);
        case wire::PartResult::skip:
          continue;
        case wire::PartResult::ok:
          break;
      }
      if (p.kind == ir::PartKind::tool_call) calls.add(p);
      if (p.kind == ir::PartKind::tool_result) calls.answer(p);
      m.parts.push_back(std::move(p));
    }
    if (!m.parts.empty()) out.messages.push_back(std::move(m));
  }
  return std::nullopt;
}

std::optional<ApiError> decode_system(const json::object& body, ir::Request& out) {
  const json::value* si = get(body, "systemInstruction");
  if (!si) return std::nullopt;
  if (si->is_string()) {  // the SDKs accept a bare string; be as lenient
    if (!si->get_string().empty())
      out.system.push_back(ir::Part::make_text(std::string(si->get_string())));
    return std::nullopt;
  }
  const json::array* parts = si->is_object() ? get_array(si->get_object(), "parts") : nullptr;
  if (!parts) return bad("systemInstruction must be a Content with parts");
  for (const json::value& p : *parts) {
    std::string_view text = p.is_object() ? get_string(p.get_object(), "text") : "";
    if (!text.empty()) out.system.push_back(ir::Part::make_text(std::string(text)));
  }
  return std::nullopt;
}

std::optional<ApiError> decode_tools(const json::object& body, ir::Request& out) {
  if (const json::array* tools = get_array(body, "tools")) {
    for (const json::value& t : *tools) {
      // googleSearch, codeExecution, … are Google's server tools: no IR form.
      const json::array* decls =
          t.is_object() ? get_array(t.get_object(), "functionDeclarations") : nullptr;
      if (!decls) continue;
      for (const json::value& d : *decls) {
        const json::object* fd = d.is_object() ? &d.get_object() : nullptr;
        if (!fd || get_string(*fd, "name").empty())
          return bad("tools[].functionDeclarations[] needs a name");
        ir::Tool tool;
        tool.name = get_string(*fd, "name");
        tool.description = get_string(*fd, "description");
        if (const json::value* s = get(*fd, "parametersJsonSchema"))
          tool.schema = *s;
        else if (const json::value* p = get(*fd, "parameters"))
          tool.schema = json_schema(*p);
        else
          tool.schema = json::object{{"type", "object"}, {"properties", json::object{}}};
        out.tools.push_back(std::move(tool));
      }
    }
  }
  const json::object* tc = get_object(body, "toolConfig");
  const json::object* fc = tc ? get_object(*tc, "functionCallingConfig") : nullptr;
  if (!fc) return std::nullopt;
  std::string_view mode = get_string(*fc, "mode");
  const json::array* allowed = get_array(*fc, "allowedFunctionNames");
  using Mode = ir::ToolChoice::Mode;
  if (mode == "NONE") {
    out.tool_choice.mode = Mode::none;
  } else if (mode == "ANY") {
    // One allowed name is a forced call; several cannot be expressed in the IR.
    if (allowed && allowed->size() == 1 && (*allowed)[0].is_string()) {
      out.tool_choice.mode = Mode::specific;
      out.tool_choice.name = (*allowed)[0].get_string();
    } else {
      out.tool_choice.mode = Mode::required;
    }
  } else if (mode == "AUTO" || mode == "VALIDATED") {
    out.tool_choice.mode = Mode::automatic;
  } else if (!mode.empty() && mode != "MODE_UNSPECIFIED") {
    return bad("toolConfig.functionCallingConfig.mode must be AUTO, ANY, NONE or VALIDATED");
  }
  return std::nullopt;
}

std::optional<ApiError> decode_generation(const json::object& body, ir::Request& out) {
  const json::value* gv = get(body, "generationConfig");
  if (!gv) return std::nullopt;
  if (!gv->is_object()) return bad("generationConfig must be an object");
  const json::object& g = gv->get_object();
  out.max_tokens = wire::get_int(g, "maxOutputTokens");
  out.temperature = wire::get_number(g, "temperature");
  out.top_p = wire::get_number(g, "topP");
  out.top_k = wire::get_int(g, "topK");
  if (const json::value* stop = get(g, "stopSequences")) {
    if (!stop->is_array()) return bad("generationConfig.stopSequences must be an array of strings");
    for (const json::value& s : stop->get_array()) {
      if (!s.is_string()) return bad("generationConfig.stopSequences must be an array of strings");
      out.stop.emplace_back(s.get_string());
    }
  }
  if (get_string(g, "responseMimeType") == "application/json") {
    out.response_format.kind = ir::ResponseFormat::Kind::json_object;
    const json::value* js = get(g, "responseJsonSchema");
    const json::value* os = get(g, "responseSchema");
    if (js || os) {
      out.response_format.kind = ir::ResponseFormat::Kind::json_schema;
      out.response_format.name = "response";  // Gemini schemas are unnamed
      out.response_format.schema = js ? *js : json_schema(*os);
    }
  }
  if (const json::object* t = get_object(g, "thinkingConfig")) {
    if (auto budget = wire::get_int(*t, "thinkingBudget")) {
      if (*budget == 0)
        out.reasoning.disabled = true;
      else if (*budget < 0)
        out.reasoning.effort = "high";  // dynamic budget: docs/protocols/mapping.md#reasoning
      else
        out.reasoning.budget_tokens = *budget;
    }
    std::string level = to_lower_ascii(get_string(*t, "thinkingLevel"));
    if (!level.empty() && level != "thinking_level_unspecified") out.reasoning.effort = level;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> decode_request(std::string_view body, std::string_view model, bool stream,
                                       ir::Request& out) {
  out = ir::Request{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return bad("request body must be a JSON object");
  const json::object& o = v.get_object();
  if (model.starts_with("models/")) model.remove_prefix(7);
  out.model = model;
  out.stream = stream;
  for (auto step : {decode_contents, decode_system, decode_tools, decode_generation})
    if (auto err = step(o, out)) return err;
  return std::nullopt;
}

}  // namespace aiohub::gemini
