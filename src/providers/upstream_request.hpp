#pragma once
// Provider adaptors: where a channel's requests go and how they authenticate.
// Bodies come from the protocol codecs; this only knows URLs, headers and
// credentials.
#include <boost/beast/http/fields.hpp>

#include <string>

#include "gateway/protocol.hpp"
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

// `body` with its top-level "model" value replaced (the rest byte for byte).
std::string body_with_model(const std::string& body, const json_peek::Object& peeked,
                            const std::string& model);

std::string_view strip_content_type_params(std::string_view content_type);

// Replaces every occurrence of `secret` (when long enough to matter) with ***.
std::string scrub_secret(std::string text, const std::string& secret);

// A whole answer replayed as the stream events it would have been.
std::vector<ir::Event> response_as_events(const ir::Response& r);

}  // namespace aiohub
