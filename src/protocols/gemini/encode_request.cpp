// ir::Request -> upstream GenerateContentRequest body. The model and streaming
// go in the URL, which the caller builds. Most of the work is shaping a
// foreign history into what Gemini accepts (pitfalls 7, 9, 10, 12 and 13 in
// docs/protocols/README.md#pitfalls).
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "protocols/gemini/codec.hpp"
#include "protocols/gemini/wire.hpp"

namespace aiohub::gemini {

namespace json = boost::json;

namespace {

// Gemini 3 validates thought signatures on function calls and accepts this
// documented placeholder for calls that never had one (docs/protocols/README.md#pitfall-7).
constexpr std::string_view kSkipSignature = "skip_thought_signature_validator";

// The major version in "gemini-<major>…"; 0 when the name does not say.
int gemini_major(std::string_view model) {
  auto at = model.find("gemini-");
  if (at == std::string_view::npos || at + 7 >= model.size()) return 0;
  char c = model[at + 7];
  return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : 0;
}

// Gemini rejects `required` entries that name no property, even in
// parametersJsonSchema (docs/protocols/README.md#pitfall-12).
json::value clean_schema(const json::value& s) {
  if (s.is_array()) {
    json::array out;
    for (const auto& x : s.get_array()) out.push_back(clean_schema(x));
    return out;
  }
  if (!s.is_object()) return s;
  const json::object& in = s.get_object();
  const json::value* props = in.if_contains("properties");
  json::object out;
  for (const auto& [key, value] : in) {
    if (key == "required" && value.is_array()) {
      json::array kept;
      for (const auto& name : value.get_array())
        if (name.is_string() && props && props->is_object() &&
            props->get_object().contains(name.get_string()))
          kept.push_back(name);
      if (!kept.empty()) out[key] = std::move(kept);
    } else {
      out[key] = clean_schema(value);
    }
  }
  return out;
}

std::string result_text(const ir::Part& result) {
  std::string text;
  for (const auto& c : result.content) {
    if (c.kind != ir::PartKind::text) continue;
    if (!text.empty()) text += "\n";
    text += c.text;
  }
  return text;
}

// functionResponse.response must be an object: JSON objects go as they are,
// anything else is wrapped, errors as {"error": …}
// (docs/protocols/gemini.md#function-calls-and-ids).
json::object response_object(const ir::Part& result) {
  std::string text = result_text(result);
  if (result.is_error) return {{"error", text}};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (!ec && v.is_object()) return std::move(v.get_object());
  return {{"result", text}};
}

json::object function_response(std::string_view id, std::string_view name, json::object response) {
  json::object fr;
  if (!id.empty()) fr["id"] = id;
  fr["name"] = name;
  fr["response"] = std::move(response);
  return {{"functionResponse", std::move(fr)}};
}

class ContentsBuilder {
 public:
  explicit ContentsBuilder(const ir::Request& r)
      : sentinel_(gemini_major(r.model) != 1 && gemini_major(r.model) != 2) {}

  // Turns alternate (the caller merged same-role messages), so every model
  // turn's calls are answered by the user turn right after it.
  void model_turn(const std::vector<const ir::Part*>& parts) {
    json::array out;
    bool first_call = true;
    for (const ir::Part* p : parts) {
      // Thought text means nothing to Gemini without its signature, and
      // redacted thinking is Anthropic's alone.
      if (p->kind == ir::PartKind::thinking && p->signature.empty()) continue;
      json::value part = wire::encode_part(*p);
      if (part.is_null()) continue;
      if (p->kind == ir::PartKind::tool_call) {
        pending_.push_back(p);
        if (first_call && p->signature.empty() && sentinel_)
          part.get_object()["thoughtSignature"] = kSkipSignature;
        first_call = false;
      }
      out.push_back(std::move(part));
    }
    push("model", std::move(out));
  }

  void user_turn(const std::vector<const ir::Part*>& parts) {
    std::vector<const ir::Part*> results;
    json::array out, media, rest;
    for (const ir::Part* p : parts) {
      if (p->kind == ir::PartKind::tool_result) {
        results.push_back(p);
      } else if (p->kind != ir::PartKind::thinking && p->kind != ir::PartKind::tool_call) {
        if (json::value v = wire::encode_part(*p); !v.is_null()) rest.push_back(std::move(v));
      }
    }
    // Exactly one response per call of the previous model turn, in call
    // order (docs/protocols/README.md#pitfall-9); results answering nothing there
    // become text.
    std::vector<bool> used(results.size(), false);
    ResultIndex index(results, pending_);
    for (const ir::Part* call : pending_) {
      std::size_t i = index.find(used, *call);
      if (i == results.size()) {
        out.push_back(missing(*call));
        continue;
      }
      used[i] = true;
      out.push_back(
          function_response(call->tool_call_id, call->tool_name, response_object(*results[i])));
    }
    pending_.clear();
    for (std::size_t i = 0; i < results.size(); ++i) {
      const ir::Part& r = *results[i];
      if (!used[i]) {
        std::string label = r.tool_name.empty() ? r.tool_call_id : r.tool_name;
        std::string text = "Tool result (" + label + "): " + result_text(r);
        out.push_back(json::object{{"text", text}});
      }
      // Images in tool results ride as ordinary parts: not every model takes
      // them inside functionResponse.
      for (const auto& c : r.content)
        if (c.kind != ir::PartKind::text)
          if (json::value v = wire::encode_part(c); !v.is_null()) media.push_back(std::move(v));
    }
    for (auto& v : media) out.push_back(std::move(v));
    for (auto& v : rest) out.push_back(std::move(v));
    push("user", std::move(out));
  }

  json::array finish() { return std::move(contents_); }

 private:
  static json::object missing(const ir::Part& call) {
    return function_response(call.tool_call_id, call.tool_name,
                             {{"error", "no result was recorded for this call"}});
  }

  // A call's result: the first unused one with the call's id, else the
  // first unused one of the call's name that answers no call of the turn.
  // Indexed once per turn, so that matching is O(log n) per call rather
  // than a scan of every result (and of every call for each).
  class ResultIndex {
   public:
    ResultIndex(const std::vector<const ir::Part*>& results,
                const std::vector<const ir::Part*>& calls) {
      std::set<std::string_view> call_ids;
      for (const ir::Part* c : calls) call_ids.insert(c->tool_call_id);
      for (std::size_t i = 0; i < results.size(); ++i) {
        by_id_[results[i]->tool_call_id].items.push_back(i);
        if (!call_ids.count(results[i]->tool_call_id))
          orphans_by_name_[results[i]->tool_name].items.push_back(i);
      }
      none_ = results.size();
    }

    std::size_t find(const std::vector<bool>& used, const ir::Part& call) {
      if (auto i = first_unused(by_id_, call.tool_call_id, used)) return *i;
      if (auto i = first_unused(orphans_by_name_, call.tool_name, used)) return *i;
      return none_;
    }

   private:
    struct Queue {
      std::vector<std::size_t> items;
      std::size_t head = 0;
    };
    using Index = std::map<std::string_view, Queue>;

    // Used results are skipped once and for all: each is passed over at
    // most once per queue.
    static std::optional<std::size_t> first_unused(Index& index, std::string_view key,
                                                   const std::vector<bool>& used) {
      auto it = index.find(key);
      if (it == index.end()) return std::nullopt;
      Queue& q = it->second;
      while (q.head < q.items.size() && used[q.items[q.head]]) ++q.head;
      if (q.head == q.items.size()) return std::nullopt;
      return q.items[q.head];
    }

    Index by_id_, orphans_by_name_;
    std::size_t none_ = 0;
  };

  // Gemini rejects contents without parts (docs/protocols/README.md#pitfall-10);
  // adjacent turns of one role are merged so that a dropped turn leaves a
  // valid alternation.
  void push(std::string_view role, json::array parts) {
    if (parts.empty()) return;
    if (!contents_.empty()) {
      json::object& last = contents_.back().get_object();
      if (last["role"].get_string() == role) {
        json::array& into = last["parts"].get_array();
        for (auto& p : parts) into.push_back(std::move(p));
        return;
      }
    }
    contents_.push_back(json::object{{"role", role}, {"parts", std::move(parts)}});
  }

  bool sentinel_;
  json::array contents_;
  std::vector<const ir::Part*> pending_;  // calls of the last model turn
};

json::object thinking_config(const ir::Request& r) {
  const ir::Reasoning& rs = r.reasoning;
  int major = gemini_major(r.model);
  bool pro = r.model.find("pro") != std::string::npos;
  bool off = rs.disabled || rs.effort == "none";
  if (!off && !rs.effort && !rs.budget_tokens) return {};
  json::object t;
  if (off) {
    // Pro models cannot stop thinking: ask for the least they allow.
    if (major >= 3)
      t["thinkingLevel"] = pro ? "LOW" : "MINIMAL";
    else
      t["thinkingBudget"] = pro ? 128 : 0;
    return t;
  }
  t["includeThoughts"] = true;
  if (rs.budget_tokens) {
    t["thinkingBudget"] = *rs.budget_tokens;  // Gemini 3 still accepts budgets
    return t;
  }
  const std::string& e = *rs.effort;
  if (major >= 3) {
    // Gemini 3 Pro knows only LOW and HIGH.
    if (e == "minimal")
      t["thinkingLevel"] = pro ? "LOW" : "MINIMAL";
    else if (e == "low")
      t["thinkingLevel"] = "LOW";
    else if (e == "medium")
      t["thinkingLevel"] = pro ? "HIGH" : "MEDIUM";
    else
      t["thinkingLevel"] = "HIGH";
  } else {
    // docs/protocols/mapping.md#reasoning; high is the model's own dynamic budget.
    if (e == "minimal")
      t["thinkingBudget"] = 512;
    else if (e == "low")
      t["thinkingBudget"] = 1024;
    else if (e == "medium")
      t["thinkingBudget"] = 8192;
    else
      t["thinkingBudget"] = -1;
  }
  return t;
}

json::object generation_config(const ir::Request& r) {
  json::object g;
  if (r.max_tokens) g["maxOutputTokens"] = *r.max_tokens;
  if (r.temperature) g["temperature"] = *r.temperature;
  if (r.top_p) g["topP"] = *r.top_p;
  if (r.top_k) g["topK"] = *r.top_k;
  if (!r.stop.empty()) {
    json::array stop;
    for (std::size_t i = 0; i < r.stop.size() && i < 5; ++i)
      stop.push_back(json::string(r.stop[i]));
    g["stopSequences"] = std::move(stop);  // at most 5: docs/protocols/README.md#pitfall-13
  }
  if (r.response_format.kind != ir::ResponseFormat::Kind::text) {
    g["responseMimeType"] = "application/json";
    if (r.response_format.kind == ir::ResponseFormat::Kind::json_schema &&
        !r.response_format.schema.is_null())
      g["responseJsonSchema"] = r.response_format.schema;
  }
  if (json::object t = thinking_config(r); !t.empty()) g["thinkingConfig"] = std::move(t);
  return g;
}

json::object tool_config(const ir::ToolChoice& tc) {
  json::object f;
  switch (tc.mode) {
    case ir::ToolChoice::Mode::unset:
      return {};
    case ir::ToolChoice::Mode::automatic:
      f["mode"] = "AUTO";
      break;
    case ir::ToolChoice::Mode::none:
      f["mode"] = "NONE";
      break;
    case ir::ToolChoice::Mode::required:
      f["mode"] = "ANY";
      break;
    case ir::ToolChoice::Mode::specific:
      f["mode"] = "ANY";
      f["allowedFunctionNames"] = json::array{json::string(tc.name)};
      break;
  }
  return {{"functionCallingConfig", std::move(f)}};
}

}  // namespace

std::string encode_request(const ir::Request& r) {
  json::array system;
  for (const auto& p : r.system)
    if (p.kind == ir::PartKind::text && !p.text.empty())
      system.push_back(json::object{{"text", p.text}});

  // Group the conversation into turns; system messages join systemInstruction,
  // and the turns around them join each other.
  std::vector<std::pair<ir::Role, std::vector<const ir::Part*>>> turns;
  for (const auto& m : r.messages) {
    if (m.role == ir::Role::system) {
      for (const auto& p : m.parts)
        if (p.kind == ir::PartKind::text && !p.text.empty())
          system.push_back(json::object{{"text", p.text}});
      continue;
    }
    if (turns.empty() || turns.back().first != m.role)
      turns.emplace_back(m.role, std::vector<const ir::Part*>{});
    for (const auto& p : m.parts) turns.back().second.push_back(&p);
  }
  ContentsBuilder contents(r);
  for (const auto& [role, parts] : turns) {
    if (role == ir::Role::assistant)
      contents.model_turn(parts);
    else
      contents.user_turn(parts);
  }

  json::object body{{"contents", contents.finish()}};
  if (!system.empty()) body["systemInstruction"] = json::object{{"parts", std::move(system)}};
  if (!r.tools.empty()) {
    json::array decls;
    for (const auto& t : r.tools) {
      json::object d{{"name", t.name}};
      if (!t.description.empty()) d["description"] = t.description;
      if (!t.schema.is_null()) d["parametersJsonSchema"] = clean_schema(t.schema);
      decls.push_back(std::move(d));
    }
    body["tools"] = json::array{json::object{{"functionDeclarations", std::move(decls)}}};
  }
  if (json::object tc = tool_config(r.tool_choice); !tc.empty()) body["toolConfig"] = std::move(tc);
  if (json::object g = generation_config(r); !g.empty()) body["generationConfig"] = std::move(g);
  return json::serialize(body);
}

}  // namespace aiohub::gemini
