#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "codec_test_support.hpp"
#include "ir/sse.hpp"
#include "protocols/openai_responses/codec.hpp"

using namespace aiohub;
namespace json = boost::json;
namespace resp = aiohub::openai_responses;

namespace {

using codec_test::delta_name;
using codec_test::kind_name;
std::string fixture(const std::string& name) {
  return codec_test::read_fixture("openai_responses", name);
}

// One line per IR event, so that sequences compare readably.
std::string describe(const ir::Event& e) {
  switch (e.kind) {
    case ir::EventKind::message_start:
      return "message_start " + e.id + " " + e.model;
    case ir::EventKind::part_start:
      return "part_start " + std::to_string(e.index) + " " + kind_name(e.part_kind) +
             (e.tool_call_id.empty() ? "" : " " + e.tool_call_id + " " + e.tool_name);
    case ir::EventKind::part_delta:
      return "part_delta " + std::to_string(e.index) + " " + delta_name(e.delta_kind) + " " +
             e.delta;
    case ir::EventKind::part_stop:
      return "part_stop " + std::to_string(e.index);
    case ir::EventKind::message_delta:
      return "message_delta stop=" + std::to_string(e.stop ? static_cast<int>(*e.stop) : -1) +
             " in=" + std::to_string(e.usage.input) + " out=" + std::to_string(e.usage.output) +
             " cached=" + std::to_string(e.usage.cache_read) +
             " reasoning=" + std::to_string(e.usage.reasoning);
    case ir::EventKind::message_stop:
      return "message_stop";
    case ir::EventKind::error:
      return "error " + std::to_string(e.error.status) + " " + e.error.code + " " + e.error.message;
  }
  return "?";
}

std::vector<std::string> describe_all(const std::vector<ir::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

std::vector<std::string> decode_stream_in_chunks(const std::string& bytes,
                                                 const std::vector<std::size_t>& cuts) {
  resp::StreamDecoder d;
  std::vector<ir::Event> events;
  std::size_t at = 0;
  for (auto cut : cuts) {
    d.feed(std::string_view(bytes).substr(at, cut - at), events);
    at = cut;
  }
  d.feed(std::string_view(bytes).substr(at), events);
  d.finish(events);
  return describe_all(events);
}

struct SseOut {
  std::string name;
  json::object data;
};

std::vector<SseOut> parse_sse(const std::string& bytes) {
  SseParser p;
  std::vector<SseEvent> raw;
  p.feed(bytes, raw);
  p.finish(raw);
  std::vector<SseOut> out;
  for (auto& e : raw) out.push_back({e.event, json::parse(e.data).as_object()});
  return out;
}

ir::Event ev(ir::EventKind kind) {
  ir::Event e;
  e.kind = kind;
  return e;
}
ir::Event part_start(int index, ir::PartKind kind, std::string id = {}, std::string name = {}) {
  auto e = ev(ir::EventKind::part_start);
  e.index = index;
  e.part_kind = kind;
  e.tool_call_id = std::move(id);
  e.tool_name = std::move(name);
  return e;
}
ir::Event part_delta(int index, ir::DeltaKind kind, std::string delta) {
  auto e = ev(ir::EventKind::part_delta);
  e.index = index;
  e.delta_kind = kind;
  e.delta = std::move(delta);
  return e;
}
ir::Event part_stop(int index) {
  auto e = ev(ir::EventKind::part_stop);
  e.index = index;
  return e;
}
ir::Event message_delta(ir::StopReason stop, Usage usage) {
  auto e = ev(ir::EventKind::message_delta);
  e.stop = stop;
  e.usage = usage;
  return e;
}

Usage usage(std::int64_t in, std::int64_t out, std::int64_t cached, std::int64_t reasoning) {
  Usage u;
  u.input = in;
  u.output = out;
  u.cache_read = cached;
  u.reasoning = reasoning;
  u.reported = true;
  return u;
}

// A reasoning part, text, and two tool calls: the shape of a typical agent turn.
std::vector<ir::Event> agent_turn() {
  auto start = ev(ir::EventKind::message_start);
  start.id = "msg_upstream";
  start.model = "claude-sonnet-4";
  return {start,
          part_start(0, ir::PartKind::thinking),
          part_delta(0, ir::DeltaKind::thinking, "Think"),
          part_delta(0, ir::DeltaKind::thinking, "ing."),
          part_delta(0, ir::DeltaKind::signature, "sig-123"),
          part_stop(0),
          part_start(1, ir::PartKind::text),
          part_delta(1, ir::DeltaKind::text, "Hello"),
          part_delta(1, ir::DeltaKind::text, " world"),
          part_stop(1),
          part_start(2, ir::PartKind::tool_call, "toolu_1", "get_weather"),
          part_delta(2, ir::DeltaKind::arguments, "{\"city\":"),
          part_delta(2, ir::DeltaKind::arguments, "\"Paris\"}"),
          part_stop(2),
          part_start(3, ir::PartKind::tool_call, "toolu_2", "get_weather"),
          part_delta(3, ir::DeltaKind::arguments, "{\"city\":\"Rome\"}"),
          part_stop(3),
          message_delta(ir::StopReason::tool_use, usage(100, 40, 10, 5)),
          ev(ir::EventKind::message_stop)};
}

}  // namespace

// ---------------------------------------------------------------- requests

TEST(ResponsesDecodeRequest, CodexConversationWithEveryItemKind) {
  ir::Request r;
  resp::ClientOptions client;
  ASSERT_FALSE(resp::decode_request(fixture("codex_request.json"), r, client));
  EXPECT_EQ(r.model, "gpt-5-codex");
  ASSERT_EQ(r.system.size(), 2u);  // instructions, then the leading developer message
  EXPECT_EQ(r.system[0].text, "You are Codex, a coding agent.");
  EXPECT_EQ(r.system[1].text, "<permissions>workspace-write</permissions>");

  ASSERT_EQ(r.messages.size(), 7u);
  const auto& user = r.messages[0];
  EXPECT_EQ(user.role, ir::Role::user);
  ASSERT_EQ(user.parts.size(), 4u);  // the file_id image is dropped
  EXPECT_EQ(user.parts[0].text, "Fix the failing test.");
  EXPECT_EQ(user.parts[1].kind, ir::PartKind::image);
  EXPECT_EQ(user.parts[1].mime_type, "image/png");
  EXPECT_EQ(user.parts[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(user.parts[2].url, "https://example.com/shot.png");
  EXPECT_EQ(user.parts[3].kind, ir::PartKind::document);
  EXPECT_EQ(user.parts[3].mime_type, "application/pdf");
  EXPECT_EQ(user.parts[3].data, "JVBERi0x");

  // Reasoning and both calls merge into one assistant turn (docs/protocols/README.md#pitfall-9).
  const auto& calls = r.messages[1];
  EXPECT_EQ(calls.role, ir::Role::assistant);
  ASSERT_EQ(calls.parts.size(), 3u);
  EXPECT_EQ(calls.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(calls.parts[0].text, "**Looking at tests**\n\nRun them first.");
  EXPECT_EQ(calls.parts[0].signature, "gAAAAABo-enc-1");
  EXPECT_EQ(calls.parts[1].kind, ir::PartKind::tool_call);
  EXPECT_EQ(calls.parts[1].tool_call_id, "call_A");
  EXPECT_EQ(calls.parts[1].tool_name, "shell");
  EXPECT_EQ(calls.parts[1].arguments, R"({"command":["ls"]})");
  EXPECT_EQ(calls.parts[2].tool_call_id, "call_B");

  const auto& results = r.messages[2];
  EXPECT_EQ(results.role, ir::Role::user);
  ASSERT_EQ(results.parts.size(), 2u);
  EXPECT_EQ(results.parts[0].kind, ir::PartKind::tool_result);
  EXPECT_EQ(results.parts[0].tool_call_id, "call_A");
  ASSERT_EQ(results.parts[0].content.size(), 1u);
  EXPECT_EQ(results.parts[0].content[0].text, "t.py\n");
  ASSERT_EQ(results.parts[1].content.size(), 2u);
  EXPECT_EQ(results.parts[1].content[0].text, "assert 1 == 2");
  EXPECT_EQ(results.parts[1].content[1].mime_type, "image/jpeg");

  // Assistant text and the custom apply_patch call form one turn.
  const auto& patch = r.messages[3];
  EXPECT_EQ(patch.role, ir::Role::assistant);
  ASSERT_EQ(patch.parts.size(), 2u);
  EXPECT_EQ(patch.parts[0].text, "I will patch it.");
  EXPECT_EQ(patch.parts[1].kind, ir::PartKind::tool_call);
  EXPECT_EQ(patch.parts[1].tool_name, "apply_patch");
  auto args = json::parse(patch.parts[1].arguments).as_object();
  EXPECT_EQ(
      args["input"].as_string(),
      "*** Begin Patch\n*** Update File: t.py\n-assert 1 == 2\n+assert 2 == 2\n*** End Patch\n");
  EXPECT_EQ(r.messages[4].parts[0].tool_call_id, "call_C");
  EXPECT_EQ(r.messages[4].parts[0].content[0].text, "Done!");
  // local_shell_call is dropped; a later developer message stays in place.
  EXPECT_EQ(r.messages[5].role, ir::Role::system);
  EXPECT_EQ(r.messages[5].parts[0].text, "Mid-conversation note.");
  EXPECT_EQ(r.messages[6].parts[0].text, "Thanks");

  ASSERT_EQ(r.tools.size(), 3u);  // local_shell and web_search are dropped
  EXPECT_EQ(r.tools[0].name, "shell");
  EXPECT_EQ(r.tools[0].schema.at("required").as_array()[0].as_string(), "command");
  EXPECT_EQ(r.tools[1].name, "update_plan");  // chat-style nested function
  EXPECT_EQ(r.tools[1].description, "Updates the plan.");
  EXPECT_TRUE(r.tools[1].schema.at("properties").as_object().contains("plan"));
  EXPECT_EQ(r.tools[2].name, "apply_patch");
  EXPECT_EQ(r.tools[2].schema.at("properties").at("input").at("type").as_string(), "string");
  EXPECT_NE(r.tools[2].description.find("start: begin_patch"), std::string::npos);
  EXPECT_EQ(client.custom_tools, std::vector<std::string>{"apply_patch"});

  EXPECT_EQ(r.tool_choice.mode, ir::ToolChoice::Mode::automatic);
  EXPECT_EQ(r.parallel_tool_calls, false);
  EXPECT_EQ(r.reasoning.effort, "high");
  EXPECT_TRUE(r.stream);
  EXPECT_EQ(r.response_format.kind, ir::ResponseFormat::Kind::json_schema);
  EXPECT_EQ(r.response_format.name, "codex_output_schema");
  EXPECT_TRUE(r.response_format.strict);
  EXPECT_TRUE(r.response_format.schema.at("properties").as_object().contains("ok"));
}

TEST(ResponsesDecodeRequest, StringInputAndSamplingSettings) {
  ir::Request r;
  ASSERT_FALSE(resp::decode_request(
      R"({"model":"gpt-4.1","input":"Hi","max_output_tokens":256,"temperature":0.5,"top_p":1,
          "user":"u-1","text":{"format":{"type":"json_object"}},"previous_response_id":"resp_x",
          "metadata":{"a":"b"},"reasoning":{"effort":"none"}})",
      r));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].role, ir::Role::user);
  EXPECT_EQ(r.messages[0].parts[0].text, "Hi");
  EXPECT_EQ(r.max_tokens, 256);
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 1.0);
  EXPECT_EQ(r.user, "u-1");
  EXPECT_EQ(r.response_format.kind, ir::ResponseFormat::Kind::json_object);
  EXPECT_TRUE(r.reasoning.disabled);
  EXPECT_FALSE(r.stream);

  ir::Request s;
  ASSERT_FALSE(resp::decode_request(
      R"({"model":"m","input":[{"role":"user","content":"x"}],"safety_identifier":"hash"})", s));
  EXPECT_EQ(s.user, "hash");
  EXPECT_EQ(s.messages[0].parts[0].text, "x");  // a message item without "type"
}

TEST(ResponsesDecodeRequest, ToolChoiceForms) {
  auto choice = [](std::string tc) {
    ir::Request r;
    EXPECT_FALSE(resp::decode_request(R"({"model":"m","input":"x","tool_choice":)" + tc + "}", r));
    return r.tool_choice;
  };
  using Mode = ir::ToolChoice::Mode;
  EXPECT_EQ(choice(R"("none")").mode, Mode::none);
  EXPECT_EQ(choice(R"("required")").mode, Mode::required);
  auto named = choice(R"({"type":"function","name":"shell"})");
  EXPECT_EQ(named.mode, Mode::specific);
  EXPECT_EQ(named.name, "shell");
  EXPECT_EQ(choice(R"({"type":"function","function":{"name":"f"}})").name, "f");
  EXPECT_EQ(choice(R"({"type":"custom","name":"apply_patch"})").name, "apply_patch");
  EXPECT_EQ(choice(R"({"type":"allowed_tools","mode":"required","tools":[]})").mode,
            Mode::required);
  EXPECT_EQ(choice(R"({"type":"web_search"})").mode, Mode::automatic);
}

TEST(ResponsesDecodeRequest, RejectsMalformedBodiesNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {"{", "JSON"},
      {"[]", "object"},
      {R"({"input":"x"})", "model"},
      {R"({"model":"m"})", "input"},
      {R"({"model":"m","input":5})", "input"},
      {R"({"model":"m","input":[5]})", "input[0]"},
      {R"({"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]})",
       "input[0].call_id"},
      {R"({"model":"m","input":[{"type":"function_call_output","call_id":"c"}]})",
       "input[0].output"},
      {R"({"model":"m","input":[{"role":"robot","content":"x"}]})", "input[0].role"},
      {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]})",
       "input[0].content[0].type"},
      {R"({"model":"m","input":"x","tools":{}})", "tools"},
      {R"({"model":"m","input":"x","tools":[{"type":"function"}]})", "tools[0].name"},
      {R"({"model":"m","input":"x","tool_choice":"sometimes"})", "tool_choice"},
      {R"({"model":"m","input":"x","temperature":"hot"})", "temperature"},
      {R"({"model":"m","input":"x","max_output_tokens":1.5})", "max_output_tokens"},
      {R"({"model":"m","input":"x","stream":"yes"})", "stream"},
      {R"({"model":"m","input":"x","text":{"format":{"type":"xml"}}})", "text.format.type"},
      {R"({"model":"m","input":"x","instructions":7})", "instructions"},
  };
  for (const auto& c : cases) {
    ir::Request r;
    auto err = resp::decode_request(c.body, r);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->status, 400) << c.body;
    EXPECT_NE(err->message.find(c.field), std::string::npos) << c.body << " -> " << err->message;
  }
}

TEST(ResponsesEncodeRequest, WritesAStatelessResponsesBody) {
  ir::Request r;
  r.model = "gpt-5";
  r.system = {ir::Part::make_text("Be brief."), ir::Part::make_text("Use tools.")};
  ir::Part image;
  image.kind = ir::PartKind::image;
  image.mime_type = "image/png";
  image.data = "AAAA";
  r.messages.push_back({ir::Role::user, {ir::Part::make_text("Weather?"), image}});
  ir::Part thinking;
  thinking.kind = ir::PartKind::thinking;
  thinking.text = "Look it up.";
  thinking.signature = "enc-1";
  ir::Part unsigned_thinking;
  unsigned_thinking.kind = ir::PartKind::thinking;
  unsigned_thinking.text = "foreign";
  ir::Part call;
  call.kind = ir::PartKind::tool_call;
  call.tool_call_id = "call_1";
  call.tool_name = "get_weather";
  call.arguments = R"({"city":"Paris"})";
  r.messages.push_back(
      {ir::Role::assistant, {thinking, unsigned_thinking, ir::Part::make_text("Checking."), call}});
  ir::Part result;
  result.kind = ir::PartKind::tool_result;
  result.tool_call_id = "call_1";
  result.content = {ir::Part::make_text("18C")};
  r.messages.push_back({ir::Role::user, {result, ir::Part::make_text("And tomorrow?")}});
  r.tools.push_back({"get_weather", "Weather by city",
                     json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})")});
  r.tool_choice.mode = ir::ToolChoice::Mode::specific;
  r.tool_choice.name = "get_weather";
  r.max_tokens = 1000;
  r.temperature = 0.2;
  r.reasoning.budget_tokens = 4000;
  r.response_format.kind = ir::ResponseFormat::Kind::json_schema;
  r.response_format.name = "answer";
  r.response_format.schema = json::parse(R"({"type":"object"})");
  r.stop = {"END"};
  r.top_k = 5;
  r.stream = true;

  auto body = json::parse(resp::encode_request(r)).as_object();
  EXPECT_EQ(body["model"].as_string(), "gpt-5");
  EXPECT_EQ(body["instructions"].as_string(), "Be brief.\n\nUse tools.");
  EXPECT_EQ(body["store"], false);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["max_output_tokens"], 1000);
  EXPECT_EQ(body["temperature"], 0.2);
  EXPECT_EQ(body["reasoning"].at("effort").as_string(), "medium");
  EXPECT_EQ(body["include"].as_array()[0].as_string(), "reasoning.encrypted_content");
  EXPECT_FALSE(body.contains("stop"));
  EXPECT_FALSE(body.contains("top_k"));
  EXPECT_EQ(body["tool_choice"], json::parse(R"({"type":"function","name":"get_weather"})"));
  auto tool = body["tools"].as_array()[0].as_object();
  EXPECT_EQ(tool["type"].as_string(), "function");
  EXPECT_EQ(tool["name"].as_string(), "get_weather");
  EXPECT_EQ(tool["strict"], false);
  EXPECT_TRUE(tool["parameters"].as_object().contains("properties"));
  EXPECT_EQ(body["text"], json::parse(
                              R"({"format":{"type":"json_schema","name":"answer",
                                  "schema":{"type":"object"},"strict":false}})"));

  auto input = body["input"].as_array();
  ASSERT_EQ(input.size(), 6u);
  EXPECT_EQ(input[0], json::parse(R"({"type":"message","role":"user","content":[
      {"type":"input_text","text":"Weather?"},
      {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"auto"}]})"));
  EXPECT_EQ(input[1], json::parse(R"({"type":"reasoning",
      "summary":[{"type":"summary_text","text":"Look it up."}],"encrypted_content":"enc-1"})"));
  EXPECT_EQ(input[2], json::parse(R"({"type":"message","role":"assistant",
      "content":[{"type":"output_text","text":"Checking.","annotations":[]}]})"));
  EXPECT_EQ(input[3], json::parse(R"({"type":"function_call","call_id":"call_1",
      "name":"get_weather","arguments":"{\"city\":\"Paris\"}"})"));
  EXPECT_EQ(input[4],
            json::parse(R"({"type":"function_call_output","call_id":"call_1","output":"18C"})"));
  EXPECT_EQ(input[5].at("content").as_array()[0].at("text").as_string(), "And tomorrow?");
}

TEST(ResponsesEncodeRequest, EffortFromBudgetAndPlainRequests) {
  auto effort = [](std::int64_t budget) {
    ir::Request r;
    r.model = "m";
    r.reasoning.budget_tokens = budget;
    return std::string(
        json::parse(resp::encode_request(r)).at("reasoning").at("effort").as_string());
  };
  EXPECT_EQ(effort(1024), "low");
  EXPECT_EQ(effort(1025), "medium");
  EXPECT_EQ(effort(8192), "medium");
  EXPECT_EQ(effort(8193), "high");

  ir::Request plain;
  plain.model = "gpt-4.1";
  plain.messages.push_back({ir::Role::user, {ir::Part::make_text("hi")}});
  auto body = json::parse(resp::encode_request(plain)).as_object();
  EXPECT_FALSE(body.contains("reasoning"));
  EXPECT_FALSE(body.contains("include"));
  EXPECT_FALSE(body.contains("instructions"));
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_EQ(body["stream"], false);
}

TEST(ResponsesEncodeRequest, ToolResultsWithImagesBecomeContentArrays) {
  ir::Request r;
  r.model = "m";
  ir::Part image;
  image.kind = ir::PartKind::image;
  image.url = "https://x/y.png";
  ir::Part result;
  result.kind = ir::PartKind::tool_result;
  result.tool_call_id = "c";
  result.content = {ir::Part::make_text("see"), image};
  r.messages.push_back({ir::Role::user, {result}});
  auto input = json::parse(resp::encode_request(r)).at("input").as_array();
  ASSERT_EQ(input.size(), 1u);
  EXPECT_EQ(input[0].at("output"), json::parse(R"([{"type":"input_text","text":"see"},
      {"type":"input_image","image_url":"https://x/y.png","detail":"auto"}])"));
}

TEST(ResponsesRequest, DecodeEncodeDecodeKeepsTheConversation) {
  ir::Request first;
  ASSERT_FALSE(resp::decode_request(fixture("codex_request.json"), first));
  first.model = "upstream-model";
  ir::Request second;
  ASSERT_FALSE(resp::decode_request(resp::encode_request(first), second));
  // System parts are joined into one instructions string.
  ASSERT_EQ(second.system.size(), 1u);
  EXPECT_EQ(second.system[0].text,
            "You are Codex, a coding agent.\n\n<permissions>workspace-write</permissions>");
  ASSERT_EQ(second.messages.size(), first.messages.size());
  for (std::size_t i = 0; i < first.messages.size(); ++i) {
    const auto& a = first.messages[i];
    const auto& b = second.messages[i];
    EXPECT_EQ(a.role, b.role) << i;
    ASSERT_EQ(a.parts.size(), b.parts.size()) << i;
    for (std::size_t j = 0; j < a.parts.size(); ++j) {
      EXPECT_EQ(a.parts[j].kind, b.parts[j].kind) << i << "/" << j;
      EXPECT_EQ(a.parts[j].text, b.parts[j].text) << i << "/" << j;
      EXPECT_EQ(a.parts[j].signature, b.parts[j].signature);
      EXPECT_EQ(a.parts[j].data, b.parts[j].data);
      EXPECT_EQ(a.parts[j].url, b.parts[j].url);
      EXPECT_EQ(a.parts[j].tool_call_id, b.parts[j].tool_call_id);
      EXPECT_EQ(a.parts[j].arguments, b.parts[j].arguments);
      EXPECT_EQ(a.parts[j].content.size(), b.parts[j].content.size());
    }
  }
  EXPECT_EQ(second.tools.size(), first.tools.size());
  EXPECT_EQ(second.reasoning.effort, "high");
  EXPECT_EQ(second.response_format.name, "codex_output_schema");
}

// ---------------------------------------------------------------- responses

TEST(ResponsesDecodeResponse, ReadsItemsUsageAndInfersToolUse) {
  ir::Response r;
  ASSERT_FALSE(resp::decode_response(fixture("response_tools.json"), r));
  EXPECT_EQ(r.id, "resp_0123abc");
  EXPECT_EQ(r.model, "gpt-5-2025-08-07");
  ASSERT_EQ(r.parts.size(), 4u);  // the web_search_call is dropped
  EXPECT_EQ(r.parts[0].kind, ir::PartKind::thinking);
  EXPECT_EQ(r.parts[0].text, "Need the weather.");
  EXPECT_EQ(r.parts[0].signature, "gAAAAABo-enc-2");
  EXPECT_EQ(r.parts[1].text, "Checking both cities.");
  EXPECT_EQ(r.parts[2].tool_call_id, "call_paris");
  EXPECT_EQ(r.parts[3].arguments, R"({"city":"Rome"})");
  EXPECT_EQ(r.stop, ir::StopReason::tool_use);
  EXPECT_TRUE(r.usage.reported);
  EXPECT_EQ(r.usage.input, 1200);
  EXPECT_EQ(r.usage.cache_read, 1024);
  EXPECT_EQ(r.usage.output, 300);
  EXPECT_EQ(r.usage.reasoning, 256);
}

TEST(ResponsesDecodeResponse, StatusesAndCustomToolCalls) {
  ir::Response r;
  ASSERT_FALSE(resp::decode_response(
      R"({"id":"resp_1","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
          "output":[{"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin"}]})",
      r));
  EXPECT_EQ(r.stop, ir::StopReason::max_tokens);
  EXPECT_EQ(json::parse(r.parts[0].arguments).at("input").as_string(), "*** Begin");
  EXPECT_FALSE(r.usage.reported);

  ir::Response filtered;
  ASSERT_FALSE(resp::decode_response(
      R"({"status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[]})",
      filtered));
  EXPECT_EQ(filtered.stop, ir::StopReason::content_filter);

  ir::Response refused;
  ASSERT_FALSE(resp::decode_response(
      R"({"status":"completed","output":[{"type":"message","content":[{"type":"refusal","refusal":"No."}]}]})",
      refused));
  EXPECT_EQ(refused.stop, ir::StopReason::refusal);
  EXPECT_EQ(refused.parts[0].text, "No.");

  ir::Response failed;
  auto err = resp::decode_response(
      R"({"status":"failed","error":{"code":"rate_limit_exceeded","message":"slow down"},"output":[]})",
      failed);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 429);
  EXPECT_EQ(err->code, "rate_limit_exceeded");
  EXPECT_EQ(err->message, "slow down");

  EXPECT_EQ(resp::decode_response("not json", failed)->status, 502);
}

TEST(ResponsesEncodeResponse, WritesAResponseObjectTheSdkTypes) {
  ir::Response r;
  r.id = "msg_abc";
  r.model = "claude-sonnet-4";
  ir::Part thinking;
  thinking.kind = ir::PartKind::thinking;
  thinking.text = "hmm";
  thinking.signature = "sig";
  ir::Part call;
  call.kind = ir::PartKind::tool_call;
  call.tool_call_id = "toolu_1";
  call.tool_name = "shell";
  call.arguments = R"({"command":["ls"]})";
  ir::Part patch = call;
  patch.tool_call_id = "toolu_2";
  patch.tool_name = "apply_patch";
  patch.arguments = R"({"input":"*** Begin Patch\n"})";
  ir::Part image;
  image.kind = ir::PartKind::image;
  r.parts = {thinking, ir::Part::make_text("Listing."), image, call, patch};
  r.stop = ir::StopReason::tool_use;
  r.usage = usage(50, 20, 8, 4);

  auto body = json::parse(resp::encode_response(r, "gpt-5-codex", {{"apply_patch"}})).as_object();
  EXPECT_TRUE(body["id"].as_string().starts_with("resp_"));
  EXPECT_EQ(body["object"].as_string(), "response");
  EXPECT_TRUE(body["created_at"].is_int64());
  EXPECT_EQ(body["status"].as_string(), "completed");
  EXPECT_EQ(body["model"].as_string(), "gpt-5-codex");
  EXPECT_TRUE(body["error"].is_null());
  EXPECT_TRUE(body["incomplete_details"].is_null());
  EXPECT_FALSE(body.contains("output_text"));  // the SDK computes it
  EXPECT_EQ(body["usage"],
            json::parse(R"({"input_tokens":50,"input_tokens_details":{"cached_tokens":8},
      "output_tokens":20,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":70})"));

  auto output = body["output"].as_array();
  ASSERT_EQ(output.size(), 4u);  // no item for the image
  EXPECT_EQ(output[0].at("type").as_string(), "reasoning");
  EXPECT_TRUE(output[0].at("id").as_string().starts_with("rs_"));
  EXPECT_EQ(output[0].at("summary"), json::parse(R"([{"type":"summary_text","text":"hmm"}])"));
  EXPECT_EQ(output[0].at("encrypted_content").as_string(), "sig");
  EXPECT_TRUE(output[1].at("id").as_string().starts_with("msg_"));
  EXPECT_EQ(output[1].at("role").as_string(), "assistant");
  EXPECT_EQ(output[1].at("content").as_array()[0].at("text").as_string(), "Listing.");
  EXPECT_TRUE(output[2].at("id").as_string().starts_with("fc_"));
  EXPECT_EQ(output[2].at("call_id").as_string(), "toolu_1");
  EXPECT_EQ(output[2].at("arguments").as_string(), R"({"command":["ls"]})");
  EXPECT_EQ(output[3].at("type").as_string(), "custom_tool_call");
  EXPECT_EQ(output[3].at("input").as_string(), "*** Begin Patch\n");

  r.stop = ir::StopReason::max_tokens;
  auto cut = json::parse(resp::encode_response(r, "m")).as_object();
  EXPECT_EQ(cut["status"].as_string(), "incomplete");
  EXPECT_EQ(cut["incomplete_details"].at("reason").as_string(), "max_output_tokens");
  // Without ClientOptions the patch is an ordinary function call.
  EXPECT_EQ(cut["output"].as_array()[3].at("type").as_string(), "function_call");
}

TEST(ResponsesResponse, EncodeThenDecodeKeepsPartsStopAndUsage) {
  ir::Response original;
  ASSERT_FALSE(resp::decode_response(fixture("response_tools.json"), original));
  ir::Response back;
  ASSERT_FALSE(resp::decode_response(resp::encode_response(original, "alias"), back));
  EXPECT_EQ(back.model, "alias");
  EXPECT_EQ(back.id, original.id);
  ASSERT_EQ(back.parts.size(), original.parts.size());
  for (std::size_t i = 0; i < back.parts.size(); ++i) {
    EXPECT_EQ(back.parts[i].kind, original.parts[i].kind);
    EXPECT_EQ(back.parts[i].text, original.parts[i].text);
    EXPECT_EQ(back.parts[i].signature, original.parts[i].signature);
    EXPECT_EQ(back.parts[i].tool_call_id, original.parts[i].tool_call_id);
    EXPECT_EQ(back.parts[i].arguments, original.parts[i].arguments);
  }
  EXPECT_EQ(back.stop, original.stop);
  EXPECT_EQ(back.usage.input, original.usage.input);
  EXPECT_EQ(back.usage.cache_read, original.usage.cache_read);
  EXPECT_EQ(back.usage.reasoning, original.usage.reasoning);
}

TEST(ResponsesStopReason, TableBothWays) {
  struct Row {
    ir::StopReason stop;
    const char* status;
    const char* reason;
    ir::StopReason back;  // what decoding that status gives (without tool calls)
  };
  const Row rows[] = {
      {ir::StopReason::end_turn, "completed", "", ir::StopReason::end_turn},
      {ir::StopReason::stop_sequence, "completed", "", ir::StopReason::end_turn},
      {ir::StopReason::tool_use, "completed", "", ir::StopReason::end_turn},
      {ir::StopReason::pause, "completed", "", ir::StopReason::end_turn},
      {ir::StopReason::max_tokens, "incomplete", "max_output_tokens", ir::StopReason::max_tokens},
      {ir::StopReason::content_filter, "incomplete", "content_filter",
       ir::StopReason::content_filter},
      {ir::StopReason::refusal, "incomplete", "content_filter", ir::StopReason::content_filter},
      {ir::StopReason::error, "failed", "", ir::StopReason::error},
  };
  for (const auto& row : rows) {
    auto ws = resp::status_for(row.stop);
    EXPECT_EQ(ws.status, row.status);
    EXPECT_EQ(ws.incomplete_reason, row.reason);
    EXPECT_EQ(resp::stop_for(ws.status, ws.incomplete_reason, false), row.back);
  }
  EXPECT_EQ(resp::stop_for("completed", "", true), ir::StopReason::tool_use);
  EXPECT_EQ(resp::stop_for("incomplete", "max_output_tokens", true), ir::StopReason::max_tokens);
  EXPECT_EQ(resp::stop_for("cancelled", "", false), ir::StopReason::error);
}

TEST(ResponsesDecodeError, ReadsOpenAiErrorBodies) {
  auto e = resp::decode_error(
      400,
      R"({"error":{"message":"Your input exceeds the context window","type":"invalid_request_error",
               "param":"input","code":"context_length_exceeded"}})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "Your input exceeds the context window");
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.code, "context_length_exceeded");

  auto plain = resp::decode_error(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(plain.status, 502);
  EXPECT_EQ(plain.message, "<html>Bad Gateway</html>");
  EXPECT_EQ(resp::decode_error(503, "").message, "upstream error 503");
}

// ---------------------------------------------------------------- streams

const std::vector<std::string> kFixtureEvents = {
    "message_start resp_stream1 gpt-5-2025-08-07",
    "part_start 0 thinking",
    "part_delta 0 thinking **Plan",
    "part_delta 0 thinking ning**",
    "part_delta 0 thinking \n\n",
    "part_delta 0 thinking Check ",
    "part_delta 0 thinking both cities.",
    "part_delta 0 signature gAAAAABo-enc-3==",
    "part_stop 0",
    "part_start 1 text",
    "part_delta 1 text Let me",
    "part_delta 1 text  check — ",
    "part_delta 1 text naïve ✓",
    "part_stop 1",
    "part_start 2 tool_call call_paris get_weather",
    "part_delta 2 arguments {\"c",
    "part_delta 2 arguments ity\":\"",
    "part_delta 2 arguments Paris\"}",
    "part_stop 2",
    "part_start 3 tool_call call_rome get_weather",
    "part_delta 3 arguments {\"c",
    "part_delta 3 arguments ity\":\"",
    "part_delta 3 arguments Rome\"}",
    "part_stop 3",
    "message_delta stop=3 in=812 out=190 cached=512 reasoning=128",
    "message_stop",
};

TEST(ResponsesStreamDecoder, RealisticStreamToIrEvents) {
  EXPECT_EQ(decode_stream_in_chunks(fixture("stream_reasoning_tools.sse"), {}), kFixtureEvents);
}

TEST(ResponsesStreamDecoder, SameEventsForAnyByteSplit) {
  std::string bytes = fixture("stream_reasoning_tools.sse");
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  EXPECT_EQ(decode_stream_in_chunks(bytes, every), kFixtureEvents);

  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::size_t> cuts;
    std::size_t at = 0;
    while (true) {
      at += std::uniform_int_distribution<std::size_t>(1, 64)(rng);
      if (at >= bytes.size()) break;
      cuts.push_back(at);
    }
    EXPECT_EQ(decode_stream_in_chunks(bytes, cuts), kFixtureEvents) << "round " << round;
  }
}

TEST(ResponsesStreamDecoder, CrlfAndKeepAlivesChangeNothing) {
  std::string bytes = fixture("stream_reasoning_tools.sse");
  std::string crlf = ": keep-alive\r\n\r\n";
  for (char c : bytes) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(decode_stream_in_chunks(crlf, {}), kFixtureEvents);
}

TEST(ResponsesStreamDecoder, DoneEventsStandInForMissingDeltas) {
  // Some compatible servers send whole values only in the done events.
  std::string bytes =
      R"(data: {"type":"response.created","response":{"id":"resp_2","model":"m"}}

data: {"type":"response.output_item.done","output_index":0,"item":{"type":"message","content":[{"type":"output_text","text":"Hi"}]}}

data: {"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","call_id":"c1","name":"f","arguments":""}}

data: {"type":"response.function_call_arguments.done","output_index":1,"arguments":"{\"a\":1}"}

data: {"type":"response.output_item.done","output_index":1,"item":{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"a\":1}"}}

data: {"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":4}}}

)";
  std::vector<std::string> expected = {
      "message_start resp_2 m",
      "part_start 0 text",
      "part_delta 0 text Hi",
      "part_stop 0",
      "part_start 1 tool_call c1 f",
      "part_delta 1 arguments {\"a\":1}",
      "part_stop 1",
      "message_delta stop=1 in=3 out=4 cached=0 reasoning=0",
      "message_stop",
  };
  EXPECT_EQ(decode_stream_in_chunks(bytes, {}), expected);
}

// Found by fuzz/stream_openai_responses: a message item done at the output
// index of a still-open function call opened its text part without closing
// the call's (two parts open at once).
TEST(ResponsesStreamDecoder, AMessageDoneAtAnOpenCallsIndexClosesTheCallFirst) {
  std::string bytes =
      R"(data: {"type":"response.created","response":{"id":"resp_3","model":"m"}}

data: {"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","call_id":"c1","name":"f","arguments":""}}

data: {"type":"response.output_item.done","output_index":0,"item":{"type":"message","content":[{"type":"output_text","text":"Hi"}]}}

data: {"type":"response.completed","response":{"status":"completed","usage":{"input_tokens":3,"output_tokens":4}}}

)";
  std::vector<std::string> expected = {
      "message_start resp_3 m",
      "part_start 0 tool_call c1 f",
      "part_stop 0",
      "part_start 1 text",
      "part_delta 1 text Hi",
      "part_stop 1",
      "message_delta stop=3 in=3 out=4 cached=0 reasoning=0",
      "message_stop",
  };
  EXPECT_EQ(decode_stream_in_chunks(bytes, {}), expected);
}

TEST(ResponsesStreamDecoder, CustomToolCallsAndFailures) {
  std::string custom =
      R"(data: {"type":"response.created","response":{"id":"r","model":"m"}}

data: {"type":"response.output_item.added","output_index":0,"item":{"type":"custom_tool_call","id":"ctc_1","call_id":"c9","name":"apply_patch","input":""}}

data: {"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"*** Begin"}

data: {"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":" Patch\n"}

data: {"type":"response.output_item.done","output_index":0,"item":{"type":"custom_tool_call","id":"ctc_1","call_id":"c9","name":"apply_patch","input":"*** Begin Patch\n"}}

data: {"type":"response.failed","response":{"status":"failed","error":{"code":"context_length_exceeded","message":"too long"}}}

)";
  std::vector<std::string> expected = {
      "message_start r m",
      "part_start 0 tool_call c9 apply_patch",
      "part_delta 0 arguments {\"input\":\"*** Begin Patch\\n\"}",
      "part_stop 0",
      "error 400 context_length_exceeded too long",
  };
  EXPECT_EQ(decode_stream_in_chunks(custom, {}), expected);

  std::string error_event =
      "event: error\ndata: "
      "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow\"}\n\n";
  EXPECT_EQ(decode_stream_in_chunks(error_event, {}),
            (std::vector<std::string>{"message_start  ", "error 429 rate_limit_exceeded slow"}));

  // No [DONE] in Responses, but a stream must still end in a terminal event.
  std::string cut = R"(data: {"type":"response.created","response":{"id":"r","model":"m"}}

data: {"type":"response.output_item.added","output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[]}}

)";
  auto events = decode_stream_in_chunks(cut, {});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1], "part_start 0 thinking");
  EXPECT_EQ(events[2].rfind("error 502", 0), 0u) << events[2];
}

TEST(ResponsesStreamEncoder, EmitsTheSequenceTheSdkAccumulates) {
  resp::StreamEncoder enc("gpt-5");
  std::string bytes;
  for (const auto& e : agent_turn()) enc.encode(e, bytes);
  auto events = parse_sse(bytes);

  std::vector<std::string> types;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& d = events[i].data;
    types.push_back(std::string(d["type"].as_string()));
    EXPECT_EQ(events[i].name, types.back());
    EXPECT_EQ(d["sequence_number"].as_int64(), static_cast<std::int64_t>(i));
  }
  std::vector<std::string> expected = {
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
  };
  ASSERT_EQ(types, expected);

  auto created = events[0].data["response"].as_object();
  std::string id(created["id"].as_string());
  EXPECT_TRUE(id.starts_with("resp_"));
  EXPECT_EQ(created["status"].as_string(), "in_progress");
  EXPECT_EQ(created["model"].as_string(), "gpt-5");
  EXPECT_TRUE(created["output"].as_array().empty());

  // Every item-scoped event names its item and output index consistently.
  for (std::size_t i = 2; i + 1 < events.size(); ++i) {
    auto& d = events[i].data;
    std::int64_t oi = d["output_index"].as_int64();
    std::string item_id = d.contains("item") ? std::string(d["item"].at("id").as_string())
                                             : std::string(d["item_id"].as_string());
    const char* prefix = oi == 0 ? "rs_" : oi == 1 ? "msg_" : "fc_";
    EXPECT_TRUE(item_id.starts_with(prefix)) << i << " " << item_id;
  }
  EXPECT_EQ(events[4].data["delta"].as_string(), "Think");
  EXPECT_EQ(events[6].data["text"].as_string(), "Thinking.");
  EXPECT_EQ(events[8].data["item"].at("encrypted_content").as_string(), "sig-123");
  EXPECT_EQ(events[13].data["text"].as_string(), "Hello world");
  EXPECT_EQ(events[19].data["arguments"].as_string(), R"({"city":"Paris"})");
  EXPECT_EQ(events[19].data["name"].as_string(), "get_weather");
  EXPECT_EQ(events[20].data["item"].at("call_id").as_string(), "toolu_1");

  auto done = events.back().data["response"].as_object();
  EXPECT_EQ(done["id"].as_string(), id);
  EXPECT_EQ(done["status"].as_string(), "completed");
  auto output = done["output"].as_array();
  ASSERT_EQ(output.size(), 4u);
  EXPECT_EQ(output[0].at("summary").as_array()[0].at("text").as_string(), "Thinking.");
  EXPECT_EQ(output[1].at("content").as_array()[0].at("text").as_string(), "Hello world");
  EXPECT_EQ(output[1].at("status").as_string(), "completed");
  EXPECT_EQ(output[2].at("arguments").as_string(), R"({"city":"Paris"})");
  EXPECT_EQ(output[3].at("call_id").as_string(), "toolu_2");
  // Items in the final response are the ones output_item.done carried.
  EXPECT_EQ(output[2], events[20].data["item"]);
  EXPECT_EQ(done["usage"].at("input_tokens"), 100);
  EXPECT_EQ(done["usage"].at("output_tokens"), 40);
  EXPECT_EQ(done["usage"].at("total_tokens"), 140);
  EXPECT_EQ(done["usage"].at("input_tokens_details").at("cached_tokens"), 10);
  EXPECT_EQ(done["usage"].at("output_tokens_details").at("reasoning_tokens"), 5);
}

TEST(ResponsesStreamEncoder, HoldsTheTerminalEventUntilMessageStop) {
  resp::StreamEncoder enc("m");
  std::string bytes;
  auto turn = agent_turn();
  for (std::size_t i = 0; i + 1 < turn.size(); ++i) enc.encode(turn[i], bytes);
  EXPECT_EQ(bytes.find("response.completed"), std::string::npos);
  enc.encode(turn.back(), bytes);
  EXPECT_NE(bytes.find("response.completed"), std::string::npos);
  std::string more;
  enc.encode(turn.back(), more);
  EXPECT_TRUE(more.empty());
}

TEST(ResponsesStreamEncoder, CustomToolsComeBackUnwrapped) {
  resp::StreamEncoder enc("gpt-5-codex", {{"apply_patch"}});
  std::string bytes;
  enc.encode(ev(ir::EventKind::message_start), bytes);
  enc.encode(part_start(0, ir::PartKind::tool_call, "toolu_9", "apply_patch"), bytes);
  enc.encode(part_delta(0, ir::DeltaKind::arguments, R"({"input":"*** Begin)"), bytes);
  enc.encode(part_delta(0, ir::DeltaKind::arguments, R"( Patch\n"})"), bytes);
  enc.encode(part_stop(0), bytes);
  enc.encode(message_delta(ir::StopReason::tool_use, usage(1, 2, 0, 0)), bytes);
  enc.encode(ev(ir::EventKind::message_stop), bytes);
  auto events = parse_sse(bytes);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[2].data["item"].at("type").as_string(), "custom_tool_call");
  EXPECT_TRUE(events[2].data["item"].at("id").as_string().starts_with("ctc_"));
  EXPECT_EQ(events[3].data["type"].as_string(), "response.custom_tool_call_input.delta");
  EXPECT_EQ(events[4].data["input"].as_string(), "*** Begin Patch\n");
  EXPECT_EQ(events[5].data["item"].at("input").as_string(), "*** Begin Patch\n");
  EXPECT_EQ(events[5].data["item"].at("call_id").as_string(), "toolu_9");
}

TEST(ResponsesStreamEncoder, MaxTokensEndsIncompleteAndErrorsFail) {
  resp::StreamEncoder cut("m");
  std::string bytes;
  cut.encode(ev(ir::EventKind::message_start), bytes);
  cut.encode(part_start(0, ir::PartKind::text), bytes);
  cut.encode(part_delta(0, ir::DeltaKind::text, "partial"), bytes);
  cut.encode(message_delta(ir::StopReason::max_tokens, usage(1, 2, 0, 0)), bytes);
  cut.encode(ev(ir::EventKind::message_stop), bytes);  // closes the open part itself
  auto events = parse_sse(bytes);
  auto& last = events.back().data;
  EXPECT_EQ(last["type"].as_string(), "response.incomplete");
  EXPECT_EQ(last["response"].at("incomplete_details").at("reason").as_string(),
            "max_output_tokens");
  EXPECT_EQ(last["response"].at("output").as_array()[0].at("content").as_array()[0].at("text"),
            "partial");

  resp::StreamEncoder failing("m");
  bytes.clear();
  failing.encode(ev(ir::EventKind::message_start), bytes);
  auto err = ev(ir::EventKind::error);
  err.error = ApiError{429, "Rate limit reached, try again in 3s", "", ""};
  failing.encode(err, bytes);
  failing.encode(ev(ir::EventKind::message_stop), bytes);
  events = parse_sse(bytes);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2].data["type"].as_string(), "response.failed");
  EXPECT_EQ(events[2].data["response"].at("status").as_string(), "failed");
  EXPECT_EQ(events[2].data["response"].at("error").at("code").as_string(), "rate_limit_exceeded");
  EXPECT_EQ(events[3].data["type"].as_string(), "error");
  EXPECT_EQ(events[3].name, "error");
  EXPECT_EQ(events[3].data["code"].as_string(), "rate_limit_exceeded");
  EXPECT_EQ(events[3].data["message"].as_string(), "Rate limit reached, try again in 3s");
  EXPECT_EQ(events[3].data["sequence_number"].as_int64(), 3);
}

TEST(ResponsesStream, EncodeThenDecodeGivesTheSameIrEvents) {
  resp::StreamEncoder enc("gpt-5");
  std::string bytes;
  auto turn = agent_turn();
  for (const auto& e : turn) enc.encode(e, bytes);
  auto decoded = decode_stream_in_chunks(bytes, {});
  auto expected = describe_all(turn);
  // The ids are the encoder's own; everything else must survive.
  ASSERT_EQ(decoded.size(), expected.size());
  EXPECT_TRUE(decoded[0].starts_with("message_start resp_")) << decoded[0];
  EXPECT_TRUE(decoded[0].ends_with(" gpt-5")) << decoded[0];
  for (std::size_t i = 1; i < expected.size(); ++i) EXPECT_EQ(decoded[i], expected[i]) << i;
}

TEST(ResponsesStream, DecodeThenEncodeKeepsTheFinalResponse) {
  resp::StreamDecoder dec;
  std::vector<ir::Event> events;
  dec.feed(fixture("stream_reasoning_tools.sse"), events);
  dec.finish(events);
  resp::StreamEncoder enc("alias");
  std::string bytes;
  for (const auto& e : events) enc.encode(e, bytes);
  auto out = parse_sse(bytes);
  auto response = out.back().data["response"].as_object();
  EXPECT_EQ(response["id"].as_string(), "resp_stream1");
  auto output = response["output"].as_array();
  ASSERT_EQ(output.size(), 4u);
  EXPECT_EQ(output[0].at("encrypted_content").as_string(), "gAAAAABo-enc-3==");
  EXPECT_EQ(output[1].at("content").as_array()[0].at("text").as_string(), "Let me check — naïve ✓");
  EXPECT_EQ(output[3].at("arguments").as_string(), R"({"city":"Rome"})");
  EXPECT_EQ(response["usage"].at("input_tokens"), 812);
}
