// Gemini generateContent codec, checked against the documented wire format
// (docs/protocols/gemini.md) and the pitfalls of docs/protocols/README.md.
#include <gtest/gtest.h>

#include "protocols/anthropic/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "codec_test_support.hpp"
#include "protocols/gemini/codec.hpp"

namespace aiohub {
namespace {

std::string fixture(const std::string& name) {
  return codec_test::read_fixture("gemini", name);
}

namespace json = boost::json;
namespace gm = gemini;

// --- readable dumps, so that a mismatch shows where the IR differs ---

json::object dump(const ir::Part& p) {
  json::object o{{"kind", static_cast<int>(p.kind)}};
  if (!p.text.empty()) o["text"] = p.text;
  if (!p.signature.empty()) o["signature"] = p.signature;
  if (!p.mime_type.empty()) o["mime_type"] = p.mime_type;
  if (!p.data.empty()) o["data"] = p.data;
  if (!p.url.empty()) o["url"] = p.url;
  if (!p.tool_call_id.empty()) o["id"] = p.tool_call_id;
  if (!p.tool_name.empty()) o["name"] = p.tool_name;
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

json::value dump(const ir::Request& r) {
  json::object o{{"model", r.model}, {"stream", r.stream}, {"system", dump(r.system)}};
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
  o["format"] = {static_cast<int>(r.response_format.kind), r.response_format.name,
                 r.response_format.schema};
  return o;
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
      o["id"] = e.tool_call_id;
      o["name"] = e.tool_name;
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
      o["usage"] = dump(e.usage);
      break;
    case ir::EventKind::message_stop:
      break;
    case ir::EventKind::error:
      o["status"] = e.error.status;
      o["message"] = e.error.message;
      break;
  }
  return json::serialize(o);
}

std::vector<std::string> dump(const std::vector<ir::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(dump(e));
  return out;
}

// Equal JSON values, shown serialized on failure.
#define EXPECT_JSON_EQ(actual, expected) \
  EXPECT_EQ(json::serialize(json::value(actual)), json::serialize(json::parse(expected)))

// --- IR builders ---

ir::Part part(ir::PartKind kind, std::string text = "", std::string signature = "") {
  ir::Part p;
  p.kind = kind;
  p.text = std::move(text);
  p.signature = std::move(signature);
  return p;
}

ir::Part tool_call(std::string id, std::string name, std::string args, std::string sig = "") {
  ir::Part p = part(ir::PartKind::tool_call, "", std::move(sig));
  p.tool_call_id = std::move(id);
  p.tool_name = std::move(name);
  p.arguments = std::move(args);
  return p;
}

ir::Part tool_result(std::string id, std::string text, bool is_error = false) {
  ir::Part p = part(ir::PartKind::tool_result);
  p.tool_call_id = std::move(id);
  p.content.push_back(ir::Part::make_text(std::move(text)));
  p.is_error = is_error;
  return p;
}

ir::Part media(ir::PartKind kind, std::string mime, std::string data, std::string url = "") {
  ir::Part p = part(kind);
  p.mime_type = std::move(mime);
  p.data = std::move(data);
  p.url = std::move(url);
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

ir::Event start(int index, ir::PartKind kind, std::string id = "", std::string name = "") {
  ir::Event e = ev(ir::EventKind::part_start, index);
  e.part_kind = kind;
  e.tool_call_id = std::move(id);
  e.tool_name = std::move(name);
  return e;
}

ir::Event delta(int index, ir::DeltaKind kind, std::string text) {
  ir::Event e = ev(ir::EventKind::part_delta, index);
  e.delta_kind = kind;
  e.delta = std::move(text);
  return e;
}

std::vector<ir::Event> decode_stream(const std::vector<std::string_view>& pieces) {
  gm::StreamDecoder d;
  std::vector<ir::Event> out;
  for (auto p : pieces) d.feed(p, out);
  d.finish(out);
  return out;
}

// ======================= decode_request =======================

TEST(GeminiDecodeRequest, EveryPartKindToolsAndConfig) {
  ir::Request r;
  ASSERT_FALSE(gm::decode_request(fixture("request_full.json"), "models/gemini-2.5-pro", true, r));
  EXPECT_JSON_EQ(dump(r), R"({
    "model": "gemini-2.5-pro", "stream": true,
    "system": [{"kind":0,"text":"You are a CLI agent."},{"kind":0,"text":"Be brief."}],
    "messages": [
      {"role":0,"parts":[
        {"kind":0,"text":"What is in these files?"},
        {"kind":1,"mime_type":"image/png","data":"iVBORw0KGgo="},
        {"kind":2,"mime_type":"application/pdf","data":"JVBERi0xLjQ="},
        {"kind":1,"mime_type":"image/jpeg","url":"https://generativelanguage.googleapis.com/v1beta/files/abc"}]},
      {"role":1,"parts":[
        {"kind":5,"text":"I should list the directory."},
        {"kind":0,"text":"Let me look.","signature":"c2lnLXRleHQ="},
        {"kind":3,"signature":"c2lnLWNhbGw=","id":"call_0","name":"list_directory","arguments":"{\"path\":\"/tmp\"}"},
        {"kind":3,"id":"fc-2","name":"read_file","arguments":"{\"path\":\"/tmp/a.txt\"}"},
        {"kind":3,"id":"call_2","name":"list_directory","arguments":"{\"path\":\"/home\"}"}]},
      {"role":0,"parts":[
        {"kind":4,"id":"fc-2","name":"read_file","content":[{"kind":0,"text":"hello"}]},
        {"kind":4,"id":"call_0","name":"list_directory","content":[{"kind":0,"text":"a.txt b.txt"}]},
        {"kind":4,"id":"call_2","name":"list_directory","is_error":true,"content":[{"kind":0,"text":"permission denied"}]}]},
      {"role":1,"parts":[{"kind":0,"text":"Done.","signature":"c2lnLWVuZA=="}]},
      {"role":0,"parts":[{"kind":0,"text":"Thanks"}]}],
    "tools": [
      {"name":"list_directory","description":"Lists a directory.",
       "schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
      {"name":"read_file","description":"Reads a file.",
       "schema":{"type":"object","properties":{"path":{"type":"string","description":"File path"},
                 "limit":{"type":["integer","null"]}},"required":["path"]}},
      {"name":"now","description":"","schema":{"type":"object","properties":{}}}],
    "tool_choice": [4, "read_file"],
    "max_tokens": 8192, "temperature": 1.0, "top_p": 0.95, "top_k": 64,
    "stop": ["END", "STOP"],
    "effort": null, "budget": 8192, "disabled": false,
    "format": [2, "response", {"type":"object","properties":{"answer":{"type":"string"}}}]
  })");
}

TEST(GeminiDecodeRequest, ThinkingAndToolChoiceVariants) {
  struct Case {
    const char* config;
    const char* expect;  // effort, budget, disabled, tool_choice
  };
  const Case cases[] = {
      {R"("generationConfig":{"thinkingConfig":{"thinkingBudget":0}})",
       R"([null,null,true,[0,""]])"},
      {R"("generationConfig":{"thinkingConfig":{"thinkingBudget":-1}})",
       R"(["high",null,false,[0,""]])"},
      {R"("generationConfig":{"thinkingConfig":{"thinkingLevel":"LOW"}})",
       R"(["low",null,false,[0,""]])"},
      {R"("toolConfig":{"functionCallingConfig":{"mode":"AUTO"}})", R"([null,null,false,[1,""]])"},
      {R"("toolConfig":{"functionCallingConfig":{"mode":"NONE"}})", R"([null,null,false,[2,""]])"},
      {R"("toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a","b"]}})",
       R"([null,null,false,[3,""]])"},
      {R"("tool_config":{"function_calling_config":{"mode":"ANY","allowed_function_names":["a"]}})",
       R"([null,null,false,[4,"a"]])"},
  };
  for (const auto& c : cases) {
    std::string body =
        std::string(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],)") + c.config + "}";
    ir::Request r;
    ASSERT_FALSE(gm::decode_request(body, "m", false, r)) << body;
    json::object d = dump(r).as_object();
    json::array got{d["effort"], d["budget"], d["disabled"], d["tool_choice"]};
    EXPECT_JSON_EQ(got, c.expect) << body;
  }
}

// Found by fuzz/request_gemini (UBSan): an integer field given as a double
// beyond int64 (maxOutputTokens 1e25) was cast with undefined behaviour. The
// same reading of integers in the Anthropic and OpenAI wire helpers and the
// Chat passthrough usage got the same range check; make test-sanitize runs
// these under UBSan.
TEST(GeminiDecodeRequest, HugeNumbersAreNotCastOutOfRange) {
  ir::Request r;
  EXPECT_FALSE(gm::decode_request(
      R"({"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1e25,"topK":-1e300}})",
      "m", false, r));
  EXPECT_FALSE(r.max_tokens && *r.max_tokens > 0 && *r.max_tokens < 1000);
  auto u = aiohub::openai_chat::usage_from_response(
      R"({"usage":{"prompt_tokens":1e30,"completion_tokens":-1e30,"total_tokens":1e300}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->input, 0);
  ir::Response resp;
  EXPECT_FALSE(aiohub::anthropic::decode_response(
      R"({"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1e30,"output_tokens":1e19}})",
      resp));
  EXPECT_EQ(resp.usage.output, 0);
}

TEST(GeminiDecodeRequest, RejectsMalformedRequestsNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {R"([1,2])", "JSON object"},
      {R"({"contents":"hi"})", "contents"},
      {R"({})", "contents"},
      {R"({"contents":[]})", "contents"},
      {R"({"contents":[1]})", "contents[0]"},
      {R"({"contents":[{"role":"system","parts":[{"text":"x"}]}]})", "contents[0].role"},
      {R"({"contents":[{"role":"user"}]})", "contents[0].parts"},
      {R"({"contents":[{"role":"user","parts":[{"text":1}]}]})", "contents[0].parts[0]"},
      {R"({"contents":[{"role":"user","parts":[{}]}]})", "contents[0].parts[0]"},
      {R"({"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png"}}]}]})",
       "inlineData"},
      {R"({"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]})", "functionCall"},
      {R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":[1]}}]}]})",
       "args"},
      {R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"stopSequences":"x"}})",
       "stopSequences"},
      {R"({"contents":[{"parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{}]}]})",
       "functionDeclarations"},
  };
  for (const auto& c : cases) {
    ir::Request r;
    auto err = gm::decode_request(c.body, "m", false, r);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->status, 400);
    EXPECT_NE(err->message.find(c.field), std::string::npos) << err->message;
    EXPECT_EQ(error_body(ErrorShape::gemini, *err).find("INVALID_ARGUMENT") != std::string::npos,
              true);
  }
}

// ======================= encode_request =======================

ir::Request foreign_history() {
  ir::Request r;
  r.model = "gemini-3-flash-preview";
  r.system.push_back(ir::Part::make_text("Sys A"));
  r.messages.push_back(message(
      ir::Role::user,
      {ir::Part::make_text("hi"), media(ir::PartKind::image, "image/png", "", "https://x/cat.png"),
       media(ir::PartKind::image, "", "", "data:image/png;base64,AAAA")}));
  r.messages.push_back(message(ir::Role::system, {ir::Part::make_text("Mid system")}));
  r.messages.push_back(
      message(ir::Role::assistant,
              {part(ir::PartKind::thinking, "unsigned thoughts"),
               part(ir::PartKind::thinking, "signed", "S1"), ir::Part::make_text("calling"),
               tool_call("toolu_1", "get_weather", R"({"city":"Paris"})"),
               tool_call("toolu_2", "get_time", R"({"tz":"CET"})")}));
  ir::Part orphan = tool_result("toolu_9", "x");
  orphan.tool_name = "lookup";
  r.messages.push_back(message(
      ir::Role::user, {tool_result("toolu_1", "18C"), orphan, ir::Part::make_text("and?")}));
  r.messages.push_back(
      message(ir::Role::assistant, {tool_call("toolu_3", "search", "{}", "SIG3")}));
  r.messages.push_back(message(ir::Role::assistant, {ir::Part::make_text("")}));
  ir::Part with_image = tool_result("toolu_3", R"({"hits":2})");
  with_image.content.push_back(media(ir::PartKind::image, "image/png", "QUJD"));
  r.messages.push_back(message(ir::Role::user, {with_image}));
  r.messages.push_back(message(ir::Role::assistant, {tool_call("toolu_4", "run", R"({"a":)")}));
  r.messages.push_back(message(ir::Role::user, {tool_result("toolu_4", "boom", true)}));
  ir::Part redacted = part(ir::PartKind::redacted_thinking);
  redacted.data = "opaque";
  r.messages.push_back(message(ir::Role::assistant, {redacted}));

  ir::Tool t;
  t.name = "get_weather";
  t.description = "Weather";
  t.schema = json::parse(R"({"type":"object","properties":{"city":{"type":"string"},
      "opts":{"type":"object","required":["x"]}},"required":["city","country"]})");
  r.tools.push_back(t);
  r.tool_choice = {ir::ToolChoice::Mode::specific, "get_weather"};
  r.max_tokens = 1000;
  r.temperature = 0.5;
  r.stop = {"a", "b", "c", "d", "e", "f"};
  r.reasoning.effort = "medium";
  r.response_format.kind = ir::ResponseFormat::Kind::json_schema;
  r.response_format.schema = json::parse(R"({"type":"object"})");
  r.stream = true;
  return r;
}

TEST(GeminiEncodeRequest, ShapesAForeignHistoryIntoAValidBody) {
  EXPECT_JSON_EQ(json::parse(gm::encode_request(foreign_history())), R"({
    "contents": [
      {"role":"user","parts":[{"text":"hi"},
        {"fileData":{"mimeType":"image/png","fileUri":"https://x/cat.png"}},
        {"inlineData":{"mimeType":"image/png","data":"AAAA"}}]},
      {"role":"model","parts":[
        {"text":"signed","thought":true,"thoughtSignature":"S1"},
        {"text":"calling"},
        {"functionCall":{"id":"toolu_1","name":"get_weather","args":{"city":"Paris"}},
         "thoughtSignature":"skip_thought_signature_validator"},
        {"functionCall":{"id":"toolu_2","name":"get_time","args":{"tz":"CET"}}}]},
      {"role":"user","parts":[
        {"functionResponse":{"id":"toolu_1","name":"get_weather","response":{"result":"18C"}}},
        {"functionResponse":{"id":"toolu_2","name":"get_time",
                             "response":{"error":"no result was recorded for this call"}}},
        {"text":"Tool result (lookup): x"},
        {"text":"and?"}]},
      {"role":"model","parts":[{"functionCall":{"id":"toolu_3","name":"search","args":{}},"thoughtSignature":"SIG3"}]},
      {"role":"user","parts":[
        {"functionResponse":{"id":"toolu_3","name":"search","response":{"hits":2}}},
        {"inlineData":{"mimeType":"image/png","data":"QUJD"}}]},
      {"role":"model","parts":[{"functionCall":{"id":"toolu_4","name":"run","args":{}},
                                "thoughtSignature":"skip_thought_signature_validator"}]},
      {"role":"user","parts":[{"functionResponse":{"id":"toolu_4","name":"run","response":{"error":"boom"}}}]}],
    "systemInstruction": {"parts":[{"text":"Sys A"},{"text":"Mid system"}]},
    "tools": [{"functionDeclarations":[{"name":"get_weather","description":"Weather",
      "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"},"opts":{"type":"object"}},
                              "required":["city"]}}]}],
    "toolConfig": {"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},
    "generationConfig": {"maxOutputTokens":1000,"temperature":0.5,"stopSequences":["a","b","c","d","e"],
      "responseMimeType":"application/json","responseJsonSchema":{"type":"object"},
      "thinkingConfig":{"includeThoughts":true,"thinkingLevel":"MEDIUM"}}
  })");
}

TEST(GeminiEncodeRequest, ReasoningFollowsTheModelGeneration) {
  struct Case {
    const char* model;
    std::optional<std::string> effort;
    std::optional<std::int64_t> budget;
    bool disabled;
    const char* expect;  // thinkingConfig, or null
  };
  const Case cases[] = {
      {"gemini-2.5-flash", "low", {}, false, R"({"includeThoughts":true,"thinkingBudget":1024})"},
      {"gemini-2.5-flash", "high", {}, false, R"({"includeThoughts":true,"thinkingBudget":-1})"},
      {"gemini-2.5-flash", {}, 3000, false, R"({"includeThoughts":true,"thinkingBudget":3000})"},
      {"gemini-2.5-flash", {}, {}, true, R"({"thinkingBudget":0})"},
      {"gemini-2.5-pro", {}, {}, true, R"({"thinkingBudget":128})"},
      {"gemini-2.5-pro", "none", {}, false, R"({"thinkingBudget":128})"},
      {"gemini-3-pro-preview",
       "medium",
       {},
       false,
       R"({"includeThoughts":true,"thinkingLevel":"HIGH"})"},
      {"gemini-3-pro-preview",
       "low",
       {},
       false,
       R"({"includeThoughts":true,"thinkingLevel":"LOW"})"},
      {"gemini-3-flash-preview",
       "minimal",
       {},
       false,
       R"({"includeThoughts":true,"thinkingLevel":"MINIMAL"})"},
      {"gemini-3-flash-preview", {}, {}, true, R"({"thinkingLevel":"MINIMAL"})"},
      {"gemini-3-flash-preview", {}, {}, false, "null"},
  };
  for (const auto& c : cases) {
    ir::Request r;
    r.model = c.model;
    r.reasoning.effort = c.effort;
    r.reasoning.budget_tokens = c.budget;
    r.reasoning.disabled = c.disabled;
    r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("hi")}));
    json::object body = json::parse(gm::encode_request(r)).as_object();
    json::value got = nullptr;
    if (auto* g = body.if_contains("generationConfig"))
      if (auto* t = g->as_object().if_contains("thinkingConfig")) got = *t;
    EXPECT_JSON_EQ(got, c.expect) << c.model;
    EXPECT_FALSE(body.contains("model"));
  }
}

TEST(GeminiEncodeRequest, NoSentinelForGemini2AndNoEmptyContents) {
  ir::Request r;
  r.model = "gemini-2.5-pro";
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("")}));
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("go")}));
  r.messages.push_back(message(ir::Role::assistant, {tool_call("c1", "f", "{}")}));
  r.messages.push_back(message(ir::Role::user, {tool_result("c1", "[1,2]")}));
  EXPECT_JSON_EQ(json::parse(gm::encode_request(r)), R"({"contents":[
    {"role":"user","parts":[{"text":"go"}]},
    {"role":"model","parts":[{"functionCall":{"id":"c1","name":"f","args":{}}}]},
    {"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"result":"[1,2]"}}}]}]})");
}

TEST(GeminiEncodeRequest, RequestRoundTripKeepsTheConversation) {
  ir::Request first;
  ASSERT_FALSE(gm::decode_request(fixture("request_full.json"), "gemini-2.5-pro", false, first));
  first.model = "gemini-2.5-pro";
  ir::Request second;
  ASSERT_FALSE(gm::decode_request(gm::encode_request(first), "gemini-2.5-pro", false, second));
  json::object a = dump(first).as_object(), b = dump(second).as_object();
  // Unsigned thought text is not sent back to Gemini (it means nothing there).
  a["messages"].as_array()[1].as_object()["parts"].as_array().erase(
      a["messages"].as_array()[1].as_object()["parts"].as_array().begin());
  // Function responses go back in call order (docs/protocols/README.md#pitfall-9).
  json::array& results = a["messages"].as_array()[2].as_object()["parts"].as_array();
  std::swap(results[0], results[1]);
  EXPECT_EQ(json::serialize(a), json::serialize(b));
}

// ======================= responses =======================

TEST(GeminiResponse, DecodesPartsStopAndUsage) {
  ir::Response r;
  ASSERT_FALSE(gm::decode_response(fixture("response_tools.json"), r));
  EXPECT_EQ(r.id, "r-1");
  EXPECT_EQ(r.model, "gemini-2.5-flash");
  EXPECT_EQ(r.stop, ir::StopReason::tool_use);  // STOP + call: docs/protocols/README.md#pitfall-15
  EXPECT_JSON_EQ(dump(r.parts), R"([
    {"kind":5,"text":"Thinking about it."},
    {"kind":0,"text":"I'll read it."},
    {"kind":3,"signature":"c2ln","id":"call_r-1_0","name":"read_file","arguments":"{\"path\":\"a.txt\"}"}])");
  EXPECT_JSON_EQ(
      dump(r.usage),
      R"({"input":1000,"output":100,"cache_read":800,"cache_write":0,"reasoning":70,"reported":true})");
}

TEST(GeminiResponse, BlockedPromptsErrorsAndJunk) {
  ir::Response r;
  ASSERT_FALSE(gm::decode_response(
      R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5}})", r));
  EXPECT_EQ(r.stop, ir::StopReason::content_filter);
  EXPECT_TRUE(r.parts.empty());
  auto err = gm::decode_response(
      R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})", r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 429);
  EXPECT_EQ(err->message, "quota");
  EXPECT_TRUE(gm::decode_response("not json", r));
  EXPECT_TRUE(gm::decode_response(R"({"candidates":[]})", r));
}

TEST(GeminiResponse, EncodesWhatTheSdkReads) {
  ir::Response r;
  r.id = "msg_9";
  r.model = "claude-x";
  r.parts = {part(ir::PartKind::thinking, "think", "S"), ir::Part::make_text("Hi"),
             tool_call("toolu_1", "f", R"({"x":1})"), part(ir::PartKind::redacted_thinking)};
  r.stop = ir::StopReason::tool_use;
  r.usage = {100, 30, 60, 0, 10, true};
  EXPECT_EQ(
      gm::encode_response(r, "gemini-client"),
      R"({"candidates":[{"content":{"parts":[{"text":"think","thought":true,"thoughtSignature":"S"},)"
      R"({"text":"Hi"},{"functionCall":{"id":"toolu_1","name":"f","args":{"x":1}}}],"role":"model"},)"
      R"("finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":100,)"
      R"("candidatesTokenCount":20,"totalTokenCount":130,"cachedContentTokenCount":60,)"
      R"("thoughtsTokenCount":10},"modelVersion":"gemini-client","responseId":"msg_9"})");
  r.parts.clear();
  r.stop = ir::StopReason::max_tokens;
  json::object o = json::parse(gm::encode_response(r, "m")).as_object();
  EXPECT_JSON_EQ(o["candidates"].as_array()[0],
                 R"({"content":{"role":"model"},"finishReason":"MAX_TOKENS","index":0})");
}

TEST(GeminiResponse, RoundTripKeepsTheAnswer) {
  ir::Response first, second;
  ASSERT_FALSE(gm::decode_response(fixture("response_tools.json"), first));
  ASSERT_FALSE(gm::decode_response(gm::encode_response(first, first.model), second));
  EXPECT_JSON_EQ(dump(second.parts), json::serialize(dump(first.parts)));
  EXPECT_EQ(second.stop, first.stop);
  EXPECT_JSON_EQ(dump(second.usage), json::serialize(dump(first.usage)));
  EXPECT_EQ(second.id, first.id);
}

TEST(GeminiDecodeError, KeepsStatusAndMessage) {
  ApiError e = gm::decode_error(
      400, R"({"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
               "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "API key not valid.");
  EXPECT_TRUE(e.type.empty());  // the client's codec derives its own type
  e = gm::decode_error(0, R"([{"error":{"message":"busy","status":"UNAVAILABLE"}}])");
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(e.message, "busy");
  e = gm::decode_error(
      400,
      R"({"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(e.code, "context_length_exceeded");
  e = gm::decode_error(502, "<html>bad gateway</html>");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.message, "<html>bad gateway</html>");
}

TEST(GeminiStopReason, CompleteTableBothWays) {
  using S = ir::StopReason;
  const std::pair<const char*, S> decode[] = {
      {"STOP", S::end_turn},
      {"MAX_TOKENS", S::max_tokens},
      {"SAFETY", S::content_filter},
      {"RECITATION", S::content_filter},
      {"LANGUAGE", S::content_filter},
      {"BLOCKLIST", S::content_filter},
      {"PROHIBITED_CONTENT", S::content_filter},
      {"SPII", S::content_filter},
      {"IMAGE_SAFETY", S::content_filter},
      {"IMAGE_PROHIBITED_CONTENT", S::content_filter},
      {"IMAGE_RECITATION", S::content_filter},
      {"IMAGE_OTHER", S::content_filter},
      {"OTHER", S::error},
      {"MALFORMED_FUNCTION_CALL", S::error},
      {"UNEXPECTED_TOOL_CALL", S::error},
      {"TOO_MANY_TOOL_CALLS", S::error},
      {"MISSING_THOUGHT_SIGNATURE", S::error},
      {"MALFORMED_RESPONSE", S::error},
      {"NO_IMAGE", S::end_turn},
      {"FINISH_REASON_UNSPECIFIED", S::end_turn},
      {"SOMETHING_NEW", S::end_turn},
  };
  for (const auto& [wire, stop] : decode) {
    EXPECT_EQ(gm::ir_stop_reason(wire, false), stop) << wire;
    // Only a normal end becomes tool_use when calls are present.
    EXPECT_EQ(gm::ir_stop_reason(wire, true), stop == S::end_turn ? S::tool_use : stop) << wire;
  }
  const std::pair<S, const char*> encode[] = {
      {S::end_turn, "STOP"},  {S::stop_sequence, "STOP"},    {S::tool_use, "STOP"},
      {S::pause, "STOP"},     {S::max_tokens, "MAX_TOKENS"}, {S::content_filter, "SAFETY"},
      {S::refusal, "SAFETY"}, {S::error, "OTHER"},
  };
  for (const auto& [stop, wire] : encode) EXPECT_EQ(gm::wire_finish_reason(stop), wire);
}

// ======================= stream decoding =======================

std::vector<std::string> expected_stream_events() {
  return {
      R"({"kind":0,"id":"resp-42","model":"gemini-2.5-pro","usage":{"input":120,"output":0,"cache_read":0,"cache_write":0,"reasoning":0,"reported":true}})",
      R"({"kind":1,"index":0,"part_kind":5,"id":"","name":""})",
      R"({"kind":2,"index":0,"delta_kind":2,"delta":"**Planning** I need the file list"})",
      R"({"kind":2,"index":0,"delta_kind":2,"delta":" and its contents."})",
      R"({"kind":3,"index":0})",
      R"({"kind":1,"index":1,"part_kind":0,"id":"","name":""})",
      R"({"kind":2,"index":1,"delta_kind":0,"delta":"Let me "})",
      R"({"kind":2,"index":1,"delta_kind":0,"delta":"check ünïcode."})",
      R"({"kind":3,"index":1})",
      R"({"kind":1,"index":2,"part_kind":3,"id":"call_resp-42_0","name":"list_directory"})",
      R"({"kind":2,"index":2,"delta_kind":1,"delta":"{\"path\":\"/tmp\"}"})",
      R"({"kind":2,"index":2,"delta_kind":3,"delta":"c2lnLTE="})",
      R"({"kind":3,"index":2})",
      R"({"kind":1,"index":3,"part_kind":3,"id":"call_resp-42_1","name":"read_file"})",
      R"({"kind":2,"index":3,"delta_kind":1,"delta":"{\"path\":\"/tmp/a.txt\",\"limit\":10}"})",
      R"({"kind":3,"index":3})",
      R"({"kind":4,"stop":3,"usage":{"input":120,"output":90,"cache_read":100,"cache_write":0,"reasoning":50,"reported":true}})",
      R"({"kind":5})",
  };
}

TEST(GeminiStreamDecoder, RealisticStreamWhole) {
  EXPECT_EQ(dump(decode_stream({fixture("stream_tools.sse")})), expected_stream_events());
}

TEST(GeminiStreamDecoder, ByteByByteAndRandomSplitsGiveTheSameEvents) {
  std::string sse = fixture("stream_tools.sse");
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < sse.size(); ++i) bytes.push_back(std::string_view(sse).substr(i, 1));
  EXPECT_EQ(dump(decode_stream(bytes)), expected_stream_events());
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string_view> pieces;
    for (std::size_t at = 0; at < sse.size();) {
      std::size_t n = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
      pieces.push_back(std::string_view(sse).substr(at, n));
      at += n;
    }
    ASSERT_EQ(dump(decode_stream(pieces)), expected_stream_events()) << "round " << round;
  }
  // \n\n framing is the same stream.
  std::string lf;
  for (char c : sse)
    if (c != '\r') lf.push_back(c);
  EXPECT_EQ(dump(decode_stream({lf})), expected_stream_events());
}

TEST(GeminiStreamDecoder, ErrorsTruncationAndCallOnlyTurns) {
  auto events = dump(decode_stream(
      {"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]}}]}\n\n",
       "data: "
       "{\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}\n\n"}));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.back(), R"({"kind":6,"status":503,"message":"overloaded"})");

  events = dump(decode_stream(
      {"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]}}]}\n\n"}));
  EXPECT_EQ(events.back(),
            R"({"kind":6,"status":502,"message":"upstream stream ended without a finishReason"})");

  events = dump(decode_stream({""}));
  EXPECT_EQ(events,
            std::vector<std::string>{
                R"({"kind":6,"status":502,"message":"upstream stream ended without a response"})"});

  // A call-only turn without finishReason still ends as tool_use; the last
  // event arrives without its blank line (and SSE comments are skipped).
  auto raw = decode_stream(
      {": keepalive\n\ndata: "
       "{\"responseId\":\"x\",\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
       "{\"id\":\"given\",\"name\":\"f\"}}]}}]}"});
  ASSERT_EQ(raw.size(), 6u);
  EXPECT_EQ(raw[1].tool_call_id, "given");
  EXPECT_EQ(raw[2].delta, "{}");
  EXPECT_EQ(raw[4].kind, ir::EventKind::message_delta);
  EXPECT_EQ(raw[4].stop, ir::StopReason::tool_use);
  EXPECT_EQ(raw[5].kind, ir::EventKind::message_stop);

  // A finishReason without parts; empty text parts open nothing.
  events =
      dump(decode_stream({"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},"
                          "\"finishReason\":\"MAX_TOKENS\"}]}\r\n\r\n"}));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_NE(events[1].find(R"("stop":1)"), std::string::npos);
}

// ======================= stream encoding =======================

std::vector<ir::Event> ir_stream() {
  std::vector<ir::Event> v;
  ir::Event s = ev(ir::EventKind::message_start);
  s.id = "msg_1";
  s.usage.input = 10;
  v.push_back(s);
  v.push_back(start(0, ir::PartKind::thinking));
  v.push_back(delta(0, ir::DeltaKind::thinking, "Hmm"));
  v.push_back(delta(0, ir::DeltaKind::signature, "SIG"));
  v.push_back(ev(ir::EventKind::part_stop, 0));
  v.push_back(start(1, ir::PartKind::text));
  v.push_back(delta(1, ir::DeltaKind::text, "Hello"));
  v.push_back(delta(1, ir::DeltaKind::text, " world"));
  v.push_back(ev(ir::EventKind::part_stop, 1));
  v.push_back(start(2, ir::PartKind::tool_call, "toolu_1", "get_weather"));
  v.push_back(delta(2, ir::DeltaKind::arguments, "{\"city\":"));
  v.push_back(delta(2, ir::DeltaKind::arguments, "\"Paris\"}"));
  v.push_back(ev(ir::EventKind::part_stop, 2));
  v.push_back(start(3, ir::PartKind::tool_call, "toolu_2", "broken"));
  v.push_back(delta(3, ir::DeltaKind::arguments, "{\"a\":"));
  v.push_back(ev(ir::EventKind::part_stop, 3));
  ir::Event d = ev(ir::EventKind::message_delta);
  d.stop = ir::StopReason::tool_use;
  d.usage = {10, 25, 4, 0, 5, true};
  v.push_back(d);
  v.push_back(ev(ir::EventKind::message_stop));
  return v;
}

std::string chunk(const std::string& parts) {
  return R"(data: {"candidates":[{"content":{"parts":[)" + parts +
         R"(],"role":"model"},"index":0}],"modelVersion":"gemini-x","responseId":"msg_1"})" +
         "\n\n";
}

TEST(GeminiStreamEncoder, ExactChunksForTheSdk) {
  gm::StreamEncoder enc("gemini-x");
  std::string out;
  for (const auto& e : ir_stream()) enc.encode(e, out);
  EXPECT_EQ(
      out,
      chunk(R"({"text":"Hmm","thought":true})") +
          chunk(R"({"text":"","thought":true,"thoughtSignature":"SIG"})") +
          chunk(R"({"text":"Hello"})") + chunk(R"({"text":" world"})") +
          chunk(
              R"({"functionCall":{"id":"toolu_1","name":"get_weather","args":{"city":"Paris"}}})") +
          chunk(R"({"functionCall":{"id":"toolu_2","name":"broken","args":{}}})") +
          R"(data: {"candidates":[{"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,)"
          R"("candidatesTokenCount":20,"totalTokenCount":35,"cachedContentTokenCount":4,)"
          R"("thoughtsTokenCount":5},"modelVersion":"gemini-x","responseId":"msg_1"})"
          "\n\n");
}

TEST(GeminiStreamEncoder, ErrorsAndMissingEnds) {
  gm::StreamEncoder enc("g");
  std::string out;
  ir::Event s = ev(ir::EventKind::message_start);
  s.id = "r";
  enc.encode(s, out);
  enc.encode(delta(0, ir::DeltaKind::text, "partial"), out);  // no part_start: still text
  ir::Event err = ev(ir::EventKind::error);
  err.error = {429, "slow down", "", ""};
  enc.encode(err, out);
  enc.encode(ev(ir::EventKind::message_stop), out);  // nothing after an error
  EXPECT_EQ(
      out,
      std::string(
          R"(data: {"candidates":[{"content":{"parts":[{"text":"partial"}],"role":"model"},"index":0}],"modelVersion":"g","responseId":"r"})") +
          "\n\n" +
          R"(data: {"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}})" +
          "\n\n");

  // message_stop without message_delta still gives the SDK its finishReason.
  gm::StreamEncoder enc2("g");
  out.clear();
  enc2.encode(s, out);
  enc2.encode(ev(ir::EventKind::message_stop), out);
  EXPECT_EQ(
      out,
      std::string(
          R"(data: {"candidates":[{"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":0,"candidatesTokenCount":0,"totalTokenCount":0},"modelVersion":"g","responseId":"r"})") +
          "\n\n");
}

// ======================= round trips =======================

TEST(GeminiRoundTrip, StreamThroughTheWireIsUnchanged) {
  auto first = decode_stream({fixture("stream_tools.sse")});
  gm::StreamEncoder enc("gemini-2.5-pro");
  std::string wire;
  for (const auto& e : first) enc.encode(e, wire);
  auto second = decode_stream({wire});
  // The only difference: usage rides only on the last chunk we write, so the
  // message_start estimate is gone.
  first[0].usage = Usage{};
  EXPECT_EQ(dump(second), dump(first));
}

TEST(GeminiRoundTrip, IrStreamThroughGeminiKeepsPartsAndIds) {
  gm::StreamEncoder enc("gemini-x");
  std::string wire;
  for (const auto& e : ir_stream()) enc.encode(e, wire);
  auto back = decode_stream({wire});
  ASSERT_EQ(back.size(), 17u);
  EXPECT_EQ(back[1].part_kind, ir::PartKind::thinking);
  EXPECT_EQ(back[3].delta, "SIG");
  EXPECT_EQ(back[6].delta, "Hello");
  EXPECT_EQ(back[7].delta, " world");
  EXPECT_EQ(back[9].tool_call_id, "toolu_1");
  EXPECT_EQ(back[10].delta, R"({"city":"Paris"})");
  EXPECT_EQ(back[12].tool_call_id, "toolu_2");
  EXPECT_EQ(back[15].stop, ir::StopReason::tool_use);
  EXPECT_JSON_EQ(
      dump(back[15].usage),
      R"({"input":10,"output":25,"cache_read":4,"cache_write":0,"reasoning":5,"reported":true})");
}

// Many parallel calls (a client's history can hold thousands): responses
// without ids still answer the earliest unanswered call of their name, and
// results are matched to calls by id, then by name, in call order. Matching
// is indexed now; these pin the answers it gives.
TEST(GeminiDecodeRequest, ManyIdlessResponsesAnswerTheirCallsInOrder) {
  constexpr int n = 3000;
  json::array calls, responses;
  for (int i = 0; i < n; ++i) {
    const std::string name = i % 2 ? "odd" : "even";
    calls.push_back(
        json::object{{"functionCall", json::object{{"name", name}, {"args", json::object{}}}}});
  }
  // Answered in another order: all the odd calls first, then the even ones.
  for (int pass = 1; pass >= 0; --pass)
    for (int i = pass; i < n; i += 2)
      responses.push_back(
          json::object{{"functionResponse", json::object{{"name", pass ? "odd" : "even"},
                                                         {"response", json::object{{"i", i}}}}}});
  // A response no call asked for gets an id of its own.
  responses.push_back(json::object{
      {"functionResponse", json::object{{"name", "nobody"}, {"response", json::object{}}}}});
  const std::string body = json::serialize(json::object{
      {"contents", json::array{json::object{{"role", "user"},
                                            {"parts", json::array{json::object{{"text", "go"}}}}},
                               json::object{{"role", "model"}, {"parts", calls}},
                               json::object{{"role", "user"}, {"parts", responses}}}}});
  ir::Request r;
  ASSERT_FALSE(gm::decode_request(body, "gemini-2.5-pro", false, r));
  ASSERT_EQ(r.messages.size(), 3u);
  const auto& answered = r.messages[2].parts;
  ASSERT_EQ(answered.size(), static_cast<std::size_t>(n + 1));
  std::size_t k = 0;
  for (int pass = 1; pass >= 0; --pass)
    for (int i = pass; i < n; i += 2, ++k)
      ASSERT_EQ(answered[k].tool_call_id, r.messages[1].parts[i].tool_call_id) << i;
  EXPECT_EQ(answered.back().tool_call_id, "call_" + std::to_string(n));
}

TEST(GeminiEncodeRequest, ManyResultsAreMatchedByIdThenByNameInCallOrder) {
  constexpr int n = 2000;
  ir::Request r;
  r.model = "gemini-2.5-pro";
  std::vector<ir::Part> calls, results;
  for (int i = 0; i < n; ++i) calls.push_back(tool_call("c" + std::to_string(i), "f", "{}"));
  // Results in reverse order; every tenth has a foreign id and so is matched by name.
  for (int i = n - 1; i >= 0; --i) {
    ir::Part res = tool_result(i % 10 ? "c" + std::to_string(i) : "other-" + std::to_string(i),
                               std::to_string(i));
    res.tool_name = "f";
    results.push_back(std::move(res));
  }
  r.messages.push_back(message(ir::Role::user, {ir::Part::make_text("go")}));
  r.messages.push_back(message(ir::Role::assistant, calls));
  r.messages.push_back(message(ir::Role::user, results));
  const json::value body = json::parse(gm::encode_request(r));
  const json::array& parts = body.at("contents").at(2).at("parts").as_array();
  ASSERT_EQ(parts.size(), static_cast<std::size_t>(n));
  // By-name results go to the id-less-matched calls in call order: the
  // earliest foreign-id result (the highest i, listed first) to call c0.
  std::vector<int> by_name;
  for (int i = n - 1; i >= 0; --i)
    if (i % 10 == 0) by_name.push_back(i);
  std::size_t next_by_name = 0;
  for (int i = 0; i < n; ++i) {
    const json::object& fr = parts[i].at("functionResponse").as_object();
    EXPECT_EQ(fr.at("id").as_string(), "c" + std::to_string(i));
    const int answer = std::stoi(std::string(fr.at("response").at("result").as_string()));
    if (i % 10)
      EXPECT_EQ(answer, i);
    else
      EXPECT_EQ(answer, by_name[next_by_name++]) << i;
  }
}

}  // namespace
}  // namespace aiohub
