#pragma once
// Anthropic Messages API (POST /v1/messages) <-> canonical representation
// (docs/codecs.md). Clients: the Anthropic SDKs and Claude Code; upstreams:
// Anthropic and compatible servers.
//
// Stream convention for redacted thinking: its opaque payload travels as
// DeltaKind::signature deltas of a redacted_thinking part.
#include <boost/json/fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "ir/sse.hpp"
#include "protocols/errors.hpp"

namespace aiohub::anthropic {

// --- client side ---
std::optional<ApiError> decode_request(std::string_view body, ir::Request& out);
std::string encode_response(const ir::Response& r, const std::string& client_model);

class StreamEncoder {
 public:
  explicit StreamEncoder(std::string client_model);
  void encode(const ir::Event& e, std::string& out);

 private:
  enum class Block { none, text, tool_use, thinking, redacted_thinking, skipped };
  void start(const Usage& usage, std::string id, std::string& out);
  void open(Block type, const ir::Event& e, std::string& out);
  void delta(const ir::Event& e, std::string& out);
  void close(std::string& out);
  void message_delta(const ir::Event& e, std::string& out);
  void emit(std::string_view type, boost::json::object data, std::string& out);

  std::string client_model_;
  bool started_ = false;
  bool ended_ = false;
  bool delta_sent_ = false;
  bool saw_tool_use_ = false;
  int next_index_ = 0;  // the Anthropic index of the next block
  // The open block.
  Block block_ = Block::none;
  int ir_index_ = -1;
  std::string buffer_;  // tool arguments sent so far, or the redacted payload
};

// --- upstream side ---
std::string encode_request(const ir::Request& r);
std::optional<ApiError> decode_response(std::string_view body, ir::Response& out);

class StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<ir::Event>& out);
  void finish(std::vector<ir::Event>& out);

 private:
  void on_event(const SseEvent& sse, std::vector<ir::Event>& out);
  void on_block_start(const boost::json::object& ev, std::vector<ir::Event>& out);
  void on_block_delta(const boost::json::object& ev, std::vector<ir::Event>& out);
  void on_message_delta(const boost::json::object& ev, std::vector<ir::Event>& out);
  void send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out);
  void close(std::vector<ir::Event>& out);
  void fail(ApiError err, std::vector<ir::Event>& out);

  SseParser sse_;
  bool started_ = false;
  bool ended_ = false;
  bool delta_seen_ = false;  // message_delta came: no more parts (the IR's order)
  int next_index_ = 0;
  // Anthropic block index -> IR part index; -1 for blocks the IR cannot carry
  // (server tool blocks).
  std::map<std::int64_t, int> indices_;
  int open_ = -1;  // IR index of the open part
  Usage usage_;    // from message_start, updated by message_delta
};

ApiError decode_error(int status, std::string_view body);

// --- stop reasons (the complete table is in stop_reason.cpp) ---
std::string_view wire_stop_reason(ir::StopReason stop);
ir::StopReason ir_stop_reason(std::string_view wire);

}  // namespace aiohub::anthropic
