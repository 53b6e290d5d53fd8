#include "providers/bedrock/bedrock.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "ir/sse.hpp"
#include "util/strings.hpp"

namespace aiohub::bedrock {
namespace json = boost::json;
namespace {

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!in.empty() && in.back() == '=') --len;
  if (in.size() > 1 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string message_of(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    for (const char* key : {"message", "Message"})
      if (auto* m = v.get_object().if_contains(key); m && m->is_string())
        return std::string(m->get_string());
  }
  std::string said(body.substr(0, 300));
  for (auto& c : said)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return said;
}

std::string error_event_data(std::string_view type, std::string_view message) {
  json::object err;
  err["type"] = type;
  err["message"] = message;
  json::object ev;
  ev["type"] = "error";
  ev["error"] = std::move(err);
  return json::serialize(ev);
}

}  // namespace

std::optional<std::string> invoke_body(std::string_view anthropic_body, std::string_view beta) {
  boost::system::error_code ec;
  json::value v = json::parse(anthropic_body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  // Rebuilt rather than erased from: erase moves the last member into the hole.
  json::object o;
  o.reserve(v.get_object().size() + 2);
  for (auto& [key, value] : v.get_object())
    if (key != "model" && key != "stream") o.emplace(key, std::move(value));
  if (!o.contains("anthropic_version")) o["anthropic_version"] = kAnthropicVersion;
  if (!beta.empty() && !o.contains("anthropic_beta")) {
    json::array flags;
    while (!beta.empty()) {
      auto comma = beta.find(',');
      std::string_view flag = beta.substr(0, comma);
      beta = comma == std::string_view::npos ? std::string_view{} : beta.substr(comma + 1);
      while (!flag.empty() && flag.front() == ' ') flag.remove_prefix(1);
      while (!flag.empty() && flag.back() == ' ') flag.remove_suffix(1);
      if (!flag.empty()) flags.emplace_back(flag);
    }
    if (!flags.empty()) o["anthropic_beta"] = std::move(flags);
  }
  return json::serialize(o);
}

std::string invoke_path(std::string_view model, bool stream) {
  return "/model/" + sigv4::uri_encode(model, false) +
         (stream ? "/invoke-with-response-stream" : "/invoke");
}

std::string request_head(const Auth& auth, std::string_view host, std::string_view path,
                         std::string_view body, bool stream, std::string_view extra_headers,
                         std::int64_t unix_seconds) {
  const std::string_view accept = stream ? kEventStreamType : "application/json";
  std::string h;
  h.reserve(768);
  h.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
  if (!auth.api_key.empty()) {
    h.append("Authorization: Bearer ").append(auth.api_key).append("\r\n");
  } else {
    sigv4::Request req;
    req.method = "POST";
    req.host = host;
    auto q = path.find('?');
    req.path = path.substr(0, q);
    if (q != std::string_view::npos) req.query = path.substr(q + 1);
    req.headers = {{"content-type", "application/json"}, {"accept", std::string(accept)}};
    req.body = body;
    auto s = sigv4::sign(req, auth.credentials, auth.region, "bedrock", unix_seconds);
    h.append("X-Amz-Date: ").append(s.amz_date).append("\r\n");
    if (!auth.credentials.session_token.empty())
      h.append("X-Amz-Security-Token: ").append(auth.credentials.session_token).append("\r\n");
    h.append("Authorization: ").append(s.authorization).append("\r\n");
  }
  h.append("Content-Type: application/json\r\nAccept: ").append(accept).append("\r\n");
  h.append(extra_headers);
  h.append("User-Agent: aiohub/0.1\r\nContent-Length: ");
  h.append(std::to_string(body.size()));
  h.append("\r\n\r\n");
  return h;
}

int status_for_exception(std::string_view name) {
  name = name.substr(0, name.find(':'));
  const std::string n = to_lower_ascii(name);
  static constexpr std::pair<std::string_view, int> kNames[] = {
      {"throttlingexception", 429},         {"servicequotaexceededexception", 429},
      {"toomanyrequestsexception", 429},    {"validationexception", 400},
      {"accessdeniedexception", 403},       {"unrecognizedclientexception", 401},
      {"expiredtokenexception", 401},       {"invalidsignatureexception", 401},
      {"resourcenotfoundexception", 404},   {"modelnotreadyexception", 503},
      {"serviceunavailableexception", 503}, {"modeltimeoutexception", 504},
      {"modelstreamerrorexception", 500},   {"modelerrorexception", 500},
      {"internalserverexception", 500},
  };
  for (const auto& [known, status] : kNames)
    if (n == known) return status;
  return 500;
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return "api_error";
  }
}

ApiError decode_error(int status, std::string_view error_type, std::string_view body) {
  ApiError e;
  std::string name(error_type.substr(0, error_type.find(':')));
  if (name.empty()) {
    // Some proxies drop the header; the body may still name the exception.
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (!ec && v.is_object())
      if (auto* t = v.get_object().if_contains("__type"); t && t->is_string()) {
        std::string_view type = t->get_string();
        name = std::string(
            type.substr(type.rfind('#') == std::string_view::npos ? 0 : type.rfind('#') + 1));
      }
  }
  e.status = name.empty() ? status : status_for_exception(name);
  e.message = message_of(body);
  if (!name.empty()) e.message = name + ": " + e.message;
  e.type = std::string(anthropic_error_type(e.status));
  return e;
}

void SseReframer::feed(std::string_view bytes, std::string& out) {
  if (failed_) return;
  std::vector<eventstream::Message> messages;
  auto err = decoder_.feed(bytes, messages);
  for (const auto& m : messages) {
    on_message(m, out);
    if (failed_) return;
  }
  if (err) error_event(502, "Bedrock sent a corrupt event stream: " + *err, out);
}

void SseReframer::finish(std::string& out) {
  if (!failed_ && !decoder_.idle())
    error_event(502, "Bedrock's event stream ended in the middle of a message", out);
}

void SseReframer::error_event(int status, std::string_view message, std::string& out) {
  failed_ = true;
  const std::string_view type = anthropic_error_type(status);
  error_ = ApiError{status, std::string(message), "", std::string(type)};
  out.append(sse_frame("error", error_event_data(type, message)));
}

void SseReframer::on_message(const eventstream::Message& m, std::string& out) {
  const std::string_view type = m.header(":message-type");
  if (type == "exception") {
    const std::string_view name = m.header(":exception-type");
    error_event(status_for_exception(name), std::string(name) + ": " + message_of(m.payload), out);
    return;
  }
  if (type == "error") {
    const std::string_view code = m.header(":error-code");
    error_event(status_for_exception(code),
                std::string(code) + ": " + std::string(m.header(":error-message")), out);
    return;
  }
  if (m.header(":event-type") != "chunk") return;
  boost::system::error_code ec;
  json::value v = json::parse(m.payload, ec);
  const json::value* bytes = !ec && v.is_object() ? v.get_object().if_contains("bytes") : nullptr;
  std::optional<std::string> event;
  if (bytes && bytes->is_string()) event = base64_decode(bytes->get_string());
  if (!event) {
    error_event(502, "Bedrock sent a chunk without readable bytes", out);
    return;
  }
  json::value ev = json::parse(*event, ec);
  if (ec || !ev.is_object()) {
    error_event(502, "Bedrock sent a chunk that is not an Anthropic event", out);
    return;
  }
  const json::value* t = ev.get_object().if_contains("type");
  std::string_view name = t && t->is_string() ? std::string_view(t->get_string()) : "";
  // One data line per event: a pretty-printed payload is compacted.
  if (event->find('\n') != std::string::npos) *event = json::serialize(ev);
  out.append(sse_frame(name, *event));
}

std::unique_ptr<StreamRewriter> make_sse_reframer() {
  return std::make_unique<SseReframer>();
}

}  // namespace aiohub::bedrock
