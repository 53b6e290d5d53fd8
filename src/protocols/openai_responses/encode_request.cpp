// ir::Request -> the body for a Responses upstream. Stateless on purpose
// (store:false, no previous_response_id): history travels in full and
// reasoning state rides in encrypted_content (docs/protocols/README.md#pitfall-7).
#include "protocols/openai_responses/codec.hpp"
#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses {

namespace {

namespace json = boost::json;

// A user-side part as a Responses input content part; null when it has none.
json::value input_part(const ir::Part& p) {
  switch (p.kind) {
    case ir::PartKind::text:
      return json::object{{"type", "input_text"}, {"text", p.text}};
    case ir::PartKind::image:
      return json::object{
          {"type", "input_image"},
          {"image_url", p.url.empty() ? wire::data_url(p.mime_type, p.data) : p.url},
          {"detail", "auto"}};
    case ir::PartKind::document: {
      if (!p.url.empty()) return json::object{{"type", "input_file"}, {"file_url", p.url}};
      bool pdf = p.mime_type == "application/pdf";
      // OpenAI wants a filename next to file_data; the IR does not keep one.
      return json::object{{"type", "input_file"},
                          {"filename", pdf ? "document.pdf" : "document"},
                          {"file_data", wire::data_url(p.mime_type, p.data)}};
    }
    default:
      return nullptr;
  }
}

json::value tool_output(const ir::Part& result) {
  bool text_only = true;
  for (const auto& c : result.content) text_only = text_only && c.kind == ir::PartKind::text;
  if (text_only) {
    std::string text;
    for (const auto& c : result.content) text += c.text;
    return json::string(text);
  }
  json::array parts;
  for (const auto& c : result.content)
    if (auto v = input_part(c); !v.is_null()) parts.push_back(std::move(v));
  return parts;
}

class InputWriter {
 public:
  explicit InputWriter(json::array& input) : input_(input) {}

  void message(const ir::Message& m) {
    std::string_view role = m.role == ir::Role::assistant ? "assistant"
                            : m.role == ir::Role::system  ? "system"
                                                          : "user";
    for (const auto& p : m.parts) {
      switch (p.kind) {
        case ir::PartKind::tool_call:
          flush();
          input_.push_back({{"type", "function_call"},
                            {"call_id", p.tool_call_id},
                            {"name", p.tool_name},
                            {"arguments", p.arguments.empty() ? "{}" : p.arguments}});
          break;
        case ir::PartKind::tool_result:
          flush();
          input_.push_back({{"type", "function_call_output"},
                            {"call_id", p.tool_call_id},
                            {"output", tool_output(p)}});
          break;
        case ir::PartKind::thinking:
          // Only a signature can be replayed; bare thinking text means nothing
          // to the upstream, and redacted thinking is another vendor's.
          if (p.signature.empty()) break;
          flush();
          input_.push_back(reasoning(p));
          has_reasoning_ = true;
          break;
        case ir::PartKind::redacted_thinking:
          break;
        default:
          add_content(role, p);
      }
    }
    flush();
  }

  bool has_reasoning() const { return has_reasoning_; }

 private:
  static json::object reasoning(const ir::Part& p) {
    json::array summary;
    if (!p.text.empty()) summary.push_back({{"type", "summary_text"}, {"text", p.text}});
    return {
        {"type", "reasoning"}, {"summary", std::move(summary)}, {"encrypted_content", p.signature}};
  }

  void add_content(std::string_view role, const ir::Part& p) {
    json::value part;
    if (role == "assistant") {
      if (p.kind != ir::PartKind::text) return;  // assistant history is text only
      part =
          json::object{{"type", "output_text"}, {"text", p.text}, {"annotations", json::array{}}};
    } else {
      part = input_part(p);
      if (part.is_null()) return;
    }
    role_ = role;
    content_.push_back(std::move(part));
  }

  // Text between tool items becomes its own message item, keeping order.
  void flush() {
    if (content_.empty()) return;
    input_.push_back({{"type", "message"}, {"role", role_}, {"content", std::move(content_)}});
    content_ = {};
  }

  json::array& input_;
  json::array content_;
  std::string role_;
  bool has_reasoning_ = false;
};

std::string_view effort_for_budget(std::int64_t budget) {
  if (budget <= 1024) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

json::object tool(const ir::Tool& t) {
  json::object o{{"type", "function"}, {"name", t.name}};
  if (!t.description.empty()) o["description"] = t.description;
  o["parameters"] =
      t.schema.is_object()
          ? t.schema
          : json::value(json::object{{"type", "object"}, {"properties", json::object{}}});
  // Responses defaults strict to true, which rejects most non-OpenAI schemas.
  o["strict"] = false;
  return o;
}

json::value tool_choice(const ir::ToolChoice& c) {
  using Mode = ir::ToolChoice::Mode;
  switch (c.mode) {
    case Mode::automatic:
      return "auto";
    case Mode::none:
      return "none";
    case Mode::required:
      return "required";
    case Mode::specific:
      return json::object{{"type", "function"}, {"name", c.name}};
    case Mode::unset:
      break;
  }
  return nullptr;
}

std::string join_system(const std::vector<ir::Part>& parts) {
  std::string s;
  for (const auto& p : parts) {
    if (p.kind != ir::PartKind::text || p.text.empty()) continue;
    if (!s.empty()) s += "\n\n";
    s += p.text;
  }
  return s;
}

}  // namespace

std::string encode_request(const ir::Request& r) {
  json::object body{{"model", r.model}};
  if (auto instructions = join_system(r.system); !instructions.empty())
    body["instructions"] = instructions;

  json::array input;
  InputWriter writer(input);
  for (const auto& m : r.messages) writer.message(m);
  body["input"] = std::move(input);

  if (!r.tools.empty()) {
    json::array tools;
    for (const auto& t : r.tools) tools.push_back(tool(t));
    body["tools"] = std::move(tools);
  }
  if (auto choice = tool_choice(r.tool_choice); !choice.is_null()) body["tool_choice"] = choice;
  if (r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  if (r.max_tokens) body["max_output_tokens"] = *r.max_tokens;
  if (r.temperature) body["temperature"] = *r.temperature;
  if (r.top_p) body["top_p"] = *r.top_p;

  std::string effort;
  if (r.reasoning.effort)
    effort = *r.reasoning.effort;
  else if (r.reasoning.budget_tokens && !r.reasoning.disabled)
    effort = effort_for_budget(*r.reasoning.budget_tokens);
  // A bare "disabled" sends nothing: older reasoning models reject "none".
  bool reasoning_on = !effort.empty() && effort != "none";
  if (!effort.empty()) {
    json::object reasoning{{"effort", effort}};
    // Other vendors' clients show thinking; summaries are OpenAI's visible form.
    if (reasoning_on) reasoning["summary"] = "auto";
    body["reasoning"] = std::move(reasoning);
  }
  if (reasoning_on || writer.has_reasoning())
    body["include"] = json::array{"reasoning.encrypted_content"};
  body["store"] = false;

  using Kind = ir::ResponseFormat::Kind;
  if (r.response_format.kind == Kind::json_object) {
    body["text"] = {{"format", {{"type", "json_object"}}}};
  } else if (r.response_format.kind == Kind::json_schema) {
    body["text"] = {
        {"format",
         {{"type", "json_schema"},
          {"name", r.response_format.name.empty() ? "response" : r.response_format.name},
          {"schema", r.response_format.schema},
          {"strict", r.response_format.strict}}}};
  }
  if (!r.user.empty()) body["user"] = r.user;
  body["stream"] = r.stream;
  return json::serialize(body);
}

}  // namespace aiohub::openai_responses
