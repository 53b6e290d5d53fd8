#include "server/upstream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/time.hpp"

namespace aiohub {
namespace {

constexpr std::size_t kMaxIdlePerHost = 256;
constexpr std::int64_t kIdleLimitUs = 50'000'000;  // servers commonly close idle at 60 s
constexpr std::int64_t kDnsTtlUs = 30'000'000;
constexpr std::size_t kReadBufferBytes = 64 * 1024;

template <class F>
auto on_stream(UpstreamConnection& c, F&& f) {
  return std::visit([&](auto& s) { return f(s); }, c.stream);
}

template <class S>
awaitable<beast::error_code> write_request(S& s, const std::string& head, std::string_view body) {
  std::array<asio::const_buffer, 2> bufs{asio::buffer(head),
                                         asio::buffer(body.data(), body.size())};
  auto [ec, n] = co_await asio::async_write(s, bufs, use_tuple);
  co_return ec;
}

template <class S>
awaitable<beast::error_code> read_head(S& s, beast::flat_buffer& b,
                                       http::response_parser<http::buffer_body>& p) {
  auto [ec, n] = co_await http::async_read_header(s, b, p, use_tuple);
  co_return ec;
}

template <class S>
awaitable<beast::error_code> read_some_body(S& s, beast::flat_buffer& b,
                                            http::response_parser<http::buffer_body>& p) {
  auto [ec, n] = co_await http::async_read_some(s, b, p, use_tuple);
  co_return ec;
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string describe(const beast::error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == beast::error::timeout) return "timed out";
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
    return "host not found";
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return "connection closed by the upstream";
  if (ec == asio::error::connection_reset) return "connection reset by the upstream";
  if (ec.category() == asio::error::get_ssl_category()) {
    std::string msg = "TLS error: " + ec.message();
    return msg;
  }
  return ec.message();
}

}  // namespace

beast::tcp_stream& UpstreamConnection::lowest() {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                    stream);
}

std::unique_ptr<ssl::context> make_client_tls_context() {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

UpstreamPool::UpstreamPool(asio::any_io_executor executor, ssl::context& tls)
    : executor_(executor), tls_(tls), resolver_(executor) {}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(const UpstreamAddress& addr) {
  auto it = idle_.find(addr.pool_key);
  if (it == idle_.end()) return nullptr;
  auto now = mono_now_us();
  auto& list = it->second;
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    if (now - conn->idle_since_us < kIdleLimitUs) return conn;
  }
  return nullptr;
}

void UpstreamPool::give_back(const UpstreamAddress& addr,
                             std::unique_ptr<UpstreamConnection> conn) {
  auto& list = idle_[addr.pool_key];
  if (list.size() >= kMaxIdlePerHost) return;
  conn->idle_since_us = mono_now_us();
  conn->lowest().expires_never();
  list.push_back(std::move(conn));
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t n = 0;
  for (auto& [k, v] : idle_) n += v.size();
  return n;
}

awaitable<std::pair<beast::error_code, tcp::resolver::results_type>> UpstreamPool::resolve(
    const UpstreamAddress& addr) {
  auto key = addr.host + ":" + addr.port;
  auto now = mono_now_us();
  if (auto it = dns_cache_.find(key); it != dns_cache_.end() && it->second.expires_us > now)
    co_return std::make_pair(beast::error_code{}, it->second.results);
  // Asio resolves on its own background thread: the event loop never blocks.
  auto [ec, results] = co_await resolver_.async_resolve(addr.host, addr.port, use_tuple);
  if (!ec) dns_cache_[key] = {results, now + kDnsTtlUs};
  co_return std::make_pair(ec, results);
}

awaitable<UpstreamPool::Connected> UpstreamPool::connect(const UpstreamAddress& addr,
                                                         UpstreamTimeouts timeouts) {
  Connected out;
  auto [rec, endpoints] = co_await resolve(addr);
  if (rec) {
    out.error = "cannot resolve " + addr.host + ": " + describe(rec);
    co_return out;
  }
  beast::tcp_stream tcp(executor_);
  tcp.expires_after(timeouts.connect);
  auto [cec, ep] = co_await tcp.async_connect(endpoints, use_tuple);
  if (cec) {
    out.error = "cannot connect to " + addr.host_header + ": " + describe(cec);
    co_return out;
  }
  tcp.socket().set_option(tcp::no_delay(true));
  auto conn = std::make_unique<UpstreamConnection>(UpstreamConnection{std::move(tcp), {}, 0});
  // Beast reads at most the buffer's spare capacity (512 bytes when empty):
  // without room, a 10 kB answer takes twenty reads and twenty relayed chunks.
  conn->buffer.reserve(kReadBufferBytes);
  if (addr.tls) {
    beast::tcp_stream plain = std::move(std::get<beast::tcp_stream>(conn->stream));
    conn->stream.emplace<UpstreamConnection::Tls>(std::move(plain), tls_);
    auto& tls = std::get<UpstreamConnection::Tls>(conn->stream);
    SSL* ssl = tls.native_handle();
    if (is_ip_literal(addr.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), addr.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, addr.host.c_str());
      SSL_set1_host(ssl, addr.host.c_str());
    }
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) {
      out.error = "TLS handshake with " + addr.host_header + " failed: " + describe(hec);
      long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK)
        out.error += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      co_return out;
    }
  }
  out.conn = std::move(conn);
  co_return out;
}

UpstreamCall::UpstreamCall(const std::shared_ptr<UpstreamPool>& pool, const UpstreamAddress& addr,
                           UpstreamTimeouts timeouts)
    : pool_(*pool), pool_alive_(pool), addr_(addr), timeouts_(timeouts) {}

UpstreamCall::~UpstreamCall() {
  if (conn_ && !failed_ && parser_ && parser_->is_done() && parser_->keep_alive() &&
      !pool_alive_.expired())
    pool_.give_back(addr_, std::move(conn_));
  // Otherwise the connection closes here; a half-read response cannot be reused.
}

awaitable<bool> UpstreamCall::send(const std::string& head, std::string_view body) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    conn_ = attempt == 0 ? pool_.take_idle(addr_) : nullptr;
    const bool reused = conn_ != nullptr;
    if (!conn_) {
      auto connected = co_await pool_.connect(addr_, timeouts_);
      if (!connected.conn) {
        error_ = std::move(connected.error);
        never_connected_ = true;
        failed_ = true;
        co_return false;
      }
      conn_ = std::move(connected.conn);
    }
    parser_.emplace();
    parser_->body_limit(boost::none);
    parser_->header_limit(64 * 1024);
    conn_->lowest().expires_after(timeouts_.first_byte);
    auto wec = co_await on_stream(*conn_, [&](auto& s) { return write_request(s, head, body); });
    if (wec) {
      if (reused && !cancelled_) continue;
      timed_out_ = wec == beast::error::timeout;
      error_ = "cannot send to " + addr_.host_header + ": " + describe(wec);
      failed_ = true;
      co_return false;
    }
    auto rec =
        co_await on_stream(*conn_, [&](auto& s) { return read_head(s, conn_->buffer, *parser_); });
    // 100 Continue / 103 Early Hints precede the real answer; Beast parses
    // each as a complete message, so read on to the final head.
    while (!rec && parser_->get().result_int() / 100 == 1 && parser_->get().result_int() != 101) {
      parser_.emplace();
      parser_->body_limit(boost::none);
      parser_->header_limit(64 * 1024);
      rec = co_await on_stream(*conn_,
                               [&](auto& s) { return read_head(s, conn_->buffer, *parser_); });
    }
    if (rec) {
      if (reused && !cancelled_ &&
          (rec == http::error::end_of_stream || rec == asio::error::eof ||
           rec == asio::error::connection_reset || rec == asio::error::broken_pipe ||
           rec == ssl::error::stream_truncated))
        continue;
      timed_out_ = rec == beast::error::timeout;
      error_ = "no response from " + addr_.host_header + ": " + describe(rec);
      failed_ = true;
      co_return false;
    }
    co_return true;
  }
  error_ = "the upstream " + addr_.host_header + " keeps closing connections";
  failed_ = true;
  co_return false;
}

void UpstreamCall::cancel() {
  cancelled_ = true;
  if (!conn_) return;
  failed_ = true;  // never back to the pool
  beast::error_code ec;
  conn_->lowest().socket().close(ec);
}

unsigned UpstreamCall::status() const {
  return parser_ ? parser_->get().result_int() : 0;
}

std::string_view UpstreamCall::header(std::string_view name) const {
  if (!parser_) return {};
  auto& h = parser_->get();
  auto it = h.find(name);
  return it == h.end() ? std::string_view{} : std::string_view(it->value());
}

bool UpstreamCall::done() const {
  return parser_ && parser_->is_done();
}

awaitable<bool> UpstreamCall::read_some(std::string_view& piece) {
  piece = {};
  while (!failed_ && !parser_->is_done()) {
    auto& body = parser_->get().body();
    body.data = buf_;
    body.size = sizeof buf_;
    conn_->lowest().expires_after(body_started_ ? timeouts_.idle : timeouts_.first_byte);
    auto ec = co_await on_stream(
        *conn_, [&](auto& s) { return read_some_body(s, conn_->buffer, *parser_); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      timed_out_ = ec == beast::error::timeout;
      error_ =
          timed_out_
              ? "the upstream " + addr_.host_header + " sent nothing for " +
                    std::to_string(
                        (body_started_ ? timeouts_.idle : timeouts_.first_byte).count()) +
                    " s"
              : "the upstream " + addr_.host_header + " broke off the response: " + describe(ec);
      failed_ = true;
      co_return false;
    }
    std::size_t got = sizeof buf_ - parser_->get().body().size;
    if (got > 0) {
      body_started_ = true;
      piece = std::string_view(buf_, got);
      co_return true;
    }
  }
  co_return !failed_;
}

awaitable<bool> UpstreamCall::read_all(std::string& body, std::size_t limit) {
  std::string_view piece;
  for (;;) {
    if (!co_await read_some(piece)) co_return false;
    if (piece.empty()) co_return true;
    if (body.size() + piece.size() > limit) {
      error_ = "the upstream response is larger than " + std::to_string(limit) + " bytes";
      failed_ = true;
      co_return false;
    }
    body.append(piece);
  }
}

}  // namespace aiohub
