// The client side of the HTTP server (src/server/http_server.cpp): Beast's
// request_parser set up as the server sets it up (64 KiB header limit, the
// body limit), fed the bytes in pieces, and then what the server and gateway
// do with a parsed head before any handler: split target into path and
// query, the Content-Length check, Expect, CORS, route classification
// (endpoints), the key lookup over headers and query (auth), the early error
// body in the path's protocol shape, keep-alive. Checks, beyond no crash:
// the same bytes parse to the same request however they are split.
#include "fuzz_support.hpp"
#include "pipeline/auth.hpp"
#include "app/routes.hpp"
#include "protocols/errors.hpp"
#include "server/asio.hpp"
#include "server/cors.hpp"

using namespace aiohub;

namespace {

// The server's limits (HttpServer::session and ServerOptions): the default
// body limit, or a small one that the fuzzer can cross.
constexpr std::size_t kHeaderLimit = 64 * 1024;

std::string after_head(http::request_parser<http::string_body>& parser, std::size_t body_limit) {
  std::string out;
  const auto& req = parser.get();
  std::string target(req.target());
  auto qpos = target.find('?');
  std::string_view path = std::string_view(target).substr(0, qpos);
  std::string_view query =
      qpos == std::string::npos ? std::string_view{} : std::string_view(target).substr(qpos + 1);
  if (auto len = parser.content_length(); len && *len > body_limit) out += "413 ";
  if (auto exp = req.find(http::field::expect);
      exp != req.end() && beast::iequals(exp->value(), "100-continue"))
    out += "continue ";
  if (cors_applies(path)) out += "cors ";
  auto c = classify_request(req.method_string(), path);
  out += std::to_string(int(c.kind)) + " " + c.gemini_model + " " + c.image_file + " " + c.message;
  out += " key=" + std::string(presented_key(req, query));
  if (c.kind == RouteKind::preflight) out += preflight_headers(req);
  out += error_body(error_shape_for_path(path), {413, "too large", "", ""});
  return out;
}

std::string run(std::string_view bytes, const std::vector<std::size_t>& cuts,
                std::size_t body_limit) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(body_limit);
  std::string out;
  std::string buffer;
  bool head_seen = false;
  beast::error_code ec;
  auto pump = [&]() {
    while (!buffer.empty() && !parser.is_done()) {
      auto n = parser.put(asio::buffer(buffer), ec);
      buffer.erase(0, n);
      if (ec == http::error::need_more) {
        ec = {};
        return true;
      }
      if (ec) return false;
      if (!head_seen && parser.is_header_done()) {
        head_seen = true;
        out += "head " + after_head(parser, body_limit) + "\n";
      }
    }
    return true;
  };
  std::size_t at = 0;
  std::vector<std::size_t> all = cuts;
  all.push_back(bytes.size());
  for (auto cut : all) {
    buffer.append(bytes.substr(at, cut - at));
    at = cut;
    if (!pump()) break;
    if (parser.is_done()) break;
  }
  if (!ec && !parser.is_done()) {
    // As http::read does at end of stream: put_eof only after some bytes.
    if (parser.got_some())
      parser.put_eof(ec);
    else
      ec = http::error::end_of_stream;
    if (!head_seen && !ec && parser.is_header_done())
      out += "head " + after_head(parser, body_limit) + "\n";
  }
  if (ec) {
    // What the server does with a failed read (HttpServer::session): which
    // error Beast reports depends on where the bytes were cut, as it does on
    // a real socket, so what is compared is the server's answer.
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      // 431 / 413 with the target read so far.
      std::string t(parser.get().target().substr(0, parser.get().target().find('?')));
      out += std::string(ec == http::error::header_limit ? "431 " : "413 ") +
             error_body(error_shape_for_path(t), {413, "x", "", ""});
      (void)error_body(error_shape_for_path(t), {400, "Malformed HTTP request: " + ec.message(), "", ""});
    } else if (head_seen && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      out += "400";
    } else {
      out += "close";
    }
  } else if (parser.is_done()) {
    const auto& req = parser.get();
    out += "done " + std::to_string(req.body().size()) + (req.keep_alive() ? " keep" : " close");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  const std::size_t body_limit = (fuzz::hash(bytes) & 1) ? (32u << 20) : 64;
  const std::string whole = run(bytes, {}, body_limit);
  for (const auto& cuts : {fuzz::one_cut(bytes), fuzz::small_pieces(bytes)})
    if (!cuts.empty() && run(bytes, cuts, body_limit) != whole)
      fuzz::fuzz_fail("request_parser: split input parses differently");
  return 0;
}
