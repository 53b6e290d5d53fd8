#include "domain/snapshot.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

namespace aiohub {

ChannelKind channel_kind(std::string_view type) {
  if (type == "openai-compatible") return ChannelKind::openai_compatible;
  if (type == "openai-responses") return ChannelKind::openai_responses;
  if (type == "anthropic") return ChannelKind::anthropic;
  if (type == "gemini") return ChannelKind::gemini;
  if (type == "bedrock") return ChannelKind::bedrock;
  if (type == "demo") return ChannelKind::demo;
  return ChannelKind::openai;
}

bool kind_serves(ChannelKind kind, Endpoint endpoint) {
  // Every text protocol reaches every text upstream: the same protocol by
  // passthrough, the others through the IR (Bedrock speaks Anthropic's).
  switch (endpoint) {
    case Endpoint::chat:
    case Endpoint::messages:
    case Endpoint::responses:
    case Endpoint::gemini:
      return true;
    case Endpoint::images:
      // OpenAI-style image upstreams by passthrough, Gemini image models by
      // translation (src/images/).
      return kind == ChannelKind::openai || kind == ChannelKind::openai_compatible ||
             kind == ChannelKind::gemini;
  }
  return false;
}

std::optional<UpstreamAddress> parse_base_url(std::string_view base_url) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) return std::nullopt;
  auto& u = *parsed;
  UpstreamAddress a;
  if (u.scheme() == "https")
    a.tls = true;
  else if (u.scheme() != "http")
    return std::nullopt;
  a.host = std::string(u.encoded_host().data(), u.encoded_host().size());
  if (a.host.empty()) return std::nullopt;
  if (u.host_type() == boost::urls::host_type::ipv6) a.host = u.host_ipv6_address().to_string();
  const std::string default_port = a.tls ? "443" : "80";
  a.port = u.has_port() ? std::string(u.port()) : default_port;
  std::string host_for_header =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + a.host + "]" : a.host;
  a.host_header = a.port == default_port ? host_for_header : host_for_header + ":" + a.port;
  std::string path(u.encoded_path().data(), u.encoded_path().size());
  while (!path.empty() && path.back() == '/') path.pop_back();
  // The config asks for the provider root, but "https://api.example.com/v1"
  // is what most provider pages show; accept both.
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0)
    path.resize(path.size() - 3);
  a.path_prefix = path;
  a.pool_key = std::string(a.tls ? "https://" : "http://") + a.host + ":" + a.port;
  return a;
}

Protocol upstream_protocol(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::anthropic:
    case ChannelKind::bedrock:
      return Protocol::anthropic;
    case ChannelKind::openai_responses:
      return Protocol::openai_responses;
    case ChannelKind::gemini:
      return Protocol::gemini;
    default:
      return Protocol::openai_chat;
  }
}

const std::string& Channel::upstream_model(const std::string& model) const {
  auto it = record.model_map.find(model);
  return it == record.model_map.end() ? model : it->second;
}

const Group* Snapshot::group(const std::string& name) const {
  auto it = groups.find(name);
  return it == groups.end() ? nullptr : &it->second;
}

const Price* Snapshot::price(const std::string& model) const {
  auto it = prices.find(model);
  return it == prices.end() ? nullptr : &it->second;
}

}  // namespace aiohub
