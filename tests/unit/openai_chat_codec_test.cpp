// The Chat Completions codec against fixtures written from the documented wire
// format (docs/protocols/openai-chat.md) and the pitfalls of docs/protocols/README.md.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "codec_test_support.hpp"
#include "protocols/openai_chat/codec.hpp"

using namespace aiohub;
namespace json = boost::json;
namespace chat = aiohub::openai_chat;

namespace {

using codec_test::delta_name;
using codec_test::kind_name;
std::string fixture(const std::string& name) {
  return codec_test::read_fixture("openai_chat", name);
}

const char* stop_name(ir::StopReason s) {
  switch (s) {
    case ir::StopReason::end_turn:
      return "end_turn";
    case ir::StopReason::max_tokens:
      return "max_tokens";
    case ir::StopReason::stop_sequence:
      return "stop_sequence";
    case ir::StopReason::tool_use:
      return "tool_use";
    case ir::StopReason::content_filter:
      return "content_filter";
    case ir::StopReason::pause:
      return "pause";
    case ir::StopReason::refusal:
      return "refusal";
    case ir::StopReason::error:
      return "error";
  }
  return "?";
}

// One line per IR event, so that sequences compare readably.
std::string describe(const ir::Event& e) {
  switch (e.kind) {
    case ir::EventKind::message_start:
      return "message_start " + e.id + " " + e.model;
    case ir::EventKind::part_start:
      return "part_start " + std::to_string(e.index) + " " + kind_name(e.part_kind) +
             (e.part_kind == ir::PartKind::tool_call ? " " + e.tool_call_id + " " + e.tool_name
                                                     : "");
    case ir::EventKind::part_delta:
      return "part_delta " + std::to_string(e.index) + " " + delta_name(e.delta_kind) + " " +
             e.delta;
    case ir::EventKind::part_stop:
      return "part_stop " + std::to_string(e.index);
    case ir::EventKind::message_delta:
      return std::string("message_delta ") + (e.stop ? stop_name(*e.stop) : "none") +
             " in=" + std::to_string(e.usage.input) + " out=" + std::to_string(e.usage.output) +
             " cached=" + std::to_string(e.usage.cache_read) +
             " reasoning=" + std::to_string(e.usage.reasoning) +
             (e.usage.reported ? "" : " unreported");
    case ir::EventKind::message_stop:
      return "message_stop";
    case ir::EventKind::error:
      return "error " + std::to_string(e.error.status) + " " + e.error.message;
  }
  return "?";
}

std::vector<std::string> describe(const std::vector<ir::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

// Feeds `bytes` cut at the given offsets.
std::vector<std::string> decode_split(std::string_view bytes, std::vector<std::size_t> cuts) {
  chat::StreamDecoder dec;
  std::vector<ir::Event> events;
  std::size_t at = 0;
  for (auto cut : cuts) {
    dec.feed(bytes.substr(at, cut - at), events);
    at = cut;
  }
  dec.feed(bytes.substr(at), events);
  dec.finish(events);
  return describe(events);
}

std::vector<std::string> decode_whole(std::string_view bytes) {
  return decode_split(bytes, {});
}

std::vector<ir::Event> decode_events(std::string_view bytes) {
  chat::StreamDecoder dec;
  std::vector<ir::Event> events;
  dec.feed(bytes, events);
  dec.finish(events);
  return events;
}

// `created` is the clock; everything else in encoder output is fixed.
std::string without_created(std::string s) {
  return std::regex_replace(s, std::regex(R"("created":\d+)"), R"("created":0)");
}

ir::Part tool_call(std::string id, std::string name, std::string args) {
  ir::Part p;
  p.kind = ir::PartKind::tool_call;
  p.tool_call_id = std::move(id);
  p.tool_name = std::move(name);
  p.arguments = std::move(args);
  return p;
}

ir::Part image_b64(std::string mime, std::string data) {
  ir::Part p;
  p.kind = ir::PartKind::image;
  p.mime_type = std::move(mime);
  p.data = std::move(data);
  return p;
}

ir::Part tool_result(std::string id, std::vector<ir::Part> content) {
  ir::Part p;
  p.kind = ir::PartKind::tool_result;
  p.tool_call_id = std::move(id);
  p.content = std::move(content);
  return p;
}

ir::Part thinking(std::string text) {
  ir::Part p;
  p.kind = ir::PartKind::thinking;
  p.text = std::move(text);
  return p;
}

ir::Event ev(ir::EventKind kind) {
  ir::Event e;
  e.kind = kind;
  return e;
}

}  // namespace

// ---------------------------------------------------------------- requests in

TEST(OpenAiChatCodec, DecodesEveryMessageKind) {
  ir::Request r;
  chat::ClientOptions client;
  ASSERT_FALSE(chat::decode_request(fixture("request_all_kinds.json"), r, client));
  EXPECT_EQ(r.model, "gpt-4.1");
  ASSERT_EQ(r.system.size(), 2u);
  EXPECT_EQ(r.system[0].text, "You are terse.");
  EXPECT_EQ(r.system[1].text, "Use tools when useful.");

  ASSERT_EQ(r.messages.size(), 6u);
  const auto& user = r.messages[0];
  EXPECT_EQ(user.role, ir::Role::user);
  ASSERT_EQ(user.parts.size(), 4u);
  EXPECT_EQ(user.parts[0].text, "What is in this picture, and the PDF?");
  EXPECT_EQ(user.parts[1].kind, ir::PartKind::image);
  EXPECT_EQ(user.parts[1].mime_type, "image/png");
  EXPECT_EQ(user.parts[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(user.parts[2].kind, ir::PartKind::image);
  EXPECT_EQ(user.parts[2].url, "https://example.com/cat.jpg");
  EXPECT_TRUE(user.parts[2].data.empty());
  EXPECT_EQ(user.parts[3].kind, ir::PartKind::document);
  EXPECT_EQ(user.parts[3].mime_type, "application/pdf");
  EXPECT_EQ(user.parts[3].data, "JVBERi0xLjQ=");

  const auto& calls = r.messages[1];
  EXPECT_EQ(calls.role, ir::Role::assistant);
  ASSERT_EQ(calls.parts.size(), 3u);  // null content: docs/protocols/README.md#pitfall-10
  EXPECT_EQ(calls.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(calls.parts[0].text, "Need the weather in two cities.");
  EXPECT_EQ(calls.parts[1].kind, ir::PartKind::tool_call);
  EXPECT_EQ(calls.parts[1].tool_call_id, "call_a");
  EXPECT_EQ(calls.parts[1].tool_name, "get_weather");
  EXPECT_EQ(calls.parts[1].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(calls.parts[2].tool_call_id, "call_b");

  // Both tool messages merged into one user message.
  const auto& results = r.messages[2];
  EXPECT_EQ(results.role, ir::Role::user);
  ASSERT_EQ(results.parts.size(), 2u);
  EXPECT_EQ(results.parts[0].kind, ir::PartKind::tool_result);
  EXPECT_EQ(results.parts[0].tool_call_id, "call_a");
  ASSERT_EQ(results.parts[0].content.size(), 1u);
  EXPECT_EQ(results.parts[0].content[0].text, "18C, cloudy");
  EXPECT_EQ(results.parts[1].tool_call_id, "call_b");
  EXPECT_EQ(results.parts[1].content[0].text, "24C, sunny");

  // A system message mid-conversation stays in place.
  EXPECT_EQ(r.messages[3].role, ir::Role::system);
  EXPECT_EQ(r.messages[3].parts[0].text, "Answer in French from now on.");
  EXPECT_EQ(r.messages[4].role, ir::Role::assistant);
  EXPECT_EQ(r.messages[4].parts[0].text, "Paris: 18C. Rome: 24C.");
  EXPECT_EQ(r.messages[5].parts[0].text, "Merci");

  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].name, "get_weather");
  EXPECT_EQ(r.tools[0].description, "Weather for a city");
  EXPECT_EQ(r.tools[0].schema.at("required").at(0), "city");
  EXPECT_EQ(r.tools[1].name, "apply_patch");
  EXPECT_EQ(r.tools[1].schema,
            json::parse(R"({"type":"object","properties":{"input":{"type":"string"}},
                                              "required":["input"]})"));
  EXPECT_EQ(r.tool_choice.mode, ir::ToolChoice::Mode::specific);
  EXPECT_EQ(r.tool_choice.name, "get_weather");
  EXPECT_EQ(r.parallel_tool_calls, false);
  EXPECT_EQ(r.max_tokens, 1000);  // max_completion_tokens wins over max_tokens
  EXPECT_EQ(r.temperature, 0.2);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"END", "STOP"}));
  EXPECT_EQ(r.reasoning.effort, "low");
  EXPECT_EQ(r.response_format.kind, ir::ResponseFormat::Kind::json_schema);
  EXPECT_EQ(r.response_format.name, "answer");
  EXPECT_TRUE(r.response_format.strict);
  EXPECT_EQ(r.response_format.schema.at("type"), "object");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(client.include_usage);
  EXPECT_EQ(r.user, "user-42");
}

TEST(OpenAiChatCodec, DecodesSmallerRequestVariants) {
  ir::Request r;
  ASSERT_FALSE(chat::decode_request(R"({"model":"m","max_tokens":77,"stop":"\n\n",
    "tool_choice":"required","response_format":{"type":"json_object"},
    "messages":[{"role":"user","content":"hi"},
      {"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}],
       "reasoning":"openrouter style"},
      {"role":"tool","tool_call_id":"c1","content":"r1"},
      {"role":"user","content":"next"},
      {"role":"tool","tool_call_id":"c2","content":"r2"}]})",
                                    r));
  EXPECT_EQ(r.max_tokens, 77);
  EXPECT_EQ(r.stop, std::vector<std::string>{"\n\n"});
  EXPECT_EQ(r.tool_choice.mode, ir::ToolChoice::Mode::required);
  EXPECT_EQ(r.response_format.kind, ir::ResponseFormat::Kind::json_object);
  EXPECT_TRUE(r.system.empty());
  EXPECT_FALSE(r.stream);
  ASSERT_EQ(r.messages.size(), 5u);
  ASSERT_EQ(r.messages[1].parts.size(), 3u);
  EXPECT_EQ(r.messages[1].parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(r.messages[1].parts[0].text, "openrouter style");
  EXPECT_EQ(r.messages[1].parts[2].text, "no");
  // Tool messages only merge when consecutive.
  EXPECT_EQ(r.messages[2].parts.size(), 1u);
  EXPECT_EQ(r.messages[4].parts[0].tool_call_id, "c2");
}

TEST(OpenAiChatCodec, RejectsMalformedRequestsNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {"{not json", "JSON"},
      {"[]", "object"},
      {R"({"messages":[{"role":"user","content":"x"}]})", "'model'"},
      {R"({"model":"m"})", "'messages'"},
      {R"({"model":"m","messages":[]})", "'messages'"},
      {R"({"model":"m","messages":[{"role":"wizard","content":"x"}]})", "'messages[0].role'"},
      {R"({"model":"m","messages":[{"role":"user"}]})", "'messages[0].content'"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})",
       "'messages[0].content[0].image_url.url'"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]})",
       "'messages[0].content[0].file.file_data'"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]})",
       "'messages[0].content[0].type'"},
      {R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "'messages[0].tool_call_id'"},
      {R"({"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]}]})",
       "'messages[0].content[0]'"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f"}}]}]})",
       "'messages[0].tool_calls[0].id'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]})",
       "'tools[0].type'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{}}]})",
       "'tools[0].function.name'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"})",
       "'tool_choice'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":5})", "'stop'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
       "'temperature'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})",
       "'max_tokens'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":3})", "'n'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})", "'stream'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})",
       "'response_format.type'"},
  };
  for (const auto& c : cases) {
    ir::Request r;
    auto err = chat::decode_request(c.body, r);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->status, 400) << c.body;
    EXPECT_NE(err->message.find(c.field), std::string::npos) << c.body << " -> " << err->message;
  }
}

// -------------------------------------------------------------- requests out

TEST(OpenAiChatCodec, EncodesRequestsWithTheOrderingPitfalls) {
  ir::Request r;
  r.model = "gpt-4o-upstream";
  r.system = {ir::Part::make_text("Be kind."), ir::Part::make_text("Be brief.")};
  r.messages.push_back({ir::Role::user, {ir::Part::make_text("Weather?")}});
  r.messages.push_back({ir::Role::assistant,
                        {thinking("Two cities."), tool_call("toolu_1", "weather", R"({"c":"P"})"),
                         tool_call("toolu_2", "weather", "")}});
  // Anthropic-style turn: results (one with a screenshot) then more text.
  r.messages.push_back(
      {ir::Role::user,
       {tool_result("toolu_1", {ir::Part::make_text("rain"), image_b64("image/jpeg", "AAA=")}),
        tool_result("toolu_2", {ir::Part::make_text("sun")}), ir::Part::make_text("Summarize.")}});
  r.messages.push_back({ir::Role::system, {ir::Part::make_text("Now in French.")}});
  r.messages.push_back({ir::Role::assistant, {thinking("only thoughts")}});
  r.messages.push_back(
      {ir::Role::assistant, {ir::Part::make_text("Pluie"), ir::Part::make_text("Soleil")}});
  r.tools.push_back({"weather", "Weather", json::parse(R"({"type":"object"})")});
  r.tool_choice.mode = ir::ToolChoice::Mode::required;
  r.parallel_tool_calls = true;
  r.max_tokens = 512;
  r.temperature = 0.5;
  r.top_k = 40;  // Chat has no top_k
  r.stop = {"a", "b", "c", "d", "e"};
  r.reasoning.budget_tokens = 5000;
  r.response_format.kind = ir::ResponseFormat::Kind::json_object;
  r.stream = true;
  r.user = "u1";

  auto expected = json::parse(R"({
    "model": "gpt-4o-upstream",
    "messages": [
      {"role": "system", "content": "Be kind.\n\nBe brief."},
      {"role": "user", "content": "Weather?"},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "toolu_1", "type": "function", "function": {"name": "weather", "arguments": "{\"c\":\"P\"}"}},
        {"id": "toolu_2", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "toolu_1", "content": "rain"},
      {"role": "tool", "tool_call_id": "toolu_2", "content": "sun"},
      {"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAA="}},
        {"type": "text", "text": "Summarize."}]},
      {"role": "system", "content": "Now in French."},
      {"role": "assistant", "content": "Pluie\n\nSoleil"}
    ],
    "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather",
               "parameters": {"type": "object"}}}],
    "parallel_tool_calls": true,
    "tool_choice": "required",
    "max_completion_tokens": 512,
    "temperature": 0.5,
    "stop": ["a", "b", "c", "d"],
    "reasoning_effort": "medium",
    "response_format": {"type": "json_object"},
    "user": "u1",
    "stream": true,
    "stream_options": {"include_usage": true}
  })");
  EXPECT_EQ(json::parse(chat::encode_request(r)), expected) << chat::encode_request(r);
}

TEST(OpenAiChatCodec, EncodesReasoningBudgetsAsEfforts) {
  auto effort_for = [](ir::Reasoning reasoning) {
    ir::Request r;
    r.model = "o3";
    r.messages.push_back({ir::Role::user, {ir::Part::make_text("x")}});
    r.reasoning = reasoning;
    auto body = json::parse(chat::encode_request(r)).as_object();
    auto* e = body.if_contains("reasoning_effort");
    return e ? std::string(e->as_string()) : std::string("(none)");
  };
  EXPECT_EQ(effort_for({std::nullopt, 1024, false}), "low");
  EXPECT_EQ(effort_for({std::nullopt, 1025, false}), "medium");
  EXPECT_EQ(effort_for({std::nullopt, 8192, false}), "medium");
  EXPECT_EQ(effort_for({std::nullopt, 8193, false}), "high");
  EXPECT_EQ(effort_for({"minimal", 32000, false}), "minimal");
  EXPECT_EQ(effort_for({std::nullopt, std::nullopt, true}), "(none)");
  EXPECT_EQ(effort_for({}), "(none)");
}

TEST(OpenAiChatCodec, EncodesOptionalFieldsOnlyWhenSet) {
  ir::Request r;
  r.model = "m";
  r.parallel_tool_calls = false;  // OpenAI rejects it without tools
  r.messages.push_back({ir::Role::user, {ir::Part::make_text("a"), ir::Part::make_text("b")}});
  r.tool_choice.mode = ir::ToolChoice::Mode::specific;
  r.tool_choice.name = "f";
  r.response_format.kind = ir::ResponseFormat::Kind::json_schema;
  r.response_format.schema = json::parse(R"({"type":"object"})");
  EXPECT_EQ(json::parse(chat::encode_request(r)), json::parse(R"({"model":"m",
    "messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
    "tool_choice":{"type":"function","function":{"name":"f"}},
    "response_format":{"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"}}}})"));
}

// ---------------------------------------------------------------- responses

TEST(OpenAiChatCodec, DecodesResponses) {
  ir::Response r;
  ASSERT_FALSE(chat::decode_response(fixture("response_tool_calls.json"), r));
  EXPECT_EQ(r.id, "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
  EXPECT_EQ(r.model, "gpt-4o-2024-08-06");
  ASSERT_EQ(r.parts.size(), 4u);
  EXPECT_EQ(r.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(r.parts[0].text, "The user wants two forecasts.");
  EXPECT_EQ(r.parts[1].text, "Checking both cities.");
  EXPECT_EQ(r.parts[2].tool_call_id, "call_paris");
  EXPECT_EQ(r.parts[3].arguments, R"({"city":"Rome"})");
  EXPECT_EQ(r.stop, ir::StopReason::tool_use);
  EXPECT_TRUE(r.usage.reported);
  EXPECT_EQ(r.usage.input, 1117);  // cached tokens included
  EXPECT_EQ(r.usage.output, 46);   // reasoning included
  EXPECT_EQ(r.usage.cache_read, 1024);
  EXPECT_EQ(r.usage.reasoning, 12);
}

TEST(OpenAiChatCodec, DecodesResponseEdgeCases) {
  ir::Response r;
  // "stop" with tool calls is a tool use (docs/protocols/README.md#pitfall-15); ids get
  // synthesized.
  ASSERT_FALSE(chat::decode_response(R"({"id":"x","choices":[{"index":0,"finish_reason":"stop",
    "message":{"role":"assistant","content":null,"tool_calls":[{"type":"function",
    "function":{"name":"f","arguments":""}}]}}],"usage":{"prompt_tokens":5,"completion_tokens":1,
    "prompt_tokens_details":{"cached_tokens":2,"cache_write_tokens":3}}})",
                                     r));
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_TRUE(r.parts[0].tool_call_id.starts_with("call_"));
  EXPECT_EQ(r.parts[0].arguments, "{}");
  EXPECT_EQ(r.stop, ir::StopReason::tool_use);
  EXPECT_EQ(r.usage.cache_write, 3);

  ir::Response refused;
  ASSERT_FALSE(chat::decode_response(R"({"choices":[{"finish_reason":"stop",
    "message":{"role":"assistant","content":null,"refusal":"I can't help with that."}}]})",
                                     refused));
  EXPECT_EQ(refused.stop, ir::StopReason::refusal);
  EXPECT_EQ(refused.parts.at(0).text, "I can't help with that.");
  EXPECT_FALSE(refused.usage.reported);

  ir::Response none;
  auto err = chat::decode_response(R"({"choices":[]})", none);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 502);
  err = chat::decode_response("<html>", none);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 502);
  err = chat::decode_response(R"({"error":{"message":"overloaded","type":"server_error"}})", none);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "overloaded");
}

TEST(OpenAiChatCodec, EncodesResponses) {
  ir::Response r;
  r.id = "msg_01";
  r.parts = {thinking("hmm"), ir::Part::make_text("Hello "), ir::Part::make_text("there")};
  r.stop = ir::StopReason::max_tokens;
  r.usage = {100, 20, 60, 0, 5, true};
  EXPECT_EQ(json::parse(without_created(chat::encode_response(r, "my-model"))), json::parse(R"({
    "id": "chatcmpl-msg_01", "object": "chat.completion", "created": 0, "model": "my-model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there",
      "refusal": null, "reasoning_content": "hmm"}, "logprobs": null, "finish_reason": "length"}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
      "prompt_tokens_details": {"cached_tokens": 60},
      "completion_tokens_details": {"reasoning_tokens": 5}}})"));

  ir::Response calls;
  calls.id = "chatcmpl-abc";
  calls.parts = {tool_call("call_1", "f", R"({"a":1})")};
  calls.stop = ir::StopReason::end_turn;  // e.g. from Gemini STOP + functionCall
  EXPECT_EQ(json::parse(without_created(chat::encode_response(calls, "m"))), json::parse(R"({
    "id": "chatcmpl-abc", "object": "chat.completion", "created": 0, "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "refusal": null,
      "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
      "logprobs": null, "finish_reason": "tool_calls"}],
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0,
      "prompt_tokens_details": {"cached_tokens": 0},
      "completion_tokens_details": {"reasoning_tokens": 0}}})"));
}

TEST(OpenAiChatCodec, ResponseRoundTrip) {
  ir::Response first;
  ASSERT_FALSE(chat::decode_response(fixture("response_tool_calls.json"), first));
  ir::Response second;
  ASSERT_FALSE(chat::decode_response(chat::encode_response(first, "gpt-4o-2024-08-06"), second));
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.model, first.model);
  ASSERT_EQ(second.parts.size(), first.parts.size());
  for (std::size_t i = 0; i < first.parts.size(); ++i) {
    EXPECT_EQ(second.parts[i].kind, first.parts[i].kind);
    EXPECT_EQ(second.parts[i].text, first.parts[i].text);
    EXPECT_EQ(second.parts[i].tool_call_id, first.parts[i].tool_call_id);
    EXPECT_EQ(second.parts[i].arguments, first.parts[i].arguments);
  }
  EXPECT_EQ(second.stop, first.stop);
  EXPECT_EQ(second.usage.input, first.usage.input);
  EXPECT_EQ(second.usage.cache_read, first.usage.cache_read);
  EXPECT_EQ(second.usage.reasoning, first.usage.reasoning);
}

TEST(OpenAiChatCodec, RequestRoundTrip) {
  ir::Request first;
  ASSERT_FALSE(chat::decode_request(fixture("request_all_kinds.json"), first));
  first.system = {ir::Part::make_text("You are terse.\n\nUse tools when useful.")};
  ir::Request second;
  ASSERT_FALSE(chat::decode_request(chat::encode_request(first), second));
  EXPECT_EQ(second.model, first.model);
  ASSERT_EQ(second.system.size(), 1u);
  EXPECT_EQ(second.system[0].text, first.system[0].text);
  ASSERT_EQ(second.messages.size(), first.messages.size());
  for (std::size_t m = 0; m < first.messages.size(); ++m) {
    const auto& a = first.messages[m];
    const auto& b = second.messages[m];
    EXPECT_EQ(b.role, a.role) << m;
    // Thinking cannot travel in a Chat request.
    std::vector<const ir::Part*> expected;
    for (const auto& p : a.parts)
      if (p.kind != ir::PartKind::thinking) expected.push_back(&p);
    ASSERT_EQ(b.parts.size(), expected.size()) << m;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(b.parts[i].kind, expected[i]->kind);
      EXPECT_EQ(b.parts[i].text, expected[i]->text);
      EXPECT_EQ(b.parts[i].data, expected[i]->data);
      EXPECT_EQ(b.parts[i].url, expected[i]->url);
      EXPECT_EQ(b.parts[i].mime_type, expected[i]->mime_type);
      EXPECT_EQ(b.parts[i].tool_call_id, expected[i]->tool_call_id);
      EXPECT_EQ(b.parts[i].arguments, expected[i]->arguments);
      EXPECT_EQ(b.parts[i].content.size(), expected[i]->content.size());
    }
  }
  EXPECT_EQ(second.tools.size(), 2u);
  EXPECT_EQ(second.tools[1].schema, first.tools[1].schema);
  EXPECT_EQ(second.tool_choice.name, "get_weather");
  EXPECT_EQ(second.max_tokens, 1000);
  EXPECT_EQ(second.stop, first.stop);
  EXPECT_EQ(second.reasoning.effort, "low");
  EXPECT_EQ(second.response_format.name, "answer");
  EXPECT_EQ(second.response_format.schema, first.response_format.schema);
  EXPECT_TRUE(second.stream);
}

// ------------------------------------------------------------- stop reasons

TEST(OpenAiChatCodec, FinishReasonTable) {
  using S = ir::StopReason;
  const std::pair<S, const char*> out[] = {
      {S::end_turn, "stop"},
      {S::stop_sequence, "stop"},
      {S::max_tokens, "length"},
      {S::tool_use, "tool_calls"},
      {S::content_filter, "content_filter"},
      {S::refusal, "content_filter"},
      {S::pause, "stop"},
      {S::error, "stop"},
  };
  for (auto [stop, reason] : out)
    EXPECT_EQ(chat::finish_reason_for(stop), reason) << stop_name(stop);

  struct In {
    const char* reason;
    bool tools;
    S stop;
  };
  const In in[] = {
      {"stop", false, S::end_turn},
      {"stop", true, S::tool_use},
      {"length", false, S::max_tokens},
      {"length", true, S::max_tokens},
      {"tool_calls", true, S::tool_use},
      {"tool_calls", false, S::tool_use},
      {"function_call", true, S::tool_use},
      {"content_filter", false, S::content_filter},
      {"", false, S::end_turn},
      {"eos", false, S::end_turn},
      {"", true, S::tool_use},
  };
  for (const auto& c : in)
    EXPECT_EQ(chat::stop_for(c.reason, c.tools), c.stop) << c.reason << " " << c.tools;
}

// ---------------------------------------------------------- stream decoding

const std::vector<std::string> kTextToolsEvents = {
    "message_start chatcmpl-123 gpt-4o",
    "part_start 0 text",
    "part_delta 0 text Let me ",
    "part_delta 0 text check. ✓",
    "part_stop 0",
    "part_start 1 tool_call call_paris get_weather",
    "part_delta 1 arguments {\"ci",
    "part_delta 1 arguments ty\": \"Pa",
    "part_delta 1 arguments ris\"}",
    "part_stop 1",
    "part_start 2 tool_call call_rome get_weather",
    "part_delta 2 arguments {\"city\"",
    "part_delta 2 arguments : \"Rome\"}",
    "part_stop 2",
    "message_delta tool_use in=1117 out=46 cached=1024 reasoning=0",
    "message_stop",
};

TEST(OpenAiChatCodec, DecodesARealisticStream) {
  EXPECT_EQ(decode_whole(fixture("stream_text_tools.sse")), kTextToolsEvents);
}

TEST(OpenAiChatCodec, StreamDecodingIgnoresByteSplits) {
  std::string bytes = fixture("stream_text_tools.sse");
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  EXPECT_EQ(decode_split(bytes, every), kTextToolsEvents);

  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    std::size_t at = 0;
    while (true) {
      at += std::uniform_int_distribution<std::size_t>(1, 64)(rng);
      if (at >= bytes.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(decode_split(bytes, cuts), kTextToolsEvents) << "round " << round;
  }

  // CRLF framing is the same stream.
  std::string crlf = std::regex_replace(bytes, std::regex("\n"), "\r\n");
  EXPECT_EQ(decode_whole(crlf), kTextToolsEvents);
}

TEST(OpenAiChatCodec, DecodesReasoningStreams) {
  EXPECT_EQ(decode_whole(fixture("stream_reasoning.sse")),
            (std::vector<std::string>{
                "message_start a1b2 deepseek-reasoner",
                "part_start 0 thinking",
                "part_delta 0 thinking Two plus ",
                "part_delta 0 thinking two.",
                "part_stop 0",
                "part_start 1 text",
                "part_delta 1 text 4",
                "part_stop 1",
                "message_delta max_tokens in=10 out=20 cached=0 reasoning=15",
                "message_stop",
            }));
  // OpenRouter's field name, and both fields carrying the same text.
  EXPECT_EQ(
      decode_whole("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"r\","
                   "\"reasoning_content\":\"r\"}}]}\n\n"
                   "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"s\"}}]}\n\n"
                   "data: [DONE]\n\n"),
      (std::vector<std::string>{"message_start  ", "part_start 0 thinking",
                                "part_delta 0 thinking r", "part_delta 0 thinking s", "part_stop 0",
                                "message_delta end_turn in=0 out=0 cached=0 "
                                "reasoning=0 unreported",
                                "message_stop"}));
}

TEST(OpenAiChatCodec, StreamSynthesizesMissingToolIdsAndIndices) {
  auto events = decode_events(
      "data: "
      "{\"id\":\"g\",\"model\":\"gemini\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
      "[{\"function\":{\"name\":\"a\",\"arguments\":\"{}\"}},"
      "{\"id\":\"x2\",\"function\":{\"name\":\"b\",\"arguments\":\"{\\\"k\\\":1}\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n");
  auto lines = describe(events);
  ASSERT_EQ(lines.size(), 9u) << ::testing::PrintToString(lines);
  EXPECT_EQ(events[1].kind, ir::EventKind::part_start);
  EXPECT_TRUE(events[1].tool_call_id.starts_with("call_"));
  EXPECT_GT(events[1].tool_call_id.size(), 10u);
  EXPECT_EQ(events[1].tool_name, "a");
  EXPECT_EQ(lines[2], "part_delta 0 arguments {}");
  EXPECT_EQ(lines[4], "part_start 1 tool_call x2 b");
  EXPECT_EQ(lines[5], "part_delta 1 arguments {\"k\":1}");
  // "stop" with tool calls means tool use (docs/protocols/README.md#pitfall-15).
  EXPECT_EQ(lines[7], "message_delta tool_use in=0 out=0 cached=0 reasoning=0 unreported");
}

TEST(OpenAiChatCodec, StreamErrorsAndEndings) {
  // A mid-stream error ends the stream as an error event.
  EXPECT_EQ(
      decode_whole("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":"
                   "{\"content\":\"Hi\"}}]}\n\n"
                   "data: {\"error\":{\"message\":\"Rate limited\",\"type\":\"rate_limit_error\","
                   "\"code\":429}}\n\n"
                   "data: [DONE]\n\n"),
      (std::vector<std::string>{"message_start c m", "part_start 0 text", "part_delta 0 text Hi",
                                "error 429 Rate limited"}));
  // No [DONE], but a finish_reason: complete.
  EXPECT_EQ(decode_whole("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
                         "\"finish_reason\":\"content_filter\"}]}"),
            (std::vector<std::string>{"message_start  ", "part_start 0 text", "part_delta 0 text a",
                                      "part_stop 0",
                                      "message_delta content_filter in=0 out=0 cached=0 "
                                      "reasoning=0 unreported",
                                      "message_stop"}));
  // Cut off mid-answer: not a whole answer.
  auto cut = decode_whole("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
  ASSERT_EQ(cut.size(), 4u);
  EXPECT_TRUE(cut.back().starts_with("error 502")) << cut.back();
  EXPECT_EQ(decode_whole(""),
            (std::vector<std::string>{"message_start  ",
                                      "error 502 upstream closed the stream without an answer"}));
  // Other choices, comments and refusals.
  EXPECT_EQ(
      decode_whole(": keep-alive\n\n"
                   "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}},"
                   "{\"index\":0,\"delta\":{\"refusal\":\"No.\"}}]}\n\n"
                   "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                   "data: [DONE]\n\n"),
      (std::vector<std::string>{"message_start  ", "part_start 0 text", "part_delta 0 text No.",
                                "part_stop 0",
                                "message_delta refusal in=0 out=0 cached=0 reasoning=0 "
                                "unreported",
                                "message_stop"}));
}

// ---------------------------------------------------------- stream encoding

std::vector<ir::Event> sample_events() {
  std::vector<ir::Event> events;
  auto start = ev(ir::EventKind::message_start);
  start.id = "msg_1";
  start.model = "claude-x";
  events.push_back(start);
  auto part = [&](int index, ir::PartKind kind, std::string id = {}, std::string name = {}) {
    auto e = ev(ir::EventKind::part_start);
    e.index = index;
    e.part_kind = kind;
    e.tool_call_id = std::move(id);
    e.tool_name = std::move(name);
    events.push_back(e);
  };
  auto delta = [&](int index, ir::DeltaKind kind, std::string text) {
    auto e = ev(ir::EventKind::part_delta);
    e.index = index;
    e.delta_kind = kind;
    e.delta = std::move(text);
    events.push_back(e);
  };
  auto stop = [&](int index) {
    auto e = ev(ir::EventKind::part_stop);
    e.index = index;
    events.push_back(e);
  };
  part(0, ir::PartKind::thinking);
  delta(0, ir::DeltaKind::thinking, "Hmm.");
  delta(0, ir::DeltaKind::signature, "sig");
  stop(0);
  part(1, ir::PartKind::text);
  delta(1, ir::DeltaKind::text, "Hi");
  stop(1);
  part(2, ir::PartKind::tool_call, "toolu_a", "f");
  delta(2, ir::DeltaKind::arguments, "{\"x\":");
  delta(2, ir::DeltaKind::arguments, "1}");
  stop(2);
  part(3, ir::PartKind::tool_call, "toolu_b", "g");
  delta(3, ir::DeltaKind::arguments, "{}");
  stop(3);
  auto md = ev(ir::EventKind::message_delta);
  md.stop = ir::StopReason::tool_use;
  md.usage = {30, 7, 10, 0, 2, true};
  events.push_back(md);
  events.push_back(ev(ir::EventKind::message_stop));
  return events;
}

std::string encode_all(const std::vector<ir::Event>& events, bool include_usage) {
  chat::StreamEncoder enc("client-model", include_usage);
  std::string out;
  for (const auto& e : events) enc.encode(e, out);
  return out;
}

TEST(OpenAiChatCodec, EncodesStreamsAsTheSdkAccumulatesThem) {
  const std::string head =
      R"(data: {"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":0,"model":"client-model","choices":[{"index":0,"delta":)";
  // With include_usage, OpenAI puts "usage":null on every chunk but the last.
  auto chunks = [&](bool include_usage) {
    auto line = [&](std::string delta, std::string finish = "null") {
      return head + delta + R"(,"finish_reason":)" + finish +
             (include_usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
    };
    return line(R"({"role":"assistant","content":""})") + line(R"({"reasoning_content":"Hmm."})") +
           line(R"({"content":"Hi"})") +
           line(
               R"({"tool_calls":[{"index":0,"id":"toolu_a","type":"function","function":{"name":"f","arguments":""}}]})") +
           line(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":"}}]})") +
           line(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})") +
           line(
               R"({"tool_calls":[{"index":1,"id":"toolu_b","type":"function","function":{"name":"g","arguments":""}}]})") +
           line(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})") +
           line("{}", R"("tool_calls")");
  };
  std::string usage =
      R"(data: {"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":0,"model":"client-model","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":7,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":10},"completion_tokens_details":{"reasoning_tokens":2}}})"
      "\n\n";
  std::string done = "data: [DONE]\n\n";
  EXPECT_EQ(without_created(encode_all(sample_events(), true)), chunks(true) + usage + done);
  EXPECT_EQ(without_created(encode_all(sample_events(), false)), chunks(false) + done);
}

TEST(OpenAiChatCodec, EncodesStreamErrorsAndEndsThere) {
  std::vector<ir::Event> events = {ev(ir::EventKind::message_start)};
  auto err = ev(ir::EventKind::error);
  err.error = ApiError{429, "slow down", "rate_limit_exceeded", ""};
  events.push_back(err);
  events.push_back(ev(ir::EventKind::message_stop));
  std::string out = encode_all(events, true);
  auto first_end = out.find("\n\n");
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_EQ(
      out.substr(first_end + 2),
      R"(data: {"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})"
      "\n\n");
  EXPECT_TRUE(out.starts_with("data: {\"id\":\"chatcmpl-"));
}

TEST(OpenAiChatCodec, StreamEncoderInfersToolCallsFinish) {
  std::vector<ir::Event> events = {ev(ir::EventKind::message_start)};
  auto ps = ev(ir::EventKind::part_start);
  ps.part_kind = ir::PartKind::tool_call;
  ps.tool_name = "f";  // no id: one is made up, the SDK needs it
  events.push_back(ps);
  auto md = ev(ir::EventKind::message_delta);
  md.stop = ir::StopReason::end_turn;
  events.push_back(md);
  events.push_back(ev(ir::EventKind::message_stop));
  std::string out = encode_all(events, false);
  EXPECT_NE(out.find(R"("id":"call_)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("finish_reason":"tool_calls")"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("data: [DONE]\n\n"));
}

TEST(OpenAiChatCodec, StreamRoundTrip) {
  // Upstream Chat stream -> IR -> client Chat stream -> IR: the same events.
  auto first = decode_events(fixture("stream_text_tools.sse"));
  chat::StreamEncoder enc("gpt-4o", true);
  std::string sse;
  for (const auto& e : first) enc.encode(e, sse);
  auto again = describe(decode_events(sse));
  auto expected = kTextToolsEvents;
  expected[0] = "message_start chatcmpl-123 gpt-4o";
  EXPECT_EQ(again, expected);

  // And from the encoder's own sample: everything but the signature survives.
  auto sample = describe(decode_events(encode_all(sample_events(), true)));
  EXPECT_EQ(sample, (std::vector<std::string>{
                        "message_start chatcmpl-msg_1 client-model",
                        "part_start 0 thinking",
                        "part_delta 0 thinking Hmm.",
                        "part_stop 0",
                        "part_start 1 text",
                        "part_delta 1 text Hi",
                        "part_stop 1",
                        "part_start 2 tool_call toolu_a f",
                        "part_delta 2 arguments {\"x\":",
                        "part_delta 2 arguments 1}",
                        "part_stop 2",
                        "part_start 3 tool_call toolu_b g",
                        "part_delta 3 arguments {}",
                        "part_stop 3",
                        "message_delta tool_use in=30 out=7 cached=10 reasoning=2",
                        "message_stop",
                    }));
}

TEST(OpenAiChatCodec, DecodesUpstreamErrors) {
  auto e = chat::decode_error(
      400, R"({"error":{"message":"This model's maximum context length is 128000 tokens.",
    "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "This model's maximum context length is 128000 tokens.");
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.code, "context_length_exceeded");

  e = chat::decode_error(
      429, R"([{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}])");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.message, "Quota exceeded");
  EXPECT_EQ(e.code, "");

  e = chat::decode_error(502, R"({"error":"bad gateway"})");
  EXPECT_EQ(e.message, "bad gateway");
  e = chat::decode_error(503, "upstream connect error");
  EXPECT_EQ(e.message, "upstream connect error");
  e = chat::decode_error(500, "");
  EXPECT_EQ(e.message, "upstream error 500");
}
