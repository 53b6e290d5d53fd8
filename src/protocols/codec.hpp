#pragma once
// The codec operations the gateway needs from each of the four text
// protocols, behind one table so that the relay code is written once for
// every pair.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/protocol.hpp"
#include "ir/ir.hpp"

namespace aiohub {

class IrStreamEncoder {
 public:
  virtual ~IrStreamEncoder() = default;
  virtual void encode(const ir::Event& e, std::string& out) = 0;
};

class IrStreamDecoder {
 public:
  virtual ~IrStreamDecoder() = default;
  virtual void feed(std::string_view bytes, std::vector<ir::Event>& out) = 0;
  virtual void finish(std::vector<ir::Event>& out) = 0;
};

// What the URL adds to a request (Gemini keeps model and streaming there).
struct RequestTarget {
  std::string model;
  bool stream = false;
};

// What a client's request said that the IR does not carry but the answer
// must honour, kept from decoding the request to encoding the answer.
struct ClientHints {
  bool include_usage = false;               // Chat: stream_options.include_usage
  std::vector<std::string> freeform_tools;  // Responses: custom tools (Codex's apply_patch),
                                            // answered as custom_tool_call items
};

struct CodecOps {
  // client side
  std::optional<ApiError> (*decode_request)(std::string_view body, const RequestTarget& target,
                                            ir::Request& out, ClientHints& hints);
  std::string (*encode_response)(const ir::Response& r, const std::string& client_model,
                                 const ClientHints& hints);
  std::unique_ptr<IrStreamEncoder> (*stream_encoder)(const std::string& client_model,
                                                     const ClientHints& hints);
  // upstream side
  std::string (*encode_request)(const ir::Request& r);
  std::optional<ApiError> (*decode_response)(std::string_view body, ir::Response& out);
  std::unique_ptr<IrStreamDecoder> (*stream_decoder)();
  ApiError (*decode_error)(int status, std::string_view body);
};

const CodecOps& codec(Protocol p);

}  // namespace aiohub
