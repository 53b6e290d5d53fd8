#pragma once
// What open-source OpenAI-compatible servers (vLLM, SGLang, Ollama,
// DeepSeek, Qwen, Kimi, GLM, OpenRouter) get wrong in Chat Completions
// answers, put right before any codec or client reads them:
//   - tool calls without an id, or with an empty one, get a stable
//     "call_..." id derived from the response id and the call's index;
//   - tool-call deltas without an index get one (a new id, or a name when
//     the open call already has one, starts a new call);
//   - arguments sent whole instead of in fragments, or repeated whole (or
//     cumulatively) in every chunk, become proper fragments;
//   - finish_reason "stop" on an answer with tool calls becomes "tool_calls".
// Reasoning text (reasoning_content, reasoning) is left as it is: the Chat
// codec reads both, and Chat clients get them unchanged.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ir/sse.hpp"
#include "providers/stream_rewriter.hpp"

namespace aiohub::openai_compatible {

// "call_" + 24 hex digits of SHA-256 over the seed and index.
std::string stable_call_id(std::string_view seed, std::int64_t index);

// Chat SSE in, repaired Chat SSE out. Chunks that need no repair pass as
// their data line, unchanged.
class ChunkRepair : public StreamRewriter {
 public:
  void feed(std::string_view bytes, std::string& out) override;
  void finish(std::string& out) override;

 private:
  struct Call {
    std::string id;
    std::string name;
    std::string arguments;
  };
  struct Choice {
    std::vector<Call> calls;
    int open = -1;
  };
  void on_data(const std::string& data, std::string& out);
  SseParser sse_;
  std::vector<SseEvent> events_;
  std::string response_id_;
  std::map<std::int64_t, Choice> choices_;
};

// A whole Chat Completions answer with its tool calls repaired; the body
// unchanged when nothing needed it.
std::string repair_response(std::string body);

}  // namespace aiohub::openai_compatible
