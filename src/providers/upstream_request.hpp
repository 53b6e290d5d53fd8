#pragma once
// Provider adaptors: where a channel's requests go and how they authenticate.
// Bodies come from the protocol codecs; this only knows URLs, headers and
// credentials.
#include <boost/beast/http/fields.hpp>

#include <memory>
#include <string>

#include "domain/snapshot.hpp"
#include "protocols/codec.hpp"
#include "providers/stream_rewriter.hpp"
#include "server/upstream.hpp"
#include "util/json_peek.hpp"

namespace aiohub {

// The request line and headers for one upstream call. `client_headers` lend
// the few headers that must travel (anthropic-beta / anthropic-version on
// Anthropic passthrough).
// With `count_tokens` the request goes to the protocol's token-counting
// endpoint instead of generation.
std::string upstream_request_head(const Channel& channel, Protocol protocol,
                                  const std::string& upstream_model, bool stream,
                                  std::size_t content_length,
                                  const boost::beast::http::fields& client_headers,
                                  bool count_tokens = false);

struct UpstreamRequest {
  std::string head;
  std::string body;
};

// The whole upstream request for `body` in the channel's protocol: the
// channel's path, authentication, extra headers and proxy request form;
// Bedrock's invoke body and SigV4 signature; the body edits an
// OpenAI-compatible channel asks for (stream_options, max_tokens_field);
// and on a passthrough channel the allow-listed client headers.
UpstreamRequest build_upstream_request(const Channel& channel, Protocol protocol,
                                       const std::string& upstream_model, bool stream,
                                       std::string body,
                                       const boost::beast::http::fields& client_headers,
                                       bool count_tokens = false);

// Whether an upstream answer with this Content-Type is a stream to relay
// event by event (SSE; Bedrock's event stream).
bool is_stream_answer(const Channel& channel, std::string_view content_type);

// What turns the channel's stream into its protocol's SSE before a codec or
// the client reads it (Bedrock's event stream, an OpenAI-compatible
// server's quirks); null when the stream is read as it is.
std::unique_ptr<StreamRewriter> stream_rewriter(const Channel& channel, Protocol protocol);

// The start of a stream, read before the client is answered: Bedrock
// answers 200 and may still refuse in its first frame (an exception instead
// of a chunk), which must reach the client as an HTTP status (and the retry
// rules) rather than as an error inside a 200 stream.
struct StreamStart {
  std::string bytes;              // the first event(s), rewritten
  bool ended = false;             // the upstream body ended with them
  bool broken = false;            // reading failed (call.error() says why)
  std::optional<ApiError> error;  // the stream began with an error event
};
// Reads until `rewriter` has produced output (or the body ended).
awaitable<StreamStart> read_stream_start(UpstreamCall& call, StreamRewriter& rewriter);

// A whole answer put right the same way (OpenAI-compatible tool-call ids).
std::string repair_answer(const Channel& channel, Protocol protocol, std::string body);

// An upstream error answer, read the channel's way (Bedrock names its
// exceptions in x-amzn-errortype).
ApiError decode_upstream_error(const Channel& channel, Protocol protocol, int status,
                               std::string_view error_type_header, std::string_view body);

// Client headers a passthrough channel forwards (lower-case names; a
// trailing '*' matches a prefix).
bool passthrough_header_allowed(std::string_view name);

// `body` with its top-level "model" value replaced (the rest byte for byte).
std::string body_with_model(const std::string& body, const json_peek::Object& peeked,
                            const std::string& model);

std::string_view strip_content_type_params(std::string_view content_type);

// Replaces every occurrence of `secret` (when long enough to matter) with ***.
std::string scrub_secret(std::string text, const std::string& secret);
// The same for every credential of the channel (api_key, AWS secret and token).
std::string scrub_channel_secrets(std::string text, const Channel& channel);

// A whole answer replayed as the stream events it would have been.
std::vector<ir::Event> response_as_events(const ir::Response& r);

}  // namespace aiohub
