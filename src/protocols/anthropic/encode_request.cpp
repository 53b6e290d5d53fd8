// IR -> upstream Anthropic request. Anthropic is the strictest protocol about
// turn structure, so this is where other clients' loose histories get shaped
// into something it accepts (pitfalls 7-10 and 13 in
// docs/protocols/README.md#pitfalls).
#include <algorithm>

#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub::anthropic {

namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultMaxTokens = 8192;
constexpr std::int64_t kMinBudget = 1024;  // Anthropic's minimum thinking budget
// The output cap of the smallest current thinking model (Opus 4), so that a
// default max_tokens fits every model that can think.
constexpr std::int64_t kThinkingMaxTokens = 32000;

std::optional<std::int64_t> budget_for_effort(std::string_view effort) {
  if (effort == "none") return std::nullopt;
  if (effort == "minimal" || effort == "low") return kMinBudget;
  if (effort == "high") return 24576;
  if (effort == "xhigh" || effort == "max") return 31999;
  return 8192;  // medium, and efforts we do not know
}

// The thinking budget to ask for, or nullopt for no thinking.
std::optional<std::int64_t> thinking_budget(const ir::Request& r) {
  if (r.reasoning.disabled) return std::nullopt;
  // Anthropic refuses forced tool use with thinking on; the forced tool is
  // the client's functional need, thinking only a quality knob.
  using Mode = ir::ToolChoice::Mode;
  if (!r.tools.empty() &&
      (r.tool_choice.mode == Mode::required || r.tool_choice.mode == Mode::specific))
    return std::nullopt;
  if (r.reasoning.budget_tokens) {
    if (*r.reasoning.budget_tokens <= 0) return std::nullopt;
    return std::max(*r.reasoning.budget_tokens, kMinBudget);
  }
  if (r.reasoning.effort) return budget_for_effort(*r.reasoning.effort);
  return std::nullopt;
}

json::object source_for(const ir::Part& p) {
  std::string mime = p.mime_type, data = p.data;
  if (data.empty() && !p.url.empty() && !wire::parse_data_url(p.url, mime, data))
    return {{"type", "url"}, {"url", p.url}};
  if (p.kind == ir::PartKind::document && mime == "text/plain")
    return {{"type", "text"}, {"media_type", "text/plain"}, {"data", wire::base64_decode(data)}};
  return {{"type", "base64"}, {"media_type", mime}, {"data", data}};
}

json::value media_block(const ir::Part& p) {
  if (p.data.empty() && p.url.empty()) return nullptr;
  return json::object{{"type", p.kind == ir::PartKind::image ? "image" : "document"},
                      {"source", source_for(p)}};
}

json::value tool_result_block(const ir::Part& p) {
  json::array content;
  for (const ir::Part& c : p.content) {
    json::value b = c.kind == ir::PartKind::text ? wire::output_block(c) : media_block(c);
    if (!b.is_null()) content.push_back(std::move(b));
  }
  json::object block{{"type", "tool_result"}, {"tool_use_id", wire::tool_id(p.tool_call_id)}};
  if (!content.empty()) block["content"] = std::move(content);
  if (p.is_error) block["is_error"] = true;
  return block;
}

// One block for a message part, or null when Anthropic must not see it.
json::value block_for(const ir::Part& p) {
  switch (p.kind) {
    case ir::PartKind::image:
    case ir::PartKind::document:
      return media_block(p);
    case ir::PartKind::tool_result:
      return tool_result_block(p);
    case ir::PartKind::tool_call: {
      json::value b = wire::output_block(p);
      // The same id as its tool_result, which tool_id() guarantees for non-empty ids.
      if (p.tool_call_id.empty()) b.get_object()["id"] = wire::tool_id("");
      return b;
    }
    case ir::PartKind::thinking:
      // Anthropic verifies signatures: an unsigned block (another vendor's
      // reasoning) is rejected, and one cannot be forged (docs/protocols/README.md#pitfall-7).
      // Signed thinking with empty text is legitimate (omitted display).
      if (p.signature.empty()) return nullptr;
      return wire::output_block(p);
    case ir::PartKind::redacted_thinking:
      if (p.data.empty()) return nullptr;
      return wire::output_block(p);
    case ir::PartKind::text:
      return wire::output_block(p);
  }
  return nullptr;
}

struct Turn {
  std::string role;
  json::array content;
};

// Messages as Anthropic needs them: alternating roles, tool results at the
// head of the user turn after the calls, no empty turns.
json::array encode_messages(const ir::Request& r, json::array& system) {
  std::vector<Turn> turns;
  for (const ir::Message& m : r.messages) {
    for (const ir::Part& p : m.parts) {
      if (m.role == ir::Role::system) {
        // Anthropic has a single system prompt (docs/protocols/README.md#pitfall-8).
        if (p.kind == ir::PartKind::text && !p.text.empty())
          system.push_back(json::object{{"type", "text"}, {"text", p.text}});
        continue;
      }
      std::string role = m.role == ir::Role::assistant ? "assistant" : "user";
      if (p.kind == ir::PartKind::tool_result) role = "user";
      if (p.kind == ir::PartKind::tool_call) role = "assistant";
      bool reasoning =
          p.kind == ir::PartKind::thinking || p.kind == ir::PartKind::redacted_thinking;
      if (reasoning && role != "assistant") continue;
      json::value block = block_for(p);
      if (block.is_null()) continue;
      if (turns.empty() || turns.back().role != role) turns.push_back({role, {}});
      turns.back().content.push_back(std::move(block));
    }
  }
  json::array out;
  for (Turn& t : turns) {
    if (t.role == "user")
      std::stable_partition(t.content.begin(), t.content.end(), [](const json::value& b) {
        return b.get_object().at("type") == "tool_result";
      });
    out.push_back(json::object{{"role", t.role}, {"content", std::move(t.content)}});
  }
  return out;
}

// With thinking on, Anthropic wants the final assistant turn to open with a
// signed thinking block when it called tools; a history from another vendor
// has none, so thinking must stay off for it (docs/protocols/README.md#pitfall-7).
bool thinking_allowed(const json::array& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    const json::object& m = it->get_object();
    if (m.at("role") != "assistant") continue;
    const json::array& content = m.at("content").get_array();
    bool calls = std::any_of(content.begin(), content.end(), [](const json::value& b) {
      return b.get_object().at("type") == "tool_use";
    });
    if (!calls) return true;
    const json::value& first = content.front().get_object().at("type");
    return first == "thinking" || first == "redacted_thinking";
  }
  return true;
}

json::object tool_json(const ir::Tool& t) {
  json::object schema;
  if (t.schema.is_object()) schema = t.schema.get_object();
  // Anthropic accepts only object schemas (docs/protocols/README.md#pitfall-12).
  if (schema.if_contains("type") == nullptr || schema.at("type") != "object")
    schema = {{"type", "object"}, {"properties", json::object{}}};
  json::object tool{{"name", t.name}};
  if (!t.description.empty()) tool["description"] = t.description;
  tool["input_schema"] = std::move(schema);
  return tool;
}

void encode_tools(const ir::Request& r, json::object& body) {
  if (r.tools.empty()) return;  // Anthropic rejects tool_choice without tools
  json::array tools;
  for (const ir::Tool& t : r.tools) tools.push_back(tool_json(t));
  body["tools"] = std::move(tools);
  using Mode = ir::ToolChoice::Mode;
  json::object choice;
  switch (r.tool_choice.mode) {
    case Mode::unset:
    case Mode::automatic:
      choice = {{"type", "auto"}};
      break;
    case Mode::none:
      body["tool_choice"] = json::object{{"type", "none"}};
      return;
    case Mode::required:
      choice = {{"type", "any"}};
      break;
    case Mode::specific:
      choice = {{"type", "tool"}, {"name", r.tool_choice.name}};
      break;
  }
  if (r.parallel_tool_calls == false) choice["disable_parallel_tool_use"] = true;
  if (r.tool_choice.mode != Mode::unset || r.parallel_tool_calls == false)
    body["tool_choice"] = std::move(choice);
}

}  // namespace

std::string encode_request(const ir::Request& r) {
  json::object body;
  body["model"] = r.model;
  json::array system;
  for (const ir::Part& p : r.system)
    if (p.kind == ir::PartKind::text && !p.text.empty())
      system.push_back(json::object{{"type", "text"}, {"text", p.text}});
  json::array messages = encode_messages(r, system);

  std::optional<std::int64_t> budget = thinking_budget(r);
  if (budget && !thinking_allowed(messages)) budget.reset();
  std::int64_t max_tokens = kDefaultMaxTokens;
  if (r.max_tokens && *r.max_tokens > 0) {
    max_tokens = *r.max_tokens;
  } else if (budget) {
    max_tokens = std::min(*budget + kDefaultMaxTokens, kThinkingMaxTokens);
    if (max_tokens <= *budget) max_tokens = *budget + kDefaultMaxTokens;
  }
  // Never more than the output the gateway reserved credit for.
  if (r.max_tokens_limit && *r.max_tokens_limit > 0)
    max_tokens = std::min(max_tokens, *r.max_tokens_limit);
  // The cap wins over the thinking budget down to Anthropic's minimum
  // budget; below that there is no room to think, and thinking is left out.
  if (budget && *budget >= max_tokens) {
    budget = max_tokens - 1;
    if (*budget < kMinBudget) budget.reset();
  }
  body["max_tokens"] = max_tokens;
  if (!system.empty()) body["system"] = std::move(system);
  body["messages"] = std::move(messages);
  encode_tools(r, body);

  if (budget) {
    body["thinking"] = {{"type", "enabled"}, {"budget_tokens", *budget}};
    // With thinking on Anthropic rejects temperature other than 1, any top_k
    // and top_p below 0.95 (docs/protocols/anthropic-messages.md#thinking-settings).
    if (r.top_p && *r.top_p >= 0.95) body["top_p"] = *r.top_p;
  } else {
    if (r.reasoning.disabled) body["thinking"] = {{"type", "disabled"}};
    // OpenAI's range is 0-2, Anthropic's 0-1.
    if (r.temperature) body["temperature"] = std::clamp(*r.temperature, 0.0, 1.0);
    if (r.top_p) body["top_p"] = *r.top_p;
    if (r.top_k) body["top_k"] = *r.top_k;
  }
  json::array stop;
  for (const std::string& s : r.stop)
    if (!s.empty()) stop.push_back(json::string(s));
  if (!stop.empty()) body["stop_sequences"] = std::move(stop);
  if (!r.user.empty()) body["metadata"] = {{"user_id", r.user}};
  if (r.stream) body["stream"] = true;
  return json::serialize(body);
}

}  // namespace aiohub::anthropic
