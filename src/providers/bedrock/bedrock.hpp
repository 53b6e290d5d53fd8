#pragma once
// AWS Bedrock as a channel (type "bedrock"): Claude through InvokeModel and
// InvokeModelWithResponseStream. The body is Anthropic's Messages body
// without model and stream, with anthropic_version "bedrock-2023-05-31" and
// the beta flags in an anthropic_beta array; the model id goes in the path,
// the region in the host. Requests are signed with SigV4 (service
// "bedrock"), or carry a Bedrock API key as a bearer token. Streams come back
// as event-stream frames whose chunk events hold base64 Anthropic SSE event
// JSON; they are re-framed as Anthropic SSE, so that the Anthropic stream
// decoder serves every client protocol and Anthropic clients get their own
// stream back.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/errors.hpp"
#include "providers/bedrock/eventstream.hpp"
#include "providers/bedrock/sigv4.hpp"
#include "providers/stream_rewriter.hpp"

namespace aiohub::bedrock {

constexpr std::string_view kAnthropicVersion = "bedrock-2023-05-31";
constexpr std::string_view kEventStreamType = "application/vnd.amazon.eventstream";

struct Auth {
  std::string region;
  sigv4::Credentials credentials;  // used when api_key is empty
  std::string api_key;             // a Bedrock API key, sent as a bearer token
};

// An Anthropic Messages request body -> the InvokeModel body. `beta` is the
// client's anthropic-beta header (comma-separated), if any. Returns nullopt
// when the body is not a JSON object.
std::optional<std::string> invoke_body(std::string_view anthropic_body, std::string_view beta);

// "/model/<model id, URI-encoded>/invoke" or ".../invoke-with-response-stream".
std::string invoke_path(std::string_view model, bool stream);

// The signed request head. `path` is the full path as sent (base URL prefix
// included); `extra_headers` are whole header lines ("Name: value\r\n"),
// sent unsigned.
std::string request_head(const Auth& auth, std::string_view host, std::string_view path,
                         std::string_view body, bool stream, std::string_view extra_headers,
                         std::int64_t unix_seconds);

// The status an exception name stands for ("ThrottlingException",
// "throttlingException", "ThrottlingException:http://...").
int status_for_exception(std::string_view name);
// The Anthropic error type a Bedrock exception becomes in an Anthropic stream.
std::string_view anthropic_error_type(int status);

// A non-streamed error answer: `error_type` is the x-amzn-errortype header.
ApiError decode_error(int status, std::string_view error_type, std::string_view body);

// Event-stream bytes -> Anthropic SSE bytes. Exception frames become an
// Anthropic "error" event; a corrupt frame becomes an error event too, and
// nothing after it is read.
class SseReframer : public StreamRewriter {
 public:
  void feed(std::string_view bytes, std::string& out) override;
  void finish(std::string& out) override;
  bool failed() const { return failed_; }
  // The exception (or corruption) that ended the stream, once it did.
  const std::optional<ApiError>& error() const { return error_; }

 private:
  void on_message(const eventstream::Message& m, std::string& out);
  void error_event(int status, std::string_view message, std::string& out);
  eventstream::Decoder decoder_;
  bool failed_ = false;
  std::optional<ApiError> error_;
};

std::unique_ptr<StreamRewriter> make_sse_reframer();

}  // namespace aiohub::bedrock
