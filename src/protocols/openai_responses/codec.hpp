#pragma once
// OpenAI Responses API (POST /v1/responses) <-> canonical representation
// (docs/codecs.md). Clients: the openai SDKs and Codex CLI; upstreams: OpenAI
// and compatible servers.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "ir/sse.hpp"
#include "protocols/errors.hpp"

namespace aiohub::openai_responses {

// What the client's request said that the IR cannot carry but the answer
// needs: Codex's freeform tools (type "custom", e.g. apply_patch) travel as
// functions with one string argument "input", and must come back to the
// client as custom_tool_call items with that input unwrapped
// (docs/protocols/README.md#pitfall-14).
struct ClientOptions {
  std::vector<std::string> custom_tools;
};

// --- client side ---
std::optional<ApiError> decode_request(std::string_view body, ir::Request& out);
std::optional<ApiError> decode_request(std::string_view body, ir::Request& out,
                                       ClientOptions& client);
// Overloads rather than a default argument, so that the two-argument form
// can be taken as a plain function pointer.
std::string encode_response(const ir::Response& r, const std::string& client_model);
std::string encode_response(const ir::Response& r, const std::string& client_model,
                            const ClientOptions& client);

class StreamEncoder {
 public:
  explicit StreamEncoder(std::string client_model, ClientOptions client = {});
  void encode(const ir::Event& e, std::string& out);

 private:
  enum class Item { none, message, function_call, custom_tool_call, reasoning };
  void emit(std::string_view type, boost::json::object ev, std::string& out);
  void start_part(const ir::Event& e, std::string& out);
  void delta(const ir::Event& e, std::string& out);
  void stop_part(std::string& out);
  void finish(std::string& out);
  void fail(const ApiError& err, std::string& out);
  boost::json::object response(std::string_view status) const;

  std::string client_model_;
  ClientOptions client_;
  std::int64_t seq_ = 0;
  std::string id_;
  std::int64_t created_at_ = 0;
  bool started_ = false;
  bool ended_ = false;
  boost::json::array output_;  // completed items, for the terminal event
  // The item being streamed.
  Item item_ = Item::none;
  std::string item_id_;
  std::string call_id_;
  std::string name_;
  std::string text_;       // output text, arguments or reasoning summary
  std::string signature_;  // reasoning encrypted_content
  bool summary_open_ = false;
  // From message_delta.
  std::optional<ir::StopReason> stop_;
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
  enum class Open { none, text, tool_call, custom_tool_call, thinking };
  void on_event(const boost::json::object& ev, std::vector<ir::Event>& out);
  void on_item_added(const boost::json::object& item, std::int64_t output_index,
                     std::vector<ir::Event>& out);
  void on_item_done(const boost::json::object& item, std::int64_t output_index,
                    std::vector<ir::Event>& out);
  void on_terminal(const boost::json::object& response, std::vector<ir::Event>& out);
  void ensure_started(std::vector<ir::Event>& out);
  void open(Open kind, std::int64_t output_index, std::vector<ir::Event>& out,
            std::string call_id = {}, std::string name = {});
  void send(ir::DeltaKind kind, std::string_view text, std::vector<ir::Event>& out);
  void close(std::vector<ir::Event>& out);

  SseParser sse_;
  bool started_ = false;
  bool ended_ = false;
  int next_index_ = 0;
  bool saw_tool_call_ = false;
  bool saw_refusal_ = false;
  // The upstream output item being read, and the IR part being streamed.
  std::int64_t open_output_ = -1;
  std::size_t item_sent_ = 0;  // bytes of text/arguments sent for the item
  Open open_ = Open::none;
  std::size_t sent_ = 0;             // ... and for the part
  std::int64_t summary_index_ = -1;  // last reasoning summary part seen
  std::string custom_input_;         // custom_tool_call input, sent whole at the end
};

ApiError decode_error(int status, std::string_view body);

// --- stop reasons ---
// Responses has no finish_reason: the outcome is the response status plus
// incomplete_details.reason, and tool use is inferred from function_call
// items (docs/protocols/README.md#pitfall-15).
struct WireStatus {
  std::string_view status;             // completed | incomplete | failed
  std::string_view incomplete_reason;  // empty: incomplete_details is null
};
WireStatus status_for(ir::StopReason stop);
ir::StopReason stop_for(std::string_view status, std::string_view incomplete_reason,
                        bool has_tool_calls);

}  // namespace aiohub::openai_responses
