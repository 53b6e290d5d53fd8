#pragma once
// Gemini API (models/{model}:generateContent and :streamGenerateContent?alt=sse)
// <-> canonical representation (docs/codecs.md). Clients: @google/genai and
// Gemini CLI; upstreams: the Gemini Developer API.
//
// Conventions:
// - A thoughtSignature travels on the part it came with: Part::signature of a
//   text, thinking or tool_call part; in streams a DeltaKind::signature delta
//   of that part (after a tool call's arguments).
// - Gemini function calls may lack ids. Requests get "call_<n>" ids, stable
//   within the request; answers get fresh unique ids.
#include <boost/json/fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "ir/sse.hpp"
#include "protocols/errors.hpp"

namespace aiohub::gemini {

// --- client side ---
// `model` and `stream` come from the URL path (models/{model}:streamGenerateContent).
std::optional<ApiError> decode_request(std::string_view body, std::string_view model, bool stream,
                                       ir::Request& out);
std::string encode_response(const ir::Response& r, const std::string& client_model);

class StreamEncoder {
 public:
  explicit StreamEncoder(std::string client_model);
  void encode(const ir::Event& e, std::string& out);

 private:
  void delta(const ir::Event& e, std::string& out);
  void flush_tool_call(std::string& out);
  void finish_chunk(std::string& out);
  void chunk(boost::json::array parts, std::string& out);
  void send(boost::json::object candidate, bool with_usage, std::string& out);

  std::string client_model_;
  std::string response_id_;
  bool ended_ = false;
  bool finished_ = false;              // the finishReason chunk went out
  std::map<int, ir::PartKind> kinds_;  // IR part index -> kind, from part_start
  // The tool call being buffered: Gemini sends calls whole (docs/protocols/README.md#pitfall-6).
  int tool_index_ = -1;
  std::string tool_id_;
  std::string tool_name_;
  std::string tool_args_;
  std::string tool_signature_;
  ir::StopReason stop_ = ir::StopReason::end_turn;
  Usage usage_;
};

// --- upstream side ---
std::string encode_request(const ir::Request& r);
std::optional<ApiError> decode_response(std::string_view body, ir::Response& out);

class StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<ir::Event>& out);
  void finish(std::vector<ir::Event>& out);

 private:
  void on_chunk(const SseEvent& sse, std::vector<ir::Event>& out);
  void on_part(const boost::json::object& part, std::vector<ir::Event>& out);
  void open(ir::PartKind kind, std::string id, std::string name, std::vector<ir::Event>& out);
  void send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out);
  void close(std::vector<ir::Event>& out);
  void end(ir::StopReason stop, std::vector<ir::Event>& out);
  void fail(ApiError err, std::vector<ir::Event>& out);

  SseParser sse_;
  bool started_ = false;
  bool finished_ = false;  // a finishReason arrived; message_stop waits for finish()
  bool ended_ = false;     // message_stop or error sent
  bool saw_tool_call_ = false;
  // Id-less calls get "call_<responseId>_<n>": unique across turns, and the
  // same however the bytes were split.
  std::string call_prefix_;
  int calls_ = 0;
  int next_index_ = 0;
  int open_ = -1;  // IR index of the open part
  ir::PartKind open_kind_ = ir::PartKind::text;
  Usage usage_;
};

ApiError decode_error(int status, std::string_view body);

// --- finish reasons (the complete table is in stop_reason.cpp) ---
std::string_view wire_finish_reason(ir::StopReason stop);
// STOP with functionCall parts is a tool call (docs/protocols/README.md#pitfall-15).
ir::StopReason ir_stop_reason(std::string_view finish_reason, bool has_tool_calls);

}  // namespace aiohub::gemini
