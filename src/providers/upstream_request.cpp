#include "providers/upstream_request.hpp"

#include <boost/json.hpp>

namespace aiohub {

std::string upstream_request_head(const Channel& channel, Protocol protocol,
                                  const std::string& upstream_model, bool stream,
                                  std::size_t content_length,
                                  const boost::beast::http::fields& client_headers,
                                  bool count_tokens) {
  std::string h;
  h.reserve(320);
  h.append("POST ");
  h.append(channel.upstream.path_prefix);
  switch (protocol) {
    case Protocol::openai_chat:
      h.append("/v1/chat/completions");
      break;
    case Protocol::openai_responses:
      h.append("/v1/responses");
      break;
    case Protocol::anthropic:
      h.append(count_tokens ? "/v1/messages/count_tokens" : "/v1/messages");
      break;
    case Protocol::gemini:
      h.append("/v1beta/models/");
      h.append(upstream_model);
      h.append(count_tokens ? ":countTokens"
               : stream     ? ":streamGenerateContent?alt=sse"
                            : ":generateContent");
      break;
  }
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
  if (protocol == Protocol::anthropic) {
    auto version = client_headers.find("anthropic-version");
    h.append("anthropic-version: ");
    h.append(version != client_headers.end() ? std::string_view(version->value()) : "2023-06-01");
    h.append("\r\n");
    if (auto beta = client_headers.find("anthropic-beta"); beta != client_headers.end()) {
      h.append("anthropic-beta: ");
      h.append(std::string_view(beta->value()));
      h.append("\r\n");
    }
  }
  h.append("Content-Type: application/json\r\nAccept: ");
  h.append(stream ? "text/event-stream" : "application/json");
  h.append("\r\nUser-Agent: aiohub/0.1\r\nContent-Length: ");
  h.append(std::to_string(content_length));
  h.append("\r\n\r\n");
  return h;
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
