// The repairs made to OpenAI-compatible servers' Chat answers.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocols/openai_chat/codec.hpp"
#include "providers/openai_compatible/repair.hpp"

using namespace aiohub;
namespace json = boost::json;

namespace {

std::string sse(std::initializer_list<std::string> datas) {
  std::string out;
  for (auto& d : datas) out += "data: " + d + "\n\n";
  return out;
}

// The tool calls the Chat decoder reads from the repaired stream, as
// "id name args" lines.
std::string decoded_calls(const std::string& wire) {
  openai_compatible::ChunkRepair repair;
  std::string fixed;
  // Byte by byte: the repair must not depend on how the stream was split.
  for (char c : wire) repair.feed(std::string_view(&c, 1), fixed);
  repair.finish(fixed);
  openai_chat::StreamDecoder decoder;
  std::vector<ir::Event> events;
  decoder.feed(fixed, events);
  decoder.finish(events);
  std::string out;
  std::map<int, std::string> args;
  std::map<int, std::string> heads;
  for (auto& e : events) {
    if (e.kind == ir::EventKind::part_start && e.part_kind == ir::PartKind::tool_call)
      heads[e.index] = e.tool_call_id + " " + e.tool_name;
    if (e.kind == ir::EventKind::part_delta && e.delta_kind == ir::DeltaKind::arguments)
      args[e.index] += e.delta;
    if (e.kind == ir::EventKind::message_delta && e.stop == ir::StopReason::tool_use)
      out += "stop=tool_use\n";
  }
  for (auto& [i, h] : heads) out += h + " " + args[i] + "\n";
  return out;
}

}  // namespace

TEST(OpenAICompatible, StableIdsAreDeterministic) {
  EXPECT_EQ(openai_compatible::stable_call_id("x", 0), openai_compatible::stable_call_id("x", 0));
  EXPECT_NE(openai_compatible::stable_call_id("x", 0), openai_compatible::stable_call_id("x", 1));
  EXPECT_EQ(openai_compatible::stable_call_id("x", 0).size(), 5u + 24u);
}

TEST(OpenAICompatible, MissingAndEmptyIdsAndIndexesAreFilled) {
  const std::string wire = sse({
      R"({"id":"r1","choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":"a","arguments":"{\"x\":"}}]}}]})",
      R"({"id":"r1","choices":[{"index":0,"delta":{"tool_calls":[{"id":"","function":{"arguments":"1}"}}]}}]})",
      R"({"id":"r1","choices":[{"index":0,"delta":{"tool_calls":[{"id":"","function":{"name":"b","arguments":"{}"}}]}}]})",
      R"({"id":"r1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
      "[DONE]",
  });
  // Without an index or id, a fragment naming a function starts a new call.
  EXPECT_EQ(decoded_calls(wire), "stop=tool_use\n" + openai_compatible::stable_call_id("r1/0", 0) +
                                     " a {\"x\":1}\n" +
                                     openai_compatible::stable_call_id("r1/0", 1) + " b {}\n");

  const std::string indexed = sse({
      R"({"id":"r2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"","function":{"name":"a","arguments":"{}"}}]}}]})",
      R"({"id":"r2","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"name":"b","arguments":"{\"y\":2}"}}]}}]})",
      R"({"id":"r2","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
      "[DONE]",
  });
  EXPECT_EQ(decoded_calls(indexed),
            "stop=tool_use\n" + openai_compatible::stable_call_id("r2/0", 0) + " a {}\n" +
                openai_compatible::stable_call_id("r2/0", 1) + " b {\"y\":2}\n");
}

TEST(OpenAICompatible, ArgumentsRepeatedWholeBecomeFragments) {
  const std::string wire = sse({
      R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"q\":\"a\"}"}}]}}]})",
      R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":\"a\"}"}}]}}]})",
      R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":\"a\"}"}}]}}]})",
      R"({"id":"r","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
      "[DONE]",
  });
  EXPECT_EQ(decoded_calls(wire), "stop=tool_use\ncall_1 f {\"q\":\"a\"}\n");
  // Cumulative resends keep only what is new.
  const std::string cumulative = sse({
      R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_2","function":{"name":"f","arguments":"{\"q\""}}]}}]})",
      R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":3}"}}]}}]})",
      R"({"id":"r","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
      "[DONE]",
  });
  EXPECT_EQ(decoded_calls(cumulative), "stop=tool_use\ncall_2 f {\"q\":3}\n");
}

TEST(OpenAICompatible, TextChunksPassUnchanged) {
  const std::string chunk =
      R"({"id":"r","choices":[{"index":0,"delta":{"reasoning_content":"hm"}}]})";
  openai_compatible::ChunkRepair repair;
  std::string out;
  repair.feed("data: " + chunk + "\n\n", out);
  EXPECT_EQ(out, "data: " + chunk + "\n\n");
}

TEST(OpenAICompatible, StopWithToolCallsBecomesToolCalls) {
  openai_compatible::ChunkRepair repair;
  std::string out;
  repair.feed(
      sse({R"({"id":"r","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}]})",
           R"({"id":"r","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"}),
      out);
  EXPECT_NE(out.find(R"("finish_reason":"tool_calls")"), std::string::npos);
}

TEST(OpenAICompatible, WholeResponsesGetIds) {
  const std::string body =
      R"({"id":"r9","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"{}"}},{"id":"","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"stop"}]})";
  json::value v = json::parse(openai_compatible::repair_response(body));
  const auto& choice = v.at("choices").at(0);
  EXPECT_EQ(std::string(choice.at("finish_reason").as_string()), "tool_calls");
  EXPECT_EQ(std::string(choice.at("message").at("tool_calls").at(0).at("id").as_string()),
            openai_compatible::stable_call_id("r9/0", 0));
  EXPECT_EQ(std::string(choice.at("message").at("tool_calls").at(1).at("id").as_string()),
            openai_compatible::stable_call_id("r9/0", 1));
  EXPECT_EQ(std::string(choice.at("message").at("tool_calls").at(1).at("type").as_string()),
            "function");
  const std::string plain = R"({"id":"r","choices":[{"message":{"content":"hi"}}]})";
  EXPECT_EQ(openai_compatible::repair_response(plain), plain);
}
