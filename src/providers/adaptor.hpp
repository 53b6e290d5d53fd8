#pragma once
// One adaptor per channel kind: everything that differs between providers
// lives behind this interface, so that the relays and the failover loop are
// written once. An adaptor knows its provider's URLs, authentication and
// signing, how it frames a stream, how it refuses, how it reports errors
// and usage, and what it can serve. Bodies come from the protocol codecs;
// an adaptor only edits them where its provider needs it.
#include <boost/beast/http/fields.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/snapshot.hpp"
#include "providers/stream_rewriter.hpp"
#include "server/upstream.hpp"

namespace aiohub {

// Which of the provider's APIs a request calls.
enum class UpstreamApi {
  generate,           // the protocol's generation endpoint
  count_tokens,       // its token-counting endpoint
  image_generations,  // OpenAI Images: POST /v1/images/generations
  image_edits,        // OpenAI Images: POST /v1/images/edits (multipart)
};

// What the gateway asks an upstream for.
struct UpstreamAsk {
  UpstreamApi api = UpstreamApi::generate;
  const std::string& model;  // the upstream's name for it
  bool stream = false;
  std::string body;
  std::string_view content_type = "application/json";
  // The client's request headers: a few travel upstream (anthropic-beta on
  // Claude channels; an allow-list on passthrough channels).
  const boost::beast::http::fields& client_headers;
};

struct UpstreamRequest {
  std::string head;
  std::string body;
};

// Where an exchange runs: the worker's executor and upstream pool.
struct UpstreamSite {
  asio::any_io_executor executor;
  std::shared_ptr<UpstreamPool> pool;
};

class ProviderAdaptor {
 public:
  ProviderAdaptor(ChannelKind kind, Protocol protocol) : kind_(kind), protocol_(protocol) {}
  virtual ~ProviderAdaptor() = default;

  ChannelKind kind() const { return kind_; }
  // The protocol the provider speaks.
  Protocol protocol() const { return protocol_; }
  // Whether a channel of this kind can answer a client of this endpoint.
  virtual bool serves(Endpoint endpoint) const;

  // The whole upstream request: path, authentication, the channel's extra
  // headers and proxy form, and the body edits this provider needs.
  virtual UpstreamRequest build_request(const Channel& channel, UpstreamAsk ask) const;
  // A new exchange with the channel's upstream (a pooled connection).
  virtual std::unique_ptr<UpstreamExchange> open(const Channel& channel, const UpstreamSite& site,
                                                 UpstreamTimeouts timeouts) const;

  // Whether an answer of this Content-Type is a stream to relay piece by piece.
  virtual bool is_stream(std::string_view content_type) const;
  // What turns the provider's stream into its protocol's SSE before anyone
  // reads it; null when it is read as it is.
  virtual std::unique_ptr<StreamRewriter> stream_rewriter(const Channel& channel) const;
  // Whether a 200 stream may still open with a refusal that must reach the
  // client as a status (and the retry rules) rather than inside the stream.
  virtual bool refuses_in_first_event() const { return false; }
  // The refusal in the stream's first rewritten bytes, if they are one.
  virtual std::optional<ApiError> first_event_refusal(const StreamRewriter& rewriter,
                                                      std::string_view first_bytes) const;

  // An error answer, read the provider's way.
  virtual ApiError decode_error(int status, const UpstreamExchange& call,
                                std::string_view body) const;
  // The status an error stands for: the HTTP status, unless the provider
  // names the error more precisely than its status does.
  virtual int error_status(int http_status, const ApiError& decoded) const;
  // Whether error bodies are in the protocol's own shape (and so can reach
  // a client of the same protocol as they are).
  virtual bool errors_in_protocol_shape() const { return true; }
  // A whole answer put right before anyone reads it.
  virtual std::string repair_answer(const Channel& channel, std::string body) const;

  // Whether the provider answers the protocol's token-counting endpoint.
  virtual bool counts_tokens() const { return true; }
  // Whether an answer may come without usage (then the gateway estimates).
  virtual bool may_omit_usage(const Channel& channel) const;
  // Whether the usage it reports is itself an estimate.
  virtual bool usage_is_estimate() const { return false; }

  // `text` with every credential of the channel replaced by ***.
  std::string scrub(std::string text, const Channel& channel) const;

 protected:
  // The request path (and query) for `api`, before any proxy form.
  virtual std::string path(const Channel& channel, const UpstreamAsk& ask) const;
  // The authentication header lines.
  virtual void append_auth(const Channel& channel, std::string& head) const;
  // Protocol headers (anthropic-version …) not already in `head`.
  virtual void append_protocol_headers(const Channel& channel, const UpstreamAsk& ask,
                                       std::string& head) const;
  // The body as this provider wants it.
  virtual std::string edit_body(const Channel& channel, const UpstreamAsk& ask,
                                std::string body) const;
  // The request head for `path`, common to every HTTP provider.
  std::string request_head(const Channel& channel, const UpstreamAsk& ask, std::string_view path,
                           std::size_t content_length) const;

 private:
  ChannelKind kind_;
  Protocol protocol_;
};

const ProviderAdaptor& adaptor_for(ChannelKind kind);
inline const ProviderAdaptor& adaptor_for(const Channel& channel) {
  return adaptor_for(channel.kind);
}

// Client headers a passthrough channel forwards (lower-case names; a
// trailing '*' matches a prefix).
bool passthrough_header_allowed(std::string_view name);
// The request line's target for `path`: absolute-form through a plain-HTTP proxy.
std::string request_target(const Channel& channel, const std::string& path);
// Whether a request head already carries the header `name`.
bool head_has_header(std::string_view head, std::string_view name);
// Whether the channel's own `headers` setting names `name`.
bool channel_sets_header(const Channel& channel, std::string_view name);
// Replaces every occurrence of `secret` (when long enough to matter) with ***.
std::string scrub_secret(std::string text, const std::string& secret);
// The same for every credential of a channel (api key, AWS secret and token).
std::string scrub_credentials(std::string text, const ChannelRecord& record);

}  // namespace aiohub
