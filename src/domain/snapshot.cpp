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

std::optional<Channel> channel_from_record(ChannelRecord rec, std::string& problem) {
  Channel c;
  c.kind = channel_kind(rec.type);
  if (c.kind != ChannelKind::demo) {
    auto addr = parse_base_url(rec.base_url);
    if (!addr) {
      problem = "channel '" + rec.name + "' has an unusable base_url";
      return std::nullopt;
    }
    c.upstream = *addr;
    if (!rec.settings.proxy.empty()) {
      auto proxy = parse_base_url(rec.settings.proxy);
      if (!proxy || proxy->tls) {
        problem = "channel '" + rec.name + "' has an unusable proxy (want http://host:port)";
        return std::nullopt;
      }
      c.upstream.proxy_host = proxy->host;
      c.upstream.proxy_port = proxy->port;
      c.upstream.pool_key += " via " + proxy->host + ":" + proxy->port;
    }
  }
  for (auto& [name, value] : rec.settings.headers) {
    // A header line cannot hold a line break; a config that tries is ignored.
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      continue;
    c.extra_headers.append(name).append(": ").append(value).append("\r\n");
  }
  c.record = std::move(rec);
  return c;
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
