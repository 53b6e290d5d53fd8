// IR -> the Chat Completions body sent upstream.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/wire.hpp"

namespace aiohub::openai_chat {

namespace {

namespace json = boost::json;

// Chat allows at most 4 stop sequences (docs/protocols/README.md#pitfall-13).
constexpr std::size_t kMaxStop = 4;

std::string joined_text(const std::vector<ir::Part>& parts) {
  std::string text;
  for (const auto& p : parts) {
    if (p.kind != ir::PartKind::text) continue;
    if (!text.empty()) text.append("\n\n");
    text.append(p.text);
  }
  return text;
}

// A user-side content part; null for what Chat cannot show.
json::value content_part(const ir::Part& p) {
  switch (p.kind) {
    case ir::PartKind::text:
      return {{"type", "text"}, {"text", p.text}};
    case ir::PartKind::image: {
      std::string url = p.url.empty() ? wire::data_url(p.mime_type, p.data) : p.url;
      return {{"type", "image_url"}, {"image_url", {{"url", std::move(url)}}}};
    }
    case ir::PartKind::document:
      // Chat takes files inline only; a linked document is passed as its link.
      if (!p.url.empty()) return {{"type", "text"}, {"text", p.url}};
      return {{"type", "file"},
              {"file",
               {{"file_data", wire::data_url(p.mime_type, p.data)},
                {"filename", p.mime_type == "application/pdf" ? "document.pdf" : "document"}}}};
    default:
      return nullptr;
  }
}

json::value content_of(const std::vector<ir::Part>& parts) {
  json::array content;
  for (const auto& p : parts)
    if (auto c = content_part(p); !c.is_null()) content.push_back(std::move(c));
  // Plain strings for plain text: some compatible servers take nothing else.
  if (content.size() == 1 && parts.size() == 1 && parts[0].kind == ir::PartKind::text)
    return json::string(parts[0].text);
  return content;
}

void add_assistant(const ir::Message& m, json::array& out) {
  std::string text = joined_text(m.parts);
  json::array calls;
  for (const auto& p : m.parts) {
    if (p.kind != ir::PartKind::tool_call) continue;
    calls.push_back(
        {{"id", p.tool_call_id},
         {"type", "function"},
         {"function",
          {{"name", p.tool_name}, {"arguments", p.arguments.empty() ? "{}" : p.arguments}}}});
  }
  // Thinking has no place in Chat; a turn that was only thinking vanishes.
  if (text.empty() && calls.empty()) return;
  json::object msg{{"role", "assistant"}};
  // A tool-call-only turn has null content, not "" (docs/protocols/README.md#pitfall-10).
  msg["content"] = text.empty() ? json::value(nullptr) : json::value(text);
  if (!calls.empty()) msg["tool_calls"] = std::move(calls);
  out.push_back(std::move(msg));
}

// Tool results become tool messages ahead of the rest of the turn, right
// after the assistant's calls (docs/protocols/README.md#pitfall-9); their images and
// documents cannot ride in a tool message and follow in a user message
// (docs/protocols/README.md#pitfall-11).
void add_user(const ir::Message& m, json::array& out) {
  std::vector<ir::Part> media, rest;
  for (const auto& p : m.parts) {
    if (p.kind != ir::PartKind::tool_result) {
      rest.push_back(p);
      continue;
    }
    out.push_back(
        {{"role", "tool"}, {"tool_call_id", p.tool_call_id}, {"content", joined_text(p.content)}});
    for (const auto& c : p.content)
      if (c.kind == ir::PartKind::image || c.kind == ir::PartKind::document) media.push_back(c);
  }
  // The moved media go first: they belong to the results just answered.
  rest.insert(rest.begin(), media.begin(), media.end());
  if (rest.empty()) return;
  out.push_back({{"role", "user"}, {"content", content_of(rest)}});
}

json::array messages(const ir::Request& r) {
  json::array out;
  if (std::string system = joined_text(r.system); !system.empty())
    out.push_back({{"role", "system"}, {"content", std::move(system)}});
  for (const auto& m : r.messages) {
    switch (m.role) {
      case ir::Role::system:
        out.push_back({{"role", "system"}, {"content", joined_text(m.parts)}});
        break;
      case ir::Role::assistant:
        add_assistant(m, out);
        break;
      case ir::Role::user:
        add_user(m, out);
        break;
    }
  }
  return out;
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
      return {{"type", "function"}, {"function", {{"name", c.name}}}};
    case Mode::unset:
      break;
  }
  return nullptr;
}

// Budgets come from Anthropic/Gemini clients; these bands follow the
// typical gateway budgets for low/medium/high (docs/protocols/mapping.md#reasoning).
std::optional<std::string> effort(const ir::Reasoning& r) {
  if (r.effort) return r.effort;
  // "none" is rejected by most reasoning models; leave them their default.
  if (r.disabled || !r.budget_tokens) return std::nullopt;
  if (*r.budget_tokens <= 1024) return "low";
  if (*r.budget_tokens <= 8192) return "medium";
  return "high";
}

json::value response_format(const ir::ResponseFormat& f) {
  switch (f.kind) {
    case ir::ResponseFormat::Kind::text:
      break;
    case ir::ResponseFormat::Kind::json_object:
      return {{"type", "json_object"}};
    case ir::ResponseFormat::Kind::json_schema: {
      json::object schema{{"name", f.name.empty() ? "response" : f.name}};
      if (!f.schema.is_null()) schema["schema"] = f.schema;
      if (f.strict) schema["strict"] = true;
      return {{"type", "json_schema"}, {"json_schema", std::move(schema)}};
    }
  }
  return nullptr;
}

}  // namespace

std::string encode_request(const ir::Request& r) {
  json::object body{{"model", r.model}, {"messages", messages(r)}};
  if (!r.tools.empty()) {
    json::array tools;
    for (const auto& t : r.tools) {
      json::object fn{{"name", t.name}};
      if (!t.description.empty()) fn["description"] = t.description;
      fn["parameters"] = t.schema.is_object()
                             ? t.schema
                             : json::value{{"type", "object"}, {"properties", json::object{}}};
      tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
    // OpenAI rejects parallel_tool_calls without tools.
    if (r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  }
  if (auto choice = tool_choice(r.tool_choice); !choice.is_null())
    body["tool_choice"] = std::move(choice);
  if (r.max_tokens) body["max_completion_tokens"] = *r.max_tokens;
  if (r.temperature) body["temperature"] = *r.temperature;
  if (r.top_p) body["top_p"] = *r.top_p;
  if (!r.stop.empty()) {
    json::array stop;
    for (std::size_t i = 0; i < r.stop.size() && i < kMaxStop; ++i)
      stop.push_back(json::string(r.stop[i]));
    body["stop"] = std::move(stop);
  }
  if (auto e = effort(r.reasoning)) body["reasoning_effort"] = *e;
  if (auto f = response_format(r.response_format); !f.is_null())
    body["response_format"] = std::move(f);
  if (!r.user.empty()) body["user"] = r.user;
  if (r.stream) {
    body["stream"] = true;
    // Usage only comes in a stream when asked for, and billing needs it.
    body["stream_options"] = {{"include_usage", true}};
  }
  return json::serialize(body);
}

}  // namespace aiohub::openai_chat
