#pragma once
// Where a channel's requests go, parsed once from its base URL.
#include <optional>
#include <string>
#include <string_view>

namespace aiohub {

// Where a channel's requests go.
struct UpstreamAddress {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;  // host, with :port when not the scheme's default
  std::string path_prefix;  // base URL path without a trailing "/v1"
  std::string pool_key;     // scheme://host:port, plus the proxy when there is one
  // An HTTP proxy in between (channel setting `proxy`): https upstreams are
  // reached through a CONNECT tunnel, http ones by absolute-form requests.
  std::string proxy_host;  // empty: direct
  std::string proxy_port;
};

std::optional<UpstreamAddress> parse_base_url(std::string_view base_url);

}  // namespace aiohub
