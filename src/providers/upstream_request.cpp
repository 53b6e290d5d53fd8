#include "providers/upstream_request.hpp"

#include <boost/json.hpp>

#include "providers/bedrock/bedrock.hpp"
#include "providers/openai_compatible/repair.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace aiohub {

namespace {

namespace json = boost::json;

bool has_extra_header(const Channel& channel, std::string_view name) {
  for (auto& [k, v] : channel.record.settings.headers)
    if (iequals(k, name)) return true;
  return false;
}

// The path (and query) of the request, before any proxy form.
std::string request_path(const Channel& channel, Protocol protocol,
                         const std::string& upstream_model, bool stream, bool count_tokens) {
  const std::string& custom = channel.record.settings.path;
  if (!custom.empty() && !count_tokens) {
    // The whole path; {model} and, for Gemini, {action} are filled in.
    std::string path = custom;
    replace_all(path, "{model}", upstream_model);
    if (protocol == Protocol::gemini) {
      const bool templated = path.find("{action}") != std::string::npos;
      replace_all(path, "{action}", stream ? "streamGenerateContent" : "generateContent");
      if (!templated) path += stream ? ":streamGenerateContent" : ":generateContent";
      if (stream && path.find("alt=sse") == std::string::npos)
        path += path.find('?') == std::string::npos ? "?alt=sse" : "&alt=sse";
    }
    return path;
  }
  std::string p = channel.upstream.path_prefix;
  switch (protocol) {
    case Protocol::openai_chat:
      p.append("/v1/chat/completions");
      break;
    case Protocol::openai_responses:
      p.append("/v1/responses");
      break;
    case Protocol::anthropic:
      p.append(count_tokens ? "/v1/messages/count_tokens" : "/v1/messages");
      break;
    case Protocol::gemini:
      p.append("/v1beta/models/");
      p.append(upstream_model);
      p.append(count_tokens ? ":countTokens"
               : stream     ? ":streamGenerateContent?alt=sse"
                            : ":generateContent");
      break;
  }
  return p;
}

// The request line's target: absolute-form through a plain-HTTP proxy.
std::string request_target(const Channel& channel, const std::string& path) {
  if (channel.upstream.proxy_host.empty() || channel.upstream.tls) return path;
  return "http://" + channel.upstream.host_header + path;
}

// Edits an OpenAI-compatible server may need: no stream_options, another
// name for the output limit. Members keep their order.
std::string chat_body_edits(const Channel& channel, std::string body) {
  const auto& st = channel.record.settings;
  const bool rename = !st.max_tokens_field.empty();
  if (st.stream_options && !rename) return body;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return body;
  json::object out;
  out.reserve(v.get_object().size());
  bool changed = false;
  for (auto& [key, value] : v.get_object()) {
    if (!st.stream_options && key == "stream_options") {
      changed = true;
      continue;
    }
    if (rename && (key == "max_tokens" || key == "max_completion_tokens")) {
      changed |= key != st.max_tokens_field;
      if (!out.contains(st.max_tokens_field)) out.emplace(st.max_tokens_field, std::move(value));
      continue;
    }
    out.emplace(key, std::move(value));
  }
  return changed ? json::serialize(out) : body;
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
      if (name.size() >= allowed.size() && iequals(name.substr(0, allowed.size()), allowed))
        return true;
    } else if (iequals(name, allowed)) {
      return true;
    }
  }
  return false;
}

std::string upstream_request_head(const Channel& channel, Protocol protocol,
                                  const std::string& upstream_model, bool stream,
                                  std::size_t content_length,
                                  const boost::beast::http::fields& client_headers,
                                  bool count_tokens) {
  const bool passthrough = channel.record.settings.passthrough;
  std::string h;
  h.reserve(320);
  h.append("POST ");
  h.append(request_target(channel,
                          request_path(channel, protocol, upstream_model, stream, count_tokens)));
  h.append(" HTTP/1.1\r\nHost: ");
  h.append(channel.upstream.host_header);
  h.append("\r\n");
  const std::string& key = channel.record.api_key;
  if (!key.empty()) {
    switch (protocol) {
      case Protocol::anthropic:
        h.append("x-api-key: ").append(key).append("\r\n");
        break;
      case Protocol::gemini:
        h.append("x-goog-api-key: ").append(key).append("\r\n");
        break;
      default:
        h.append("Authorization: Bearer ").append(key).append("\r\n");
    }
  }
  bool sent_version = false, sent_beta = false, sent_agent = false;
  if (passthrough) {
    for (const auto& field : client_headers) {
      const std::string_view name = field.name_string();
      if (!passthrough_header_allowed(name) || has_extra_header(channel, name)) continue;
      h.append(name).append(": ").append(std::string_view(field.value())).append("\r\n");
      sent_version |= iequals(name, "anthropic-version");
      sent_beta |= iequals(name, "anthropic-beta");
      sent_agent |= iequals(name, "user-agent");
    }
  }
  if (protocol == Protocol::anthropic) {
    if (!sent_version && !has_extra_header(channel, "anthropic-version")) {
      auto version = client_headers.find("anthropic-version");
      h.append("anthropic-version: ");
      h.append(version != client_headers.end() ? std::string_view(version->value()) : "2023-06-01");
      h.append("\r\n");
    }
    if (auto beta = client_headers.find("anthropic-beta");
        !sent_beta && beta != client_headers.end()) {
      h.append("anthropic-beta: ");
      h.append(std::string_view(beta->value()));
      h.append("\r\n");
    }
  }
  h.append(channel.extra_headers);
  if (!has_extra_header(channel, "content-type")) h.append("Content-Type: application/json\r\n");
  if (!has_extra_header(channel, "accept") && !(passthrough && client_headers.count("accept"))) {
    h.append("Accept: ");
    h.append(stream ? "text/event-stream" : "application/json");
    h.append("\r\n");
  } else if (passthrough && !has_extra_header(channel, "accept")) {
    h.append("Accept: ").append(std::string_view(client_headers["accept"])).append("\r\n");
  }
  if (!sent_agent && !has_extra_header(channel, "user-agent"))
    h.append("User-Agent: aiohub/0.1\r\n");
  h.append("Content-Length: ");
  h.append(std::to_string(content_length));
  h.append("\r\n\r\n");
  return h;
}

UpstreamRequest build_upstream_request(const Channel& channel, Protocol protocol,
                                       const std::string& upstream_model, bool stream,
                                       std::string body,
                                       const boost::beast::http::fields& client_headers,
                                       bool count_tokens) {
  UpstreamRequest r;
  const auto& st = channel.record.settings;
  if (channel.kind == ChannelKind::bedrock) {
    std::string_view beta;
    if (auto it = client_headers.find("anthropic-beta"); it != client_headers.end())
      beta = std::string_view(it->value());
    if (auto invoke = bedrock::invoke_body(body, beta))
      r.body = std::move(*invoke);
    else
      r.body = std::move(body);
    std::string path = st.path.empty() ? channel.upstream.path_prefix +
                                             bedrock::invoke_path(upstream_model, stream)
                                       : st.path;
    replace_all(path, "{model}", sigv4::uri_encode(upstream_model, false));
    bedrock::Auth auth;
    auth.region = st.region;
    auth.api_key = channel.record.api_key;
    auth.credentials = {st.aws_access_key_id, st.aws_secret_access_key, st.aws_session_token};
    r.head = bedrock::request_head(auth, channel.upstream.host_header, path, r.body, stream,
                                   channel.extra_headers, unix_now_s());
    // Signed over the path; a plain-HTTP proxy still needs the absolute form.
    if (!channel.upstream.proxy_host.empty() && !channel.upstream.tls)
      r.head.replace(5, path.size(), request_target(channel, path));
    return r;
  }
  r.body = protocol == Protocol::openai_chat && !st.passthrough
               ? chat_body_edits(channel, std::move(body))
               : std::move(body);
  r.head = upstream_request_head(channel, protocol, upstream_model, stream, r.body.size(),
                                 client_headers, count_tokens);
  return r;
}

bool is_stream_answer(const Channel& channel, std::string_view content_type) {
  const auto type = strip_content_type_params(content_type);
  return type == "text/event-stream" ||
         (channel.kind == ChannelKind::bedrock && type == bedrock::kEventStreamType);
}

std::unique_ptr<StreamRewriter> stream_rewriter(const Channel& channel, Protocol protocol) {
  if (channel.kind == ChannelKind::bedrock) return bedrock::make_sse_reframer();
  if (channel.kind == ChannelKind::openai_compatible && protocol == Protocol::openai_chat &&
      !channel.record.settings.passthrough)
    return std::make_unique<openai_compatible::ChunkRepair>();
  return nullptr;
}

awaitable<StreamStart> read_stream_start(UpstreamCall& call, StreamRewriter& rewriter) {
  StreamStart start;
  std::string_view piece;
  while (start.bytes.empty() && !start.ended) {
    if (!co_await call.read_some(piece)) {
      start.broken = true;
      break;
    }
    if (!piece.empty()) rewriter.feed(piece, start.bytes);
    if (piece.empty() || call.done()) {
      rewriter.finish(start.bytes);
      start.ended = true;
    }
  }
  if (auto* reframer = dynamic_cast<bedrock::SseReframer*>(&rewriter);
      reframer && reframer->error() && start.bytes.rfind("event: error\n", 0) == 0)
    start.error = reframer->error();
  co_return start;
}

std::string repair_answer(const Channel& channel, Protocol protocol, std::string body) {
  if (channel.kind == ChannelKind::openai_compatible && protocol == Protocol::openai_chat &&
      !channel.record.settings.passthrough)
    return openai_compatible::repair_response(std::move(body));
  return body;
}

ApiError decode_upstream_error(const Channel& channel, Protocol protocol, int status,
                               std::string_view error_type_header, std::string_view body) {
  if (channel.kind == ChannelKind::bedrock)
    return bedrock::decode_error(status, error_type_header, body);
  return codec(protocol).decode_error(status, body);
}

std::string body_with_model(const std::string& body, const json_peek::Object& peeked,
                            const std::string& model) {
  const auto* current = peeked.find("model");
  if (!current) return body;
  auto offset = static_cast<std::size_t>(current->value.data() - body.data());
  std::string out;
  out.reserve(body.size() + model.size());
  out.append(body, 0, offset);
  out.append(boost::json::serialize(boost::json::string(model)));
  out.append(body, offset + current->value.size());
  return out;
}

std::string_view strip_content_type_params(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto v = content_type.substr(0, semi);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "***");
  return text;
}

std::string scrub_channel_secrets(std::string text, const Channel& channel) {
  text = scrub_secret(std::move(text), channel.record.api_key);
  text = scrub_secret(std::move(text), channel.record.settings.aws_secret_access_key);
  return scrub_secret(std::move(text), channel.record.settings.aws_session_token);
}

std::vector<ir::Event> response_as_events(const ir::Response& r) {
  std::vector<ir::Event> events;
  ir::Event start;
  start.kind = ir::EventKind::message_start;
  start.id = r.id;
  start.model = r.model;
  start.usage.input = r.usage.input;
  start.usage.cache_read = r.usage.cache_read;
  start.usage.cache_write = r.usage.cache_write;
  events.push_back(start);
  int index = 0;
  for (const auto& part : r.parts) {
    ir::Event ps;
    ps.kind = ir::EventKind::part_start;
    ps.index = index;
    ps.part_kind = part.kind;
    ps.tool_call_id = part.tool_call_id;
    ps.tool_name = part.tool_name;
    if (part.kind == ir::PartKind::redacted_thinking) ps.delta = part.data;
    events.push_back(ps);
    auto delta = [&](ir::DeltaKind k, const std::string& text) {
      if (text.empty()) return;
      ir::Event d;
      d.kind = ir::EventKind::part_delta;
      d.index = index;
      d.part_kind = part.kind;
      d.delta_kind = k;
      d.delta = text;
      events.push_back(d);
    };
    switch (part.kind) {
      case ir::PartKind::text:
        delta(ir::DeltaKind::text, part.text);
        break;
      case ir::PartKind::tool_call:
        delta(ir::DeltaKind::arguments, part.arguments.empty() ? "{}" : part.arguments);
        break;
      case ir::PartKind::thinking:
        delta(ir::DeltaKind::thinking, part.text);
        delta(ir::DeltaKind::signature, part.signature);
        break;
      default:
        break;
    }
    ir::Event stop;
    stop.kind = ir::EventKind::part_stop;
    stop.index = index;
    stop.part_kind = part.kind;
    events.push_back(stop);
    ++index;
  }
  ir::Event md;
  md.kind = ir::EventKind::message_delta;
  md.stop = r.stop;
  md.stop_sequence = r.stop_sequence;
  md.usage = r.usage;
  events.push_back(md);
  ir::Event end;
  end.kind = ir::EventKind::message_stop;
  events.push_back(end);
  return events;
}

}  // namespace aiohub
