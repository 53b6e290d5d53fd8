#include "providers/adaptor.hpp"

#include "protocols/codec.hpp"
#include "util/strings.hpp"

namespace aiohub {
namespace {

bool has_extra_header(const Channel& channel, std::string_view name) {
  for (auto& [k, v] : channel.record.settings.headers)
    if (iequals(k, name)) return true;
  return false;
}

std::string_view api_suffix(UpstreamApi api) {
  switch (api) {
    case UpstreamApi::image_generations:
      return "/images/generations";
    case UpstreamApi::image_edits:
      return "/images/edits";
    default:
      return "";
  }
}

}  // namespace

bool passthrough_header_allowed(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {
      "session_id",         "conversation_id", "originator",          "openai-beta",
      "chatgpt-account-id", "anthropic-beta",  "anthropic-version",   "user-agent",
      "x-codex-*",          "x-stainless-*",   "x-client-request-id", "version",
      "x-goog-api-client"};
  for (std::string_view allowed : kAllowed) {
    if (allowed.back() == '*') {
      allowed.remove_suffix(1);
      if (istarts_with(name, allowed)) return true;
    } else if (iequals(name, allowed)) {
      return true;
    }
  }
  return false;
}

std::string request_target(const Channel& channel, const std::string& path) {
  if (channel.upstream.proxy_host.empty() || channel.upstream.tls) return path;
  return "http://" + channel.upstream.host_header + path;
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  replace_all(text, secret, "***");
  return text;
}

bool ProviderAdaptor::serves(Endpoint endpoint) const {
  // Every text protocol reaches every text upstream: the same protocol by
  // passthrough, the others through the IR.
  return endpoint != Endpoint::images;
}

std::string ProviderAdaptor::path(const Channel& channel, const UpstreamAsk& ask) const {
  const std::string& custom = channel.record.settings.path;
  const std::string_view suffix = api_suffix(ask.api);
  if (!custom.empty() && ask.api == UpstreamApi::generate) {
    std::string p = custom;
    replace_all(p, "{model}", ask.model);
    return p;
  }
  // A custom chat path ("/api/paas/v4/chat/completions") says where the
  // provider keeps its OpenAI-style API; its other endpoints sit beside it.
  constexpr std::string_view kChat = "/chat/completions";
  if (!custom.empty() && !suffix.empty() && std::string_view(custom).ends_with(kChat))
    return custom.substr(0, custom.size() - kChat.size()) + std::string(suffix);
  std::string p = channel.upstream.path_prefix;
  if (!suffix.empty()) return p.append("/v1").append(suffix);
  switch (protocol_) {
    case Protocol::openai_chat:
      return p.append("/v1/chat/completions");
    case Protocol::openai_responses:
      return p.append("/v1/responses");
    case Protocol::anthropic:
      return p.append(ask.api == UpstreamApi::count_tokens ? "/v1/messages/count_tokens"
                                                           : "/v1/messages");
    case Protocol::gemini:
      break;
  }
  return p;
}

void ProviderAdaptor::append_auth(const Channel& channel, std::string& h) const {
  if (!channel.record.api_key.empty())
    h.append("Authorization: Bearer ").append(channel.record.api_key).append("\r\n");
}

void ProviderAdaptor::append_protocol_headers(const Channel&, const UpstreamAsk&,
                                              std::string&) const {}

bool head_has_header(std::string_view head, std::string_view name) {
  for (auto pos = head.find("\r\n"); pos != std::string_view::npos;
       pos = head.find("\r\n", pos + 2)) {
    const std::string_view line = head.substr(pos + 2);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        iequals(line.substr(0, name.size()), name))
      return true;
  }
  return false;
}

bool channel_sets_header(const Channel& channel, std::string_view name) {
  return has_extra_header(channel, name);
}

std::string ProviderAdaptor::edit_body(const Channel&, const UpstreamAsk&, std::string body) const {
  return body;
}

std::string ProviderAdaptor::request_head(const Channel& channel, const UpstreamAsk& ask,
                                          std::string_view path, std::size_t content_length) const {
  const bool passthrough = channel.record.settings.passthrough;
  const auto& client = ask.client_headers;
  std::string h;
  h.reserve(320);
  h.append("POST ");
  h.append(request_target(channel, std::string(path)));
  h.append(" HTTP/1.1\r\nHost: ");
  h.append(channel.upstream.host_header);
  h.append("\r\n");
  append_auth(channel, h);
  bool sent_agent = false;
  if (passthrough) {
    for (const auto& field : client) {
      const std::string_view name = field.name_string();
      if (!passthrough_header_allowed(name) || has_extra_header(channel, name)) continue;
      h.append(name).append(": ").append(std::string_view(field.value())).append("\r\n");
      sent_agent |= iequals(name, "user-agent");
    }
  }
  append_protocol_headers(channel, ask, h);
  h.append(channel.extra_headers);
  if (!has_extra_header(channel, "content-type"))
    h.append("Content-Type: ").append(ask.content_type).append("\r\n");
  if (!has_extra_header(channel, "accept")) {
    h.append("Accept: ");
    if (passthrough && client.count("accept"))
      h.append(std::string_view(client["accept"]));
    else
      h.append(ask.stream ? "text/event-stream" : "application/json");
    h.append("\r\n");
  }
  if (!sent_agent && !has_extra_header(channel, "user-agent"))
    h.append("User-Agent: aiohub/0.1\r\n");
  h.append("Content-Length: ");
  h.append(std::to_string(content_length));
  h.append("\r\n\r\n");
  return h;
}

UpstreamRequest ProviderAdaptor::build_request(const Channel& channel, UpstreamAsk ask) const {
  UpstreamRequest r;
  r.body = edit_body(channel, ask, std::move(ask.body));
  r.head = request_head(channel, ask, path(channel, ask), r.body.size());
  return r;
}

std::unique_ptr<UpstreamExchange> ProviderAdaptor::open(const Channel& channel,
                                                        const UpstreamSite& site,
                                                        UpstreamTimeouts timeouts) const {
  return std::make_unique<UpstreamCall>(site.pool, channel.upstream, timeouts);
}

bool ProviderAdaptor::is_stream(std::string_view content_type) const {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), "text/event-stream");
}

std::unique_ptr<StreamRewriter> ProviderAdaptor::stream_rewriter(const Channel&) const {
  return nullptr;
}

std::optional<ApiError> ProviderAdaptor::first_event_refusal(const StreamRewriter&,
                                                             std::string_view) const {
  return std::nullopt;
}

ApiError ProviderAdaptor::decode_error(int status, const UpstreamExchange&,
                                       std::string_view body) const {
  return codec(protocol_).decode_error(status, body);
}

int ProviderAdaptor::error_status(int http_status, const ApiError&) const {
  return http_status;
}

std::string ProviderAdaptor::repair_answer(const Channel&, std::string body) const {
  return body;
}

bool ProviderAdaptor::may_omit_usage(const Channel& channel) const {
  // A passthrough channel sends the client's body as it is, so a stream
  // carries usage only when the client asked for it.
  return channel.record.settings.passthrough;
}

std::string scrub_credentials(std::string text, const ChannelRecord& record) {
  const auto& s = record.settings;
  for (const std::string* secret :
       {&record.api_key, &s.aws_secret_access_key, &s.aws_session_token})
    text = scrub_secret(std::move(text), *secret);
  return text;
}

std::string ProviderAdaptor::scrub(std::string text, const Channel& channel) const {
  return scrub_credentials(std::move(text), channel.record);
}

}  // namespace aiohub
