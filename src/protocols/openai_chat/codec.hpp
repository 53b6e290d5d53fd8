#pragma once
// OpenAI Chat Completions (POST /v1/chat/completions) <-> canonical
// representation (docs/codecs.md). Clients: the openai SDKs and the many tools
// built on them; upstreams: OpenAI and the OpenAI-compatible servers
// (DeepSeek, OpenRouter, vLLM, ...), whose non-standard reasoning fields are
// read too. Same-protocol traffic never comes here (passthrough.hpp).
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "ir/sse.hpp"
#include "protocols/errors.hpp"

namespace aiohub::openai_chat {

// What the client's request said that the IR does not carry but the answer
// needs.
struct ClientOptions {
  bool include_usage = false;  // stream_options.include_usage: the StreamEncoder argument
};

// --- client side ---
std::optional<ApiError> decode_request(std::string_view body, ir::Request& out);
std::optional<ApiError> decode_request(std::string_view body, ir::Request& out,
                                       ClientOptions& client);
std::string encode_response(const ir::Response& r, const std::string& client_model);

class StreamEncoder {
 public:
  StreamEncoder(std::string client_model, bool include_usage);
  void encode(const ir::Event& e, std::string& out);

 private:
  void chunk(boost::json::object delta, std::string& out);
  void start(const ir::Event& e, std::string& out);
  void finish_chunk(std::string& out);

  std::string client_model_;
  bool include_usage_;
  std::string id_;
  std::int64_t created_ = 0;
  bool started_ = false;
  bool finished_ = false;  // the finish_reason chunk went out
  bool ended_ = false;     // [DONE] or an error went out: nothing more
  int tool_calls_ = 0;     // tool calls so far; the open one is tool_calls_ - 1
  std::optional<ir::StopReason> stop_;
};

// --- upstream side ---
std::string encode_request(const ir::Request& r);
std::optional<ApiError> decode_response(std::string_view body, ir::Response& out);

class StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<ir::Event>& out);
  void finish(std::vector<ir::Event>& out);

 private:
  enum class Open { none, text, thinking, tool_call };
  void on_data(std::string_view data, std::vector<ir::Event>& out);
  void on_choice(const boost::json::object& choice, std::vector<ir::Event>& out);
  void on_tool_call(const boost::json::object& call, std::vector<ir::Event>& out);
  void ensure_started(const boost::json::object* chunk, std::vector<ir::Event>& out);
  void open(Open kind, std::vector<ir::Event>& out, std::string id = {}, std::string name = {});
  void send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out);
  void close(std::vector<ir::Event>& out);
  void end(std::vector<ir::Event>& out);
  void fail(ApiError err, std::vector<ir::Event>& out);

  SseParser sse_;
  std::vector<SseEvent> events_;
  bool started_ = false;
  bool ended_ = false;
  int next_index_ = 0;
  Open open_ = Open::none;
  std::int64_t open_tool_ = -1;  // wire index of the open tool call
  std::int64_t last_tool_ = -1;  // highest wire tool index seen: later fragments of
                                 // closed calls cannot be sent any more
  std::string open_tool_id_;     // for upstreams that send no index
  bool saw_tool_call_ = false;
  bool saw_refusal_ = false;
  std::optional<std::string> finish_reason_;
  Usage usage_;
};

ApiError decode_error(int status, std::string_view body);

// --- stop reasons (the complete table is in stop_reason.cpp) ---
std::string_view finish_reason_for(ir::StopReason stop);
// `has_tool_calls` overrides "stop" from upstreams that report tool calls so
// (docs/protocols/README.md#pitfall-15). An unknown or missing reason counts as a normal end.
ir::StopReason stop_for(std::string_view finish_reason, bool has_tool_calls);

}  // namespace aiohub::openai_chat
