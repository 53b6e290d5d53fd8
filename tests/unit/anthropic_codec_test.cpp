// Anthropic Messages codec, checked against the documented wire format
// (docs/protocols/anthropic-messages.md) and the pitfalls of
// docs/protocols/README.md.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "codec_test_support.hpp"
#include "protocols/anthropic/codec.hpp"
#include "protocols/anthropic/wire.hpp"

namespace aiohub {
namespace {

std::string fixture(const std::string& name) {
  return codec_test::read_fixture("anthropic", name);
}

namespace json = boost::json;
namespace an = anthropic;

// --- readable dumps, so that a mismatch shows where the IR differs ---

json::object dump(const ir::Part& p) {
  json::object o{{"kind", static_cast<int>(p.kind)}};
  if (!p.text.empty()) o["text"] = p.text;
  if (!p.signature.empty()) o["signature"] = p.signature;
  if (!p.mime_type.empty()) o["mime_type"] = p.mime_type;
  if (!p.data.empty()) o["data"] = p.data;
  if (!p.url.empty()) o["url"] = p.url;
  if (!p.tool_call_id.empty()) o["tool_call_id"] = p.tool_call_id;
  if (!p.tool_name.empty()) o["tool_name"] = p.tool_name;
  if (!p.arguments.empty()) o["arguments"] = p.arguments;
  if (p.is_error) o["is_error"] = true;
  if (!p.content.empty()) {
    json::array c;
    for (const auto& x : p.content) c.push_back(dump(x));
    o["content"] = std::move(c);
  }
  return o;
}

json::array dump(const std::vector<ir::Part>& parts) {
  json::array a;
  for (const auto& p : parts) a.push_back(dump(p));
  return a;
}

json::object dump(const Usage& u) {
  return {{"input", u.input},           {"output", u.output},
          {"cache_read", u.cache_read}, {"cache_write", u.cache_write},
          {"reasoning", u.reasoning},   {"reported", u.reported}};
}

std::string dump(const ir::Request& r) {
  json::object o{{"model", r.model}, {"system", dump(r.system)}};
  json::array messages;
  for (const auto& m : r.messages)
    messages.push_back(json::object{{"role", static_cast<int>(m.role)}, {"parts", dump(m.parts)}});
  o["messages"] = std::move(messages);
  json::array tools;
  for (const auto& t : r.tools)
    tools.push_back(
        json::object{{"name", t.name}, {"description", t.description}, {"schema", t.schema}});
  o["tools"] = std::move(tools);
  o["tool_choice"] = {static_cast<int>(r.tool_choice.mode), r.tool_choice.name};
  o["parallel"] = r.parallel_tool_calls ? json::value(*r.parallel_tool_calls) : nullptr;
  o["max_tokens"] = r.max_tokens ? json::value(*r.max_tokens) : nullptr;
  o["temperature"] = r.temperature ? json::value(*r.temperature) : nullptr;
  o["top_p"] = r.top_p ? json::value(*r.top_p) : nullptr;
  o["top_k"] = r.top_k ? json::value(*r.top_k) : nullptr;
  json::array stop;
  for (const auto& s : r.stop) stop.push_back(json::string(s));
  o["stop"] = std::move(stop);
  o["effort"] = r.reasoning.effort ? json::value(*r.reasoning.effort) : nullptr;
  o["budget"] = r.reasoning.budget_tokens ? json::value(*r.reasoning.budget_tokens) : nullptr;
  o["disabled"] = r.reasoning.disabled;
  o["format"] = static_cast<int>(r.response_format.kind);
  o["stream"] = r.stream;
  o["user"] = r.user;
  return json::serialize(o);
}

std::string dump(const ir::Response& r) {
  return json::serialize(json::object{{"id", r.id},
                                      {"model", r.model},
                                      {"parts", dump(r.parts)},
                                      {"stop", static_cast<int>(r.stop)},
                                      {"stop_sequence", r.stop_sequence},
                                      {"usage", dump(r.usage)}});
}

std::string dump(const ir::Event& e) {
  json::object o{{"kind", static_cast<int>(e.kind)}};
  switch (e.kind) {
    case ir::EventKind::message_start:
      o["id"] = e.id;
      o["model"] = e.model;
      o["usage"] = dump(e.usage);
      break;
    case ir::EventKind::part_start:
      o["index"] = e.index;
      o["part_kind"] = static_cast<int>(e.part_kind);
      o["tool_call_id"] = e.tool_call_id;
      o["tool_name"] = e.tool_name;
      break;
    case ir::EventKind::part_delta:
      o["index"] = e.index;
      o["delta_kind"] = static_cast<int>(e.delta_kind);
      o["delta"] = e.delta;
      break;
    case ir::EventKind::part_stop:
      o["index"] = e.index;
      break;
    case ir::EventKind::message_delta:
      o["stop"] = e.stop ? json::value(static_cast<int>(*e.stop)) : nullptr;
      o["stop_sequence"] = e.stop_sequence;
      o["usage"] = dump(e.usage);
      break;
    case ir::EventKind::message_stop:
      break;
    case ir::EventKind::error:
      o["status"] = e.error.status;
      o["message"] = e.error.message;
      o["type"] = e.error.type;
      break;
  }
  return json::serialize(o);
}

std::vector<std::string> dump(const std::vector<ir::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(dump(e));
  return out;
}

json::object parse_object(std::string_view s) {
  return json::parse(s).as_object();
}

// --- IR builders ---

ir::Part tool_call(std::string id, std::string name, std::string args) {
  ir::Part p;
  p.kind = ir::PartKind::tool_call;
  p.tool_call_id = std::move(id);
  p.tool_name = std::move(name);
  p.arguments = std::move(args);
  return p;
}

ir::Part tool_result(std::string id, std::string text) {
  ir::Part p;
  p.kind = ir::PartKind::tool_result;
  p.tool_call_id = std::move(id);
  p.content.push_back(ir::Part::make_text(std::move(text)));
  return p;
}

ir::Part thinking(std::string text, std::string signature) {
  ir::Part p;
  p.kind = ir::PartKind::thinking;
  p.text = std::move(text);
  p.signature = std::move(signature);
  return p;
}

ir::Message message(ir::Role role, std::vector<ir::Part> parts) {
  return {role, std::move(parts)};
}

ir::Event ev(ir::EventKind kind, int index = 0) {
  ir::Event e;
  e.kind = kind;
  e.index = index;
  return e;
}

ir::Event part_start(int index, ir::PartKind kind, std::string id = {}, std::string name = {}) {
  ir::Event e = ev(ir::EventKind::part_start, index);
  e.part_kind = kind;
  e.tool_call_id = std::move(id);
  e.tool_name = std::move(name);
  return e;
}

ir::Event part_delta(int index, ir::DeltaKind kind, std::string delta) {
  ir::Event e = ev(ir::EventKind::part_delta, index);
  e.delta_kind = kind;
  e.delta = std::move(delta);
  return e;
}

Usage usage(std::int64_t input, std::int64_t output, std::int64_t cache_read,
            std::int64_t cache_write) {
  Usage u;
  u.input = input;
  u.output = output;
  u.cache_read = cache_read;
  u.cache_write = cache_write;
  u.reported = true;
  return u;
}

// ============================== decode_request ==============================

constexpr std::string_view kEveryBlock = R"({
  "model": "claude-sonnet-4-5",
  "max_tokens": 4096,
  "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}},
             {"type": "text", "text": "Answer in English."}],
  "messages": [
    {"role": "user", "content": "Hello"},
    {"role": "user", "content": [
      {"type": "text", "text": "Look:", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
      {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
      {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
      {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}},
      {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
      {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain words"}}
    ]},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "Let me think.", "signature": "EqQBsig=="},
      {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
      {"type": "text", "text": "Calling tools."},
      {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris", "days": [1, 2]}}
    ]},
    {"role": "system", "content": "Be careful with units."},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18C"},
      {"type": "tool_result", "tool_use_id": "toolu_01B", "is_error": true, "content": [
        {"type": "text", "text": "timeout"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"}}
      ]},
      {"type": "tool_result", "tool_use_id": "toolu_01C"}
    ]}
  ],
  "tools": [
    {"name": "get_weather", "description": "Weather by city", "cache_control": {"type": "ephemeral"},
     "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
  ],
  "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
  "temperature": 0.7,
  "top_p": 0.9,
  "top_k": 40,
  "stop_sequences": ["END", "STOP"],
  "thinking": {"type": "enabled", "budget_tokens": 2048},
  "output_config": {"effort": "medium"},
  "stream": true,
  "metadata": {"user_id": "user-42"}
})";

TEST(AnthropicDecodeRequest, EveryBlockType) {
  ir::Request r;
  ASSERT_FALSE(an::decode_request(kEveryBlock, r).has_value());
  EXPECT_EQ(r.model, "claude-sonnet-4-5");
  ASSERT_EQ(r.system.size(), 2u);
  EXPECT_EQ(r.system[0].text, "You are terse.");
  EXPECT_EQ(r.system[1].text, "Answer in English.");

  ASSERT_EQ(r.messages.size(), 5u);
  EXPECT_EQ(r.messages[0].role, ir::Role::user);
  ASSERT_EQ(r.messages[0].parts.size(), 1u);
  EXPECT_EQ(r.messages[0].parts[0].text, "Hello");

  const auto& u = r.messages[1].parts;
  ASSERT_EQ(u.size(), 6u);
  EXPECT_EQ(u[0].text, "Look:");
  EXPECT_EQ(u[1].kind, ir::PartKind::image);
  EXPECT_EQ(u[1].mime_type, "image/png");
  EXPECT_EQ(u[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(u[2].kind, ir::PartKind::image);
  EXPECT_EQ(u[2].url, "https://example.com/cat.jpg");
  EXPECT_EQ(u[3].kind, ir::PartKind::document);
  EXPECT_EQ(u[3].mime_type, "application/pdf");
  EXPECT_EQ(u[3].data, "JVBERi0x");
  EXPECT_EQ(u[4].url, "https://example.com/a.pdf");
  EXPECT_EQ(u[5].mime_type, "text/plain");
  EXPECT_EQ(an::wire::base64_decode(u[5].data), "plain words");

  const auto& a = r.messages[2];
  EXPECT_EQ(a.role, ir::Role::assistant);
  ASSERT_EQ(a.parts.size(), 4u);
  EXPECT_EQ(a.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(a.parts[0].text, "Let me think.");
  EXPECT_EQ(a.parts[0].signature, "EqQBsig==");
  EXPECT_EQ(a.parts[1].kind, ir::PartKind::redacted_thinking);
  EXPECT_EQ(a.parts[1].data, "EmwKAhgBEgy3va3pzix/LafPsn4a");
  EXPECT_EQ(a.parts[2].text, "Calling tools.");
  EXPECT_EQ(a.parts[3].kind, ir::PartKind::tool_call);
  EXPECT_EQ(a.parts[3].tool_call_id, "toolu_01A");
  EXPECT_EQ(a.parts[3].tool_name, "get_weather");
  EXPECT_EQ(a.parts[3].arguments, R"({"city":"Paris","days":[1,2]})");

  EXPECT_EQ(r.messages[3].role, ir::Role::system);
  EXPECT_EQ(r.messages[3].parts[0].text, "Be careful with units.");

  const auto& t = r.messages[4].parts;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, ir::PartKind::tool_result);
  EXPECT_EQ(t[0].tool_call_id, "toolu_01A");
  ASSERT_EQ(t[0].content.size(), 1u);
  EXPECT_EQ(t[0].content[0].text, "18C");
  EXPECT_FALSE(t[0].is_error);
  EXPECT_TRUE(t[1].is_error);
  ASSERT_EQ(t[1].content.size(), 2u);
  EXPECT_EQ(t[1].content[0].text, "timeout");
  EXPECT_EQ(t[1].content[1].kind, ir::PartKind::image);
  EXPECT_EQ(t[1].content[1].mime_type, "image/jpeg");
  EXPECT_TRUE(t[2].content.empty());

  // The server tool cannot be forwarded and is left out.
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "get_weather");
  EXPECT_EQ(r.tools[0].description, "Weather by city");
  EXPECT_EQ(json::serialize(r.tools[0].schema),
            R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})");
  EXPECT_EQ(r.tool_choice.mode, ir::ToolChoice::Mode::required);
  EXPECT_EQ(r.parallel_tool_calls, false);
  EXPECT_EQ(r.max_tokens, 4096);
  EXPECT_EQ(r.temperature, 0.7);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_EQ(r.top_k, 40);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"END", "STOP"}));
  EXPECT_EQ(r.reasoning.budget_tokens, 2048);
  EXPECT_EQ(r.reasoning.effort, "medium");
  EXPECT_FALSE(r.reasoning.disabled);
  EXPECT_TRUE(r.stream);
  EXPECT_EQ(r.user, "user-42");
}

TEST(AnthropicDecodeRequest, SystemStringAndThinkingVariants) {
  ir::Request r;
  ASSERT_FALSE(an::decode_request(R"({"model":"m","system":"Be nice.","messages":[],
      "thinking":{"type":"disabled"},"tool_choice":{"type":"tool","name":"f"}})",
                                  r));
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_EQ(r.system[0].text, "Be nice.");
  EXPECT_TRUE(r.reasoning.disabled);
  EXPECT_EQ(r.tool_choice.mode, ir::ToolChoice::Mode::specific);
  EXPECT_EQ(r.tool_choice.name, "f");
  EXPECT_FALSE(r.parallel_tool_calls.has_value());
  EXPECT_FALSE(r.stream);

  ir::Request adaptive;
  ASSERT_FALSE(an::decode_request(
      R"({"model":"m","messages":[],"thinking":{"type":"adaptive"},"tool_choice":{"type":"none"}})",
      adaptive));
  EXPECT_EQ(adaptive.reasoning.effort, "high");
  EXPECT_FALSE(adaptive.reasoning.budget_tokens.has_value());
  EXPECT_EQ(adaptive.tool_choice.mode, ir::ToolChoice::Mode::none);

  ir::Request effort;
  ASSERT_FALSE(an::decode_request(R"({"model":"m","messages":[],"thinking":{"type":"adaptive"},
      "output_config":{"effort":"low"},"tool_choice":{"type":"auto"}})",
                                  effort));
  EXPECT_EQ(effort.reasoning.effort, "low");
  EXPECT_EQ(effort.tool_choice.mode, ir::ToolChoice::Mode::automatic);
}

TEST(AnthropicDecodeRequest, RejectsMalformedRequestsNamingTheField) {
  struct Case {
    std::string_view body;
    std::string_view field;
  };
  const Case cases[] = {
      {"not json", "JSON object"},
      {"[1,2]", "JSON object"},
      {R"({"messages":[]})", "model"},
      {R"({"model":7,"messages":[]})", "model"},
      {R"({"model":"m"})", "messages"},
      {R"({"model":"m","messages":{}})", "messages"},
      {R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]})",
       "messages[0].content[0].type"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]})",
       "messages[0].content[0].text"},
      {R"({"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]})",
       "messages[0].content[0].id"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
       "messages[0].content[0].source.type"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use","id":"a","name":"b"}]}]}]})",
       "messages[0].content[0].content[0].type"},
      {R"({"model":"m","messages":[],"system":5})", "system"},
      {R"({"model":"m","messages":[],"tool_choice":{"type":"sometimes"}})", "tool_choice.type"},
      {R"({"model":"m","messages":[],"max_tokens":"many"})", "max_tokens"},
      {R"({"model":"m","messages":[],"temperature":"hot"})", "temperature"},
      {R"({"model":"m","messages":[],"thinking":{"type":"enabled"}})", "thinking.budget_tokens"},
  };
  for (const auto& c : cases) {
    ir::Request r;
    auto err = an::decode_request(c.body, r);
    ASSERT_TRUE(err.has_value()) << c.body;
    EXPECT_EQ(err->status, 400) << c.body;
    EXPECT_EQ(err->type, "invalid_request_error");
    EXPECT_NE(err->message.find(c.field), std::string::npos) << c.body << " -> " << err->message;
  }
}

// ============================== encode_request ==============================

TEST(AnthropicEncodeRequest, ShapesAForeignHistoryIntoAValidBody) {
  ir::Request r;
  r.model = "claude-sonnet-4-5";
  r.system = {ir::Part::make_text("Rule one."), ir::Part::make_text("")};
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("Weather?")}));
  r.messages.push_back(message(ir::Role::system, {ir::Part::make_text("Rule two.")}));
  // An OpenAI-style assistant turn: empty text, unsigned reasoning, two calls.
  r.messages.push_back(
      message(ir::Role::assistant, {ir::Part::make_text(""), thinking("foreign reasoning", ""),
                                    tool_call("call_1", "get_weather", R"({"city":"Paris"})"),
                                    tool_call("functions.get_weather:1", "get_weather", "")}));
  // OpenAI tool messages arrive one per result, the user's text after them.
  r.messages.push_back(message(ir::Role::user, {tool_result("call_1", "18C")}));
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("Thanks."),
                                                tool_result("functions.get_weather:1", "22C")}));
  r.stop = {"END"};
  r.temperature = 1.5;
  r.stream = true;

  json::object body = parse_object(an::encode_request(r));
  EXPECT_EQ(body.at("max_tokens"), 8192);
  EXPECT_FALSE(body.contains("thinking"));
  EXPECT_EQ(body.at("temperature"), 1.0);  // clamped to Anthropic's range
  EXPECT_EQ(json::serialize(body.at("system")),
            R"([{"type":"text","text":"Rule one."},{"type":"text","text":"Rule two."}])");
  EXPECT_EQ(json::serialize(body.at("stop_sequences")), R"(["END"])");
  EXPECT_EQ(body.at("stream"), true);

  std::string sanitized = an::wire::tool_id("functions.get_weather:1");
  EXPECT_TRUE(std::regex_match(sanitized, std::regex("^[a-zA-Z0-9_-]+$"))) << sanitized;
  std::string expected =
      R"([{"role":"user","content":[{"type":"text","text":"Weather?"}]},)"
      R"({"role":"assistant","content":[)"
      R"({"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},)"
      R"({"type":"tool_use","id":")" +
      sanitized +
      R"(","name":"get_weather","input":{}}]},)"
      R"({"role":"user","content":[)"
      R"({"type":"tool_result","tool_use_id":"call_1","content":[{"type":"text","text":"18C"}]},)"
      R"({"type":"tool_result","tool_use_id":")" +
      sanitized +
      R"(","content":[{"type":"text","text":"22C"}]},)"
      R"({"type":"text","text":"Thanks."}]}])";
  EXPECT_EQ(json::serialize(body.at("messages")), expected);
}

TEST(AnthropicEncodeRequest, SanitizedToolIdsAreStableAndDistinct) {
  EXPECT_EQ(an::wire::tool_id("toolu_01A-b"), "toolu_01A-b");
  EXPECT_EQ(an::wire::tool_id("a:b"), an::wire::tool_id("a:b"));
  EXPECT_NE(an::wire::tool_id("a:b"), an::wire::tool_id("a.b"));
  for (std::string id : {"", "a:b", "functions.x:0", "ß"})
    EXPECT_TRUE(std::regex_match(an::wire::tool_id(id), std::regex("^[a-zA-Z0-9_-]+$"))) << id;
}

TEST(AnthropicEncodeRequest, EffortMapsToABudgetBelowMaxTokens) {
  struct Case {
    std::string effort;
    std::int64_t budget;
  };
  for (const auto& [effort, budget] :
       {Case{"minimal", 1024}, Case{"low", 1024}, Case{"medium", 8192}, Case{"high", 24576}}) {
    ir::Request r;
    r.model = "m";
    r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("hi")}));
    r.reasoning.effort = effort;
    r.temperature = 0.2;  // not allowed with thinking
    r.top_k = 5;
    json::object body = parse_object(an::encode_request(r));
    ASSERT_TRUE(body.contains("thinking")) << effort;
    EXPECT_EQ(body.at("thinking").at("type"), "enabled");
    EXPECT_EQ(body.at("thinking").at("budget_tokens"), budget) << effort;
    EXPECT_GT(body.at("max_tokens").as_int64(), budget) << effort;
    EXPECT_LE(body.at("max_tokens").as_int64(), 32000) << effort;
    EXPECT_FALSE(body.contains("temperature"));
    EXPECT_FALSE(body.contains("top_k"));
  }
}

TEST(AnthropicEncodeRequest, BudgetAndMaxTokensAgree) {
  ir::Request r;
  r.model = "m";
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("hi")}));
  r.reasoning.budget_tokens = 10000;
  r.max_tokens = 4000;  // the client's cap wins: the budget shrinks
  json::object body = parse_object(an::encode_request(r));
  EXPECT_EQ(body.at("max_tokens"), 4000);
  EXPECT_EQ(body.at("thinking").at("budget_tokens"), 3999);

  // Too small for the minimum budget: the cap stays (it is what the gateway
  // reserved credit for) and there is no room to think.
  r.max_tokens = 500;
  body = parse_object(an::encode_request(r));
  EXPECT_FALSE(body.contains("thinking"));
  EXPECT_EQ(body.at("max_tokens"), 500);

  r.max_tokens.reset();
  r.reasoning.budget_tokens = 40000;  // beyond the default cap
  body = parse_object(an::encode_request(r));
  EXPECT_GT(body.at("max_tokens").as_int64(), 40000);

  // No client cap: never more than the gateway reserved for.
  r.max_tokens_limit = 16000;
  body = parse_object(an::encode_request(r));
  EXPECT_EQ(body.at("max_tokens"), 16000);
  EXPECT_EQ(body.at("thinking").at("budget_tokens"), 15999);
}

TEST(AnthropicEncodeRequest, DisabledReasoningAndForcedToolsTurnThinkingOff) {
  ir::Request r;
  r.model = "m";
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("hi")}));
  r.reasoning.effort = "high";
  r.reasoning.disabled = true;
  r.temperature = 0.3;
  json::object body = parse_object(an::encode_request(r));
  EXPECT_EQ(json::serialize(body.at("thinking")), R"({"type":"disabled"})");
  EXPECT_EQ(body.at("max_tokens"), 8192);
  EXPECT_EQ(body.at("temperature"), 0.3);

  r.reasoning.disabled = false;
  r.tools.push_back({"f", "", json::object{{"type", "object"}}});
  r.tool_choice.mode = ir::ToolChoice::Mode::required;
  body = parse_object(an::encode_request(r));
  EXPECT_FALSE(body.contains("thinking"));
  EXPECT_EQ(json::serialize(body.at("tool_choice")), R"({"type":"any"})");
}

TEST(AnthropicEncodeRequest, ThinkingNeedsASignedBlockBeforeTheLastToolCall) {
  ir::Request r;
  r.model = "m";
  r.reasoning.effort = "low";
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("go")}));
  r.messages.push_back(message(ir::Role::assistant, {tool_call("call_1", "f", "{}")}));
  r.messages.push_back(message(ir::Role::user, {tool_result("call_1", "ok")}));
  // History from another vendor: no signed thinking, so no thinking now.
  EXPECT_FALSE(parse_object(an::encode_request(r)).contains("thinking"));

  r.messages[1].parts.insert(r.messages[1].parts.begin(), thinking("plan", "EqSig"));
  json::object body = parse_object(an::encode_request(r));
  EXPECT_TRUE(body.contains("thinking"));
  EXPECT_EQ(json::serialize(body.at("messages").at(1).at("content").at(0)),
            R"({"type":"thinking","thinking":"plan","signature":"EqSig"})");
}

TEST(AnthropicEncodeRequest, MediaToolsAndChoices) {
  ir::Request r;
  r.model = "m";
  ir::Part data_url;
  data_url.kind = ir::PartKind::image;
  data_url.url = "data:image/webp;base64,UklGRg==";
  ir::Part web;
  web.kind = ir::PartKind::image;
  web.url = "https://example.com/x.png";
  ir::Part inline_img;
  inline_img.kind = ir::PartKind::image;
  inline_img.mime_type = "image/gif";
  inline_img.data = "R0lGOD";
  ir::Part pdf;
  pdf.kind = ir::PartKind::document;
  pdf.mime_type = "application/pdf";
  pdf.data = "JVBERi0x";
  ir::Part txt;
  txt.kind = ir::PartKind::document;
  txt.mime_type = "text/plain";
  txt.data = an::wire::base64_encode("notes");
  r.messages.push_back(message(ir::Role::user, {data_url, web, inline_img, pdf, txt}));
  r.tools.push_back({"no_schema", "", nullptr});
  r.tools.push_back({"props_only", "d", json::object{{"properties", json::object{}}}});
  r.tools.push_back(
      {"ok", "", json::parse(R"({"type":"object","properties":{"a":{"type":"string"}}})")});
  r.tool_choice.mode = ir::ToolChoice::Mode::specific;
  r.tool_choice.name = "ok";
  r.parallel_tool_calls = false;
  r.top_k = 7;
  r.user = "u";

  json::object body = parse_object(an::encode_request(r));
  EXPECT_EQ(
      json::serialize(body.at("messages").at(0).at("content")),
      R"([{"type":"image","source":{"type":"base64","media_type":"image/webp","data":"UklGRg=="}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/x.png"}},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/gif","data":"R0lGOD"}},)"
      R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},)"
      R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"notes"}}])");
  EXPECT_EQ(
      json::serialize(body.at("tools")),
      R"([{"name":"no_schema","input_schema":{"type":"object","properties":{}}},)"
      R"({"name":"props_only","description":"d","input_schema":{"type":"object","properties":{}}},)"
      R"({"name":"ok","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}])");
  EXPECT_EQ(json::serialize(body.at("tool_choice")),
            R"({"type":"tool","name":"ok","disable_parallel_tool_use":true})");
  EXPECT_EQ(body.at("top_k"), 7);
  EXPECT_EQ(json::serialize(body.at("metadata")), R"({"user_id":"u"})");
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_FALSE(body.contains("system"));

  r.tool_choice.mode = ir::ToolChoice::Mode::unset;
  EXPECT_EQ(json::serialize(parse_object(an::encode_request(r)).at("tool_choice")),
            R"({"type":"auto","disable_parallel_tool_use":true})");
  r.tool_choice.mode = ir::ToolChoice::Mode::none;
  EXPECT_EQ(json::serialize(parse_object(an::encode_request(r)).at("tool_choice")),
            R"({"type":"none"})");
  r.tools.clear();  // a tool_choice without tools is rejected
  EXPECT_FALSE(parse_object(an::encode_request(r)).contains("tool_choice"));
}

TEST(AnthropicEncodeRequest, DropsEmptyBlocksAndTurns) {
  ir::Request r;
  r.model = "m";
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("a")}));
  r.messages.push_back(message(ir::Role::assistant, {ir::Part::make_text("")}));
  r.messages.push_back(
      message(ir::Role::user, {ir::Part::make_text(""), ir::Part::make_text("b")}));
  ir::Part redacted;
  redacted.kind = ir::PartKind::redacted_thinking;
  r.messages.push_back(message(ir::Role::assistant, {redacted, thinking("", "sig-only")}));
  json::object body = parse_object(an::encode_request(r));
  EXPECT_EQ(
      json::serialize(body.at("messages")),
      R"([{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},)"
      R"({"role":"assistant","content":[{"type":"thinking","thinking":"","signature":"sig-only"}]}])");
}

// ============================== responses ==============================

constexpr std::string_view kResponse = R"({
  "id": "msg_01Xyz",
  "type": "message",
  "role": "assistant",
  "model": "claude-opus-4-1-20250805",
  "content": [
    {"type": "thinking", "thinking": "Need the tool.", "signature": "EqQBsig"},
    {"type": "redacted_thinking", "data": "EmwKAhgB"},
    {"type": "text", "text": "Let me check.", "citations": null},
    {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}},
    {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}
  ],
  "stop_reason": "tool_use",
  "stop_sequence": null,
  "usage": {"input_tokens": 30, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 100,
            "output_tokens": 45, "service_tier": "standard"}
})";

TEST(AnthropicResponse, DecodesBlocksStopAndUsage) {
  ir::Response r;
  ASSERT_FALSE(an::decode_response(kResponse, r).has_value());
  EXPECT_EQ(r.id, "msg_01Xyz");
  EXPECT_EQ(r.model, "claude-opus-4-1-20250805");
  ASSERT_EQ(r.parts.size(), 4u);  // the server tool block has no IR part
  EXPECT_EQ(r.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(r.parts[0].signature, "EqQBsig");
  EXPECT_EQ(r.parts[1].kind, ir::PartKind::redacted_thinking);
  EXPECT_EQ(r.parts[1].data, "EmwKAhgB");
  EXPECT_EQ(r.parts[2].text, "Let me check.");
  EXPECT_EQ(r.parts[3].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(r.stop, ir::StopReason::tool_use);
  EXPECT_EQ(r.usage.input, 150);
  EXPECT_EQ(r.usage.cache_read, 100);
  EXPECT_EQ(r.usage.cache_write, 20);
  EXPECT_EQ(r.usage.output, 45);
  EXPECT_TRUE(r.usage.reported);
}

TEST(AnthropicResponse, DecodeRejectsNonMessages) {
  ir::Response r;
  auto err = an::decode_response("<html>", r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 502);
  err = an::decode_response(
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 529);
  EXPECT_EQ(err->message, "Overloaded");
}

TEST(AnthropicResponse, EncodesTheMessageTheSdkTypes) {
  ir::Response r;
  r.id = "chatcmpl-abc";  // another vendor's id: replaced by a msg_ id
  r.model = "gpt-5";
  r.parts = {thinking("hmm", "sig"), ir::Part::make_text("Hi!"), ir::Part::make_text(""),
             tool_call("call:7", "f", "")};
  r.stop = ir::StopReason::stop_sequence;
  r.stop_sequence = "END";
  r.usage = usage(150, 45, 100, 20);

  json::object m = parse_object(an::encode_response(r, "claude-client"));
  std::string id(m.at("id").as_string());
  EXPECT_TRUE(id.starts_with("msg_")) << id;
  m["id"] = "msg_x";
  std::string tid = an::wire::tool_id("call:7");
  EXPECT_EQ(
      json::serialize(m),
      R"({"id":"msg_x","type":"message","role":"assistant","model":"claude-client","content":[)"
      R"({"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Hi!"},)"
      R"({"type":"tool_use","id":")" +
          tid +
          R"(","name":"f","input":{}}],"stop_reason":"stop_sequence","stop_sequence":"END",)"
          R"("usage":{"input_tokens":30,"output_tokens":45,"cache_read_input_tokens":100,)"
          R"("cache_creation_input_tokens":20}})");
}

TEST(AnthropicResponse, RoundTripKeepsTheAnswer) {
  ir::Response r;
  r.id = "msg_rt";
  r.model = "claude-client";
  ir::Part redacted;
  redacted.kind = ir::PartKind::redacted_thinking;
  redacted.data = "opaque";
  r.parts = {thinking("plan", "sig"), redacted, ir::Part::make_text("Answer"),
             tool_call("toolu_1", "f", R"({"a":[1,{"b":null}]})")};
  r.stop = ir::StopReason::tool_use;
  r.usage = usage(150, 45, 100, 20);
  ir::Response back;
  ASSERT_FALSE(an::decode_response(an::encode_response(r, "claude-client"), back));
  EXPECT_EQ(dump(back), dump(r));
}

TEST(AnthropicDecodeError, KeepsStatusTypeAndMessage) {
  ApiError e = an::decode_error(
      400,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"},"request_id":"req_1"})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.message, "prompt is too long: 210000 tokens > 200000 maximum");

  e = an::decode_error(502, "Bad Gateway");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.message, "Bad Gateway");
  EXPECT_TRUE(e.type.empty());
}

// ============================== stop reasons ==============================

TEST(AnthropicStopReason, CompleteTableBothWays) {
  const std::pair<std::string_view, ir::StopReason> from_wire[] = {
      {"end_turn", ir::StopReason::end_turn},
      {"max_tokens", ir::StopReason::max_tokens},
      {"stop_sequence", ir::StopReason::stop_sequence},
      {"tool_use", ir::StopReason::tool_use},
      {"pause_turn", ir::StopReason::pause},
      {"refusal", ir::StopReason::refusal},
      {"model_context_window_exceeded", ir::StopReason::max_tokens},
      {"something_new", ir::StopReason::end_turn},
      {"", ir::StopReason::end_turn},
  };
  for (const auto& [wire, stop] : from_wire) EXPECT_EQ(an::ir_stop_reason(wire), stop) << wire;

  const std::pair<ir::StopReason, std::string_view> to_wire[] = {
      {ir::StopReason::end_turn, "end_turn"},
      {ir::StopReason::max_tokens, "max_tokens"},
      {ir::StopReason::stop_sequence, "stop_sequence"},
      {ir::StopReason::tool_use, "tool_use"},
      {ir::StopReason::content_filter, "refusal"},
      {ir::StopReason::pause, "pause_turn"},
      {ir::StopReason::refusal, "refusal"},
      {ir::StopReason::error, "end_turn"},
  };
  for (const auto& [stop, wire] : to_wire) EXPECT_EQ(an::wire_stop_reason(stop), wire);
}

// ============================== stream decoding ==============================

std::vector<ir::Event> expected_stream_events() {
  std::vector<ir::Event> x;
  ir::Event start = ev(ir::EventKind::message_start);
  start.id = "msg_01XFDUDYJgAACzvnptvVoYEL";
  start.model = "claude-sonnet-4-5-20250929";
  start.usage = usage(2125, 1, 2000, 100);
  x.push_back(start);
  x.push_back(part_start(0, ir::PartKind::thinking));
  x.push_back(part_delta(0, ir::DeltaKind::thinking, "The user wants the weather "));
  x.push_back(part_delta(0, ir::DeltaKind::thinking, "in two cities: \u00e9t\u00e9 \u2600."));
  x.push_back(part_delta(0, ir::DeltaKind::signature,
                         "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+/="));
  x.push_back(ev(ir::EventKind::part_stop, 0));
  x.push_back(part_start(1, ir::PartKind::text));
  x.push_back(part_delta(1, ir::DeltaKind::text, "I'll check Paris "));
  x.push_back(part_delta(1, ir::DeltaKind::text, "and Tokyo."));
  x.push_back(ev(ir::EventKind::part_stop, 1));
  x.push_back(
      part_start(2, ir::PartKind::tool_call, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"));
  x.push_back(part_delta(2, ir::DeltaKind::arguments, R"({"city": "Pa)"));
  x.push_back(part_delta(2, ir::DeltaKind::arguments, R"(ris"})"));
  x.push_back(ev(ir::EventKind::part_stop, 2));
  x.push_back(
      part_start(3, ir::PartKind::tool_call, "toolu_01HmC2qXqD4QpB8aXuVr9zZk", "get_weather"));
  x.push_back(part_delta(3, ir::DeltaKind::arguments, R"({"city":)"));
  x.push_back(part_delta(3, ir::DeltaKind::arguments, R"( "Tokyo", "unit")"));
  x.push_back(part_delta(3, ir::DeltaKind::arguments, R"(: "c"})"));
  x.push_back(ev(ir::EventKind::part_stop, 3));
  ir::Event d = ev(ir::EventKind::message_delta);
  d.stop = ir::StopReason::tool_use;
  d.usage = usage(2125, 152, 2000, 100);
  x.push_back(d);
  x.push_back(ev(ir::EventKind::message_stop));
  return x;
}

std::vector<ir::Event> decode_in_pieces(const std::string& sse,
                                        const std::vector<std::size_t>& cuts) {
  an::StreamDecoder dec;
  std::vector<ir::Event> out;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    dec.feed(std::string_view(sse).substr(at, cut - at), out);
    at = cut;
  }
  dec.feed(std::string_view(sse).substr(at), out);
  dec.finish(out);
  return out;
}

TEST(AnthropicStreamDecoder, RealisticStreamWhole) {
  std::string sse = fixture("stream_tools.sse");
  ASSERT_FALSE(sse.empty());
  EXPECT_EQ(dump(decode_in_pieces(sse, {})), dump(expected_stream_events()));
}

TEST(AnthropicStreamDecoder, ByteByByteAndRandomSplitsGiveTheSameEvents) {
  std::string sse = fixture("stream_tools.sse");
  ASSERT_FALSE(sse.empty());
  auto expected = dump(expected_stream_events());
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < sse.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(dump(decode_in_pieces(sse, every_byte)), expected);

  std::mt19937 rng(20250101);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    std::size_t n = rng() % 40;
    for (std::size_t i = 0; i < n; ++i) cuts.push_back(rng() % sse.size());
    std::sort(cuts.begin(), cuts.end());
    ASSERT_EQ(dump(decode_in_pieces(sse, cuts)), expected) << "round " << round;
  }

  // CRLF line ends are SSE too.
  std::string crlf = std::regex_replace(sse, std::regex("\n"), "\r\n");
  EXPECT_EQ(dump(decode_in_pieces(crlf, {17, 500, 501})), expected);
}

TEST(AnthropicStreamDecoder, ErrorEventsAndTruncation) {
  an::StreamDecoder dec;
  std::vector<ir::Event> out;
  dec.feed(R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

)",
           out);
  dec.finish(out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.back().kind, ir::EventKind::error);
  EXPECT_EQ(out.back().error.status, 529);
  EXPECT_EQ(out.back().error.type, "overloaded_error");
  EXPECT_EQ(out.back().error.message, "Overloaded");

  an::StreamDecoder cut;
  out.clear();
  cut.feed(
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n",
      out);
  cut.finish(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].kind, ir::EventKind::error);
  EXPECT_EQ(out[1].error.status, 502);
}

// Found by fuzz/stream_anthropic: a content block after message_delta was
// passed on as a part after the IR's message_delta, so a client encoder wrote
// content after the end of its message. It is skipped now.
TEST(AnthropicStreamDecoder, BlocksAfterMessageDeltaAreSkipped) {
  std::vector<ir::Event> out = decode_in_pieces(R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":"late"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" and more"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_stop
data: {"type":"message_stop"}

)",
                                                {});
  std::vector<ir::EventKind> kinds;
  for (const auto& e : out) kinds.push_back(e.kind);
  using K = ir::EventKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::message_start, K::part_start, K::part_delta, K::part_stop,
                                   K::message_delta, K::message_stop}));
}

TEST(AnthropicStreamDecoder, RedactedThinkingServerToolsAndLateUsage) {
  an::StreamDecoder dec;
  std::vector<ir::Event> out;
  dec.feed(R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":5,"cache_read_input_tokens":10,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"opaque=="}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Found it."}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":7,"cache_read_input_tokens":10,"output_tokens":20}}

event: message_stop
data: {"type":"message_stop"}

)",
           out);
  dec.finish(out);
  std::vector<ir::Event> x;
  ir::Event start = ev(ir::EventKind::message_start);
  start.id = "msg_1";
  start.model = "m";
  start.usage = usage(15, 1, 10, 0);
  x.push_back(start);
  x.push_back(part_start(0, ir::PartKind::redacted_thinking));
  x.push_back(part_delta(0, ir::DeltaKind::signature, "opaque=="));
  x.push_back(ev(ir::EventKind::part_stop, 0));
  x.push_back(part_start(1, ir::PartKind::text));  // server tool block skipped, no gap
  x.push_back(part_delta(1, ir::DeltaKind::text, "Found it."));
  x.push_back(ev(ir::EventKind::part_stop, 1));
  ir::Event d = ev(ir::EventKind::message_delta);
  d.stop = ir::StopReason::end_turn;
  d.usage = usage(17, 20, 10, 0);
  x.push_back(d);
  x.push_back(ev(ir::EventKind::message_stop));
  EXPECT_EQ(dump(out), dump(x));
}

// ============================== stream encoding ==============================

std::string encode_all(const std::vector<ir::Event>& events, std::string model = "claude-client") {
  an::StreamEncoder enc(std::move(model));
  std::string out;
  for (const auto& e : events) enc.encode(e, out);
  return out;
}

std::vector<ir::Event> sample_events() {
  std::vector<ir::Event> x;
  ir::Event start = ev(ir::EventKind::message_start);
  start.id = "msg_1";
  start.model = "gpt-5";
  start.usage = usage(120, 0, 100, 0);
  x.push_back(start);
  x.push_back(part_start(0, ir::PartKind::thinking));
  x.push_back(part_delta(0, ir::DeltaKind::thinking, "Hmm"));
  x.push_back(part_delta(0, ir::DeltaKind::signature, "sig"));
  x.push_back(ev(ir::EventKind::part_stop, 0));
  x.push_back(part_start(1, ir::PartKind::text));
  x.push_back(part_delta(1, ir::DeltaKind::text, "Hi \"there\""));
  x.push_back(ev(ir::EventKind::part_stop, 1));
  x.push_back(part_start(2, ir::PartKind::tool_call, "call_1", "f"));
  x.push_back(part_delta(2, ir::DeltaKind::arguments, R"({"a":)"));
  x.push_back(part_delta(2, ir::DeltaKind::arguments, "1}"));
  x.push_back(ev(ir::EventKind::part_stop, 2));
  x.push_back(part_start(3, ir::PartKind::tool_call, "call_2", "g"));
  x.push_back(ev(ir::EventKind::part_stop, 3));
  ir::Event d = ev(ir::EventKind::message_delta);
  d.stop = ir::StopReason::tool_use;
  d.usage = usage(120, 30, 100, 0);
  x.push_back(d);
  x.push_back(ev(ir::EventKind::message_stop));
  return x;
}

TEST(AnthropicStreamEncoder, ExactSequenceForTheSdk) {
  const std::string expected =
      "event: message_start\n"
      R"(data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-client","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":0,"cache_read_input_tokens":100,"cache_creation_input_tokens":0}}})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm"}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":0})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi \"there\""}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":1})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_1","name":"f","input":{}}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"1}"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":2})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"call_2","name":"g","input":{}}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":3})"
      "\n\n"
      "event: message_delta\n"
      R"(data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30,"input_tokens":20,"cache_read_input_tokens":100,"cache_creation_input_tokens":0}})"
      "\n\n"
      "event: message_stop\n"
      R"(data: {"type":"message_stop"})"
      "\n\n";
  EXPECT_EQ(encode_all(sample_events()), expected);
}

// Every SSE event of the encoder's output, as (event line, data).
std::vector<std::pair<std::string, json::object>> frames(const std::string& sse) {
  SseParser p;
  std::vector<SseEvent> events;
  p.feed(sse, events);
  p.finish(events);
  std::vector<std::pair<std::string, json::object>> out;
  for (auto& e : events) out.emplace_back(e.event, parse_object(e.data));
  return out;
}

TEST(AnthropicStreamEncoder, StartsWithMessageStartAndRepairsStrayEvents) {
  std::vector<ir::Event> x;
  // No message_start, and a text delta whose part was never started.
  x.push_back(part_delta(0, ir::DeltaKind::text, "Hello"));
  // A signature delta while text is open: it belongs to a thinking block.
  x.push_back(part_delta(0, ir::DeltaKind::signature, "sig"));
  x.push_back(part_start(1, ir::PartKind::tool_call, "functions.f:0", "f"));
  x.push_back(part_delta(1, ir::DeltaKind::arguments, R"({"path": "/tm)"));  // cut short
  x.push_back(ev(ir::EventKind::message_stop));  // no message_delta, no part_stop
  auto f = frames(encode_all(x));
  std::vector<std::string> names;
  for (const auto& [name, data] : f) {
    names.push_back(name);
    EXPECT_EQ(std::string(data.at("type").as_string()), name);  // every event has its event line
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"}));
  EXPECT_EQ(f[1].second.at("content_block").at("type"), "text");
  EXPECT_EQ(f[4].second.at("content_block").at("type"), "thinking");
  EXPECT_EQ(f[4].second.at("index"), 1);
  const json::object& tool = f[7].second.at("content_block").as_object();
  EXPECT_TRUE(
      std::regex_match(std::string(tool.at("id").as_string()), std::regex("^[a-zA-Z0-9_-]+$")));
  std::string args = std::string(f[8].second.at("delta").at("partial_json").as_string()) +
                     std::string(f[9].second.at("delta").at("partial_json").as_string());
  EXPECT_EQ(args, R"({"path": "/tm"})");
  EXPECT_EQ(f[11].second.at("delta").at("stop_reason"), "tool_use");
  EXPECT_EQ(f[11].second.at("usage").at("output_tokens"), 0);
}

TEST(AnthropicStreamEncoder, ErrorEventAndNothingAfterTheEnd) {
  ir::Event start = ev(ir::EventKind::message_start);
  ir::Event err = ev(ir::EventKind::error);
  err.error = ApiError{503, "upstream overloaded", "", "server_error"};
  std::string sse =
      encode_all({start, part_start(0, ir::PartKind::text), err, ev(ir::EventKind::message_stop)});
  auto f = frames(sse);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[2].first, "error");
  EXPECT_EQ(
      json::serialize(f[2].second),
      R"({"type":"error","error":{"type":"overloaded_error","message":"upstream overloaded"}})");

  // An error before anything else goes out alone: the SDK throws on it.
  EXPECT_EQ(
      encode_all({err}),
      "event: error\n"
      R"(data: {"type":"error","error":{"type":"overloaded_error","message":"upstream overloaded"}})"
      "\n\n");
  err.error.type = "rate_limit_error";
  EXPECT_NE(encode_all({err}).find(R"("type":"rate_limit_error")"), std::string::npos);
}

TEST(AnthropicStreamEncoder, RedactedThinkingAndSkippedParts) {
  std::vector<ir::Event> x;
  x.push_back(ev(ir::EventKind::message_start));
  x.push_back(part_start(0, ir::PartKind::redacted_thinking));
  x.push_back(part_delta(0, ir::DeltaKind::signature, "opa"));
  x.push_back(part_delta(0, ir::DeltaKind::signature, "que"));
  x.push_back(ev(ir::EventKind::part_stop, 0));
  x.push_back(part_start(1, ir::PartKind::image));
  x.push_back(part_delta(1, ir::DeltaKind::text, "ignored"));
  x.push_back(ev(ir::EventKind::part_stop, 1));
  x.push_back(part_start(2, ir::PartKind::text));
  x.push_back(part_delta(2, ir::DeltaKind::text, "ok"));
  x.push_back(ev(ir::EventKind::part_stop, 2));
  x.push_back(ev(ir::EventKind::message_stop));
  auto f = frames(encode_all(x));
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(
      json::serialize(f[1].second),
      R"({"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"opaque"}})");
  EXPECT_EQ(f[3].second.at("index"), 1);  // indices stay contiguous
  EXPECT_EQ(f[4].second.at("delta").at("text"), "ok");
  EXPECT_EQ(f[6].second.at("delta").at("stop_reason"), "end_turn");
}

TEST(AnthropicStreamEncoder, JsonCompletion) {
  EXPECT_EQ(an::wire::json_completion(""), "{}");
  EXPECT_EQ(an::wire::json_completion(R"({"a":1})"), "");
  EXPECT_EQ(an::wire::json_completion(R"({"a":"x)"), "\"}");
  EXPECT_EQ(an::wire::json_completion(R"({"a":[1,{"b")"), ":null}]}");
  EXPECT_EQ(an::wire::json_completion(R"({"a":)"), "null}");
  EXPECT_EQ(an::wire::json_completion(R"({"a":1,)"), "\"\":null}");
  EXPECT_EQ(an::wire::json_completion(R"({"a":"\)"), "\\\"}");
  EXPECT_FALSE(an::wire::json_completion("}{").has_value());
}

// ============================== round trips ==============================

TEST(AnthropicRoundTrip, RequestThroughTheWireIsUnchanged) {
  ir::Request r;
  r.model = "claude-sonnet-4-5";
  r.system = {ir::Part::make_text("Sys A"), ir::Part::make_text("Sys B")};
  ir::Part img;
  img.kind = ir::PartKind::image;
  img.mime_type = "image/png";
  img.data = "iVBORw0KGgo=";
  ir::Part pdf;
  pdf.kind = ir::PartKind::document;
  pdf.url = "https://example.com/a.pdf";
  ir::Part result = tool_result("toolu_1", "sunny");
  result.is_error = true;
  result.content.push_back(img);
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("Hi"), img, pdf}));
  r.messages.push_back(
      message(ir::Role::assistant, {thinking("plan", "sig"), ir::Part::make_text("Sure"),
                                    tool_call("toolu_1", "weather", R"({"city":"Paris"})")}));
  r.messages.push_back(message(ir::Role::user, {result, ir::Part::make_text("And?")}));
  r.tools.push_back({"weather", "Weather",
                     json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})")});
  r.tool_choice.mode = ir::ToolChoice::Mode::automatic;
  r.parallel_tool_calls = false;
  r.max_tokens = 1000;
  r.temperature = 0.5;
  r.top_p = 0.9;
  r.top_k = 40;
  r.stop = {"END"};
  r.stream = true;
  r.user = "u1";

  ir::Request back;
  ASSERT_FALSE(an::decode_request(an::encode_request(r), back));
  EXPECT_EQ(dump(back), dump(r));

  // With thinking: the budget travels, the sampling knobs Anthropic forbids do not.
  ir::Request t;
  t.model = "m";
  t.messages.push_back(message(ir::Role::user, {ir::Part::make_text("Think")}));
  t.reasoning.budget_tokens = 2048;
  t.max_tokens = 4096;
  ir::Request t_back;
  ASSERT_FALSE(an::decode_request(an::encode_request(t), t_back));
  EXPECT_EQ(dump(t_back), dump(t));
}

TEST(AnthropicRoundTrip, StreamThroughTheWireIsUnchanged) {
  std::vector<ir::Event> x = sample_events();
  x[0].model = "claude-client";  // the encoder writes the client's model name
  // The encoder completes the argument-less tool call with "{}".
  x.insert(x.begin() + 13, part_delta(3, ir::DeltaKind::arguments, "{}"));
  std::string sse = encode_all(x);
  an::StreamDecoder dec;
  std::vector<ir::Event> back;
  dec.feed(sse, back);
  dec.finish(back);
  EXPECT_EQ(dump(back), dump(x));

  // And the decoder's output of a real stream survives encode + decode.
  auto real = expected_stream_events();
  real[0].model = "claude-client";
  an::StreamDecoder dec2;
  std::vector<ir::Event> again;
  dec2.feed(encode_all(real), again);
  dec2.finish(again);
  EXPECT_EQ(dump(again), dump(real));
}

}  // namespace
}  // namespace aiohub
