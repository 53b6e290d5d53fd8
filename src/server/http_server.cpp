#include "server/http_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include "server/cors.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace aiohub {

struct HttpServer::Session {
  beast::tcp_stream* stream;
  bool busy = false;
};

namespace {
// Request ids must not repeat across instances and restarts (the cluster
// store skips a usage row whose id it already has): 128 bits of seed, not 32.
std::mt19937_64 seeded_rng() {
  std::random_device rd;
  std::seed_seq seed{rd(), rd(), rd(), rd()};
  return std::mt19937_64(seed);
}
}  // namespace

Worker::Worker(ssl::context& tls)
    : pool(std::make_shared<UpstreamPool>(io.get_executor(), tls)), rng(seeded_rng()) {}

tcp::endpoint parse_listen_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("listen address needs a port: " + text);
  std::string host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("listen address is not an IP address: " + text);
  int p = 0;
  try {
    p = std::stoi(port);
  } catch (...) {
    throw std::runtime_error("bad port in listen address: " + text);
  }
  if (p < 0 || p > 65535) throw std::runtime_error("bad port in listen address: " + text);
  return {addr, static_cast<unsigned short>(p)};
}

std::string local_address_of(const tcp::socket& socket) {
  beast::error_code ec;
  const auto ep = socket.local_endpoint(ec);
  if (ec) return "127.0.0.1";
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

OpenFileLimit raise_open_file_limit() {
  OpenFileLimit out;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return out;
  out.before = out.now = lim.rlim_cur;
  if (lim.rlim_cur >= lim.rlim_max) return out;
  // An unlimited hard limit is still capped by the kernel (fs.nr_open).
  rlimit want = lim;
  want.rlim_cur = lim.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) out.now = want.rlim_cur;
  return out;
}

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler)
    : options_(std::move(options)), handler_(handler), tls_(make_client_tls_context()) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  int n = options_.threads > 0
              ? options_.threads
              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto endpoint = parse_listen_address(options_.listen);
  sessions_.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>(*tls_));
    workers_.back()->index = static_cast<std::size_t>(i);
    auto acceptor = std::make_unique<tcp::acceptor>(workers_.back()->io);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
    acceptor->set_option(reuse_port(true));
    acceptor->bind(endpoint);  // throws: address in use and the like
    acceptor->listen(asio::socket_base::max_listen_connections);
    // With port 0 the first bind picks the port; the others share it.
    endpoint = acceptor->local_endpoint();
    acceptors_.push_back(std::move(acceptor));
  }
  bound_ = (endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                       : endpoint.address().to_string()) +
           ":" + std::to_string(endpoint.port());
  for (int i = 0; i < n; ++i) {
    auto& w = *workers_[static_cast<std::size_t>(i)];
    asio::co_spawn(w.io, accept_loop(w, *acceptors_[static_cast<std::size_t>(i)]), asio::detached);
    threads_.emplace_back([&w] {
      auto guard = asio::make_work_guard(w.io);
      for (;;) {
        try {
          w.io.run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("event loop: {}", e.what());
        }
      }
    });
  }
}

void HttpServer::begin_shutdown() {
  if (stopping_.exchange(true)) return;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    asio::post(workers_[i]->io, [this, i] {
      beast::error_code ec;
      acceptors_[i]->close(ec);
      for (Session* s : sessions_[i])
        if (!s->busy) s->stream->socket().close(ec);
    });
  }
}

void HttpServer::stop() {
  for (auto& w : workers_) w->io.stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

awaitable<void> HttpServer::accept_loop(Worker& w, tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (!acceptor.is_open() || stopping_) co_return;
      // Out of descriptors and the like: back off instead of spinning.
      spdlog::warn("accept: {}", ec.message());
      asio::steady_timer t(w.io, std::chrono::milliseconds(50));
      co_await t.async_wait(use_tuple);
      continue;
    }
    if (options_.max_connections &&
        connections_.load() >= static_cast<std::int64_t>(options_.max_connections)) {
      refuse_connection(socket);
      continue;
    }
    ++connections_;
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(w.io, session(w, std::move(socket)), asio::detached);
  }
}

void HttpServer::refuse_connection(tcp::socket& socket) {
  // One write that cannot block (the send buffer of a new socket is empty),
  // then the descriptor is free again.
  static constexpr std::string_view kBody =
      R"({"error":{"message":"The gateway has as many connections open as it allows; retry )"
      R"(shortly.","type":"server_error","param":null,"code":"too_many_connections"}})";
  static const std::string kAnswer =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(kBody.size()) + "\r\nConnection: close\r\n\r\n" + std::string(kBody);
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kAnswer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
  // One line per ten seconds at most, however hard the flood.
  ++refused_;
  const std::int64_t now = mono_now_us();
  std::int64_t last = last_refusal_notice_us_.load();
  if ((last == 0 || now - last >= 10'000'000) &&
      last_refusal_notice_us_.compare_exchange_strong(last, now))
    spdlog::warn(
        "connection limit reached: {} client connections are open ([server] max_connections = "
        "{}); new connections are answered 503 and closed ({} since the last notice)",
        connections_.load(), options_.max_connections, refused_.exchange(0));
}

namespace {

struct ActiveGuard {
  std::atomic<std::int64_t>& n;
  bool& busy;
  ActiveGuard(std::atomic<std::int64_t>& n, bool& busy) : n(n), busy(busy) {
    ++n;
    busy = true;
  }
  ~ActiveGuard() {
    --n;
    busy = false;
  }
};

// Counts a client connection out however its session ends.
struct ConnectionGuard {
  std::atomic<std::int64_t>& n;
  explicit ConnectionGuard(std::atomic<std::int64_t>& n) : n(n) {}
  ~ConnectionGuard() { --n; }
};

// After answering a request whose body was not read: no more answers, and
// what the client still sends is read and dropped for a moment (bounded in
// time and bytes) so that closing does not reset the connection under the
// answer before the client has read it.
awaitable<void> linger_close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(2));
  std::size_t drained = 0;
  while (drained < (4u << 20)) {
    buffer.clear();
    auto [rec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), use_tuple);
    if (rec) break;
    drained += n;
  }
  stream.expires_never();
}

// RFC 9112 6.1 and 6.3: a request's Transfer-Encoding must end in chunked
// (else its length cannot be known), and comes without Content-Length.
// Beast reads "Transfer-Encoding: gzip" as no body at all, leaving the body
// to be read as the next request. nullopt when the framing is sound.
std::optional<std::pair<int, std::string>> framing_error(
    const http::request_parser<http::string_body>& parser) {
  const auto& h = parser.get();
  auto te = h.equal_range(http::field::transfer_encoding);
  if (te.first == te.second) return std::nullopt;
  if (h.count(http::field::content_length))
    return std::pair{400, std::string("A request may not carry both Transfer-Encoding and "
                                      "Content-Length.")};
  std::vector<std::string> codings;
  for (auto it = te.first; it != te.second; ++it)
    for (auto token : http::token_list(it->value())) codings.emplace_back(token);
  if (codings.empty() || !beast::iequals(codings.back(), "chunked") || !parser.chunked())
    return std::pair{400, std::string("The request's Transfer-Encoding does not end in chunked, "
                                      "so its length cannot be known.")};
  if (codings.size() > 1)
    return std::pair{501, std::string("Transfer codings other than chunked are not supported.")};
  return std::nullopt;
}

// Unique, not secret: the worker's generator is enough and takes no lock.
std::string new_request_id(std::mt19937_64& rng) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id = "req_";
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = rng();
    for (int i = 0; i < 10; ++i, bits >>= 6) id.push_back(kAlphabet[bits & 63]);
  }
  return id;
}

}  // namespace

awaitable<void> HttpServer::session(Worker& w, tcp::socket socket) {
  ConnectionGuard counted(connections_);
  beast::tcp_stream stream(std::move(socket));
  Session self{&stream};
  auto& registry = sessions_[w.index];
  auto it = registry.insert(registry.end(), &self);
  beast::flat_buffer buffer;
  buffer.reserve(16 * 1024);  // see UpstreamPool::connect: Beast reads only into spare capacity

  bool first = true;
  for (;;) {
    if (stopping_) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(options_.max_body_bytes);
    if (!first && buffer.size() == 0) {
      // Kept alive: the next request may take its time to begin...
      stream.expires_after(options_.idle_timeout);
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(16 * 1024), use_tuple);
      if (iec) break;
      buffer.commit(in);
    }
    first = false;
    // ...but once begun (or from the connection on), its head must be
    // complete within the header deadline.
    stream.expires_after(options_.header_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) {
      // Beast checks a declared Content-Length against the body limit while
      // reading the head, so an oversized body is refused before it is sent.
      const bool too_long = hec == http::error::body_limit;
      const bool malformed =
          !too_long &&
          hec.category() == http::make_error_code(http::error::bad_target).category() &&
          hec != http::error::end_of_stream && hec != http::error::partial_message;
      if (too_long || malformed) {
        std::string target_path(parser.get().target().substr(0, parser.get().target().find('?')));
        ResponseWriter out(stream, false, {});
        if (cors_applies(target_path)) out.allow_cross_origin();
        int status = 400;
        std::string body;
        if (too_long) {
          status = 413;
          body =
              handler_.early_error_body(target_path, 413,
                                        "The request body is larger than this gateway's limit of " +
                                            std::to_string(options_.max_body_bytes) + " bytes.");
        } else if (hec == http::error::header_limit) {
          status = 431;
          body = handler_.early_error_body("/", 431, "Request headers are too large.");
        } else {
          body = handler_.early_error_body("/", 400, "Malformed HTTP request: " + hec.message());
        }
        co_await out.send(status, "application/json", body);
        co_await linger_close(stream, buffer);
      }
      break;
    }
    ActiveGuard active(active_, self.busy);
    const auto started = mono_now_us();
    std::string target(parser.get().target());
    auto qpos = target.find('?');
    std::string_view path = std::string_view(target).substr(0, qpos);
    std::string_view query =
        qpos == std::string::npos ? std::string_view{} : std::string_view(target).substr(qpos + 1);

    // Answered from the head alone, and the connection closed: whatever
    // follows the head cannot be told apart from a next request.
    std::optional<std::pair<int, std::string>> refusal = framing_error(parser);
    if (auto len = parser.content_length(); !refusal && len && *len > options_.max_body_bytes)
      refusal.emplace(413, "The request body is larger than this gateway's limit of " +
                               std::to_string(options_.max_body_bytes) + " bytes.");
    if (refusal) {
      ResponseWriter out(stream, false, {});
      if (cors_applies(path)) out.allow_cross_origin();
      const std::string body = handler_.early_error_body(path, refusal->first, refusal->second);
      co_await out.send(refusal->first, "application/json", body);
      co_await linger_close(stream, buffer);
      break;
    }
    // The key (or admin token) is checked before a byte of the body is read.
    std::optional<EarlyReply> early = co_await handler_.screen(parser.get(), path, query);
    if (early) {
      const bool body_pending = !parser.is_done();
      ResponseWriter out(stream, parser.get().keep_alive() && !body_pending && !stopping_,
                         new_request_id(w.rng));
      if (cors_applies(path)) out.allow_cross_origin();
      co_await out.send(early->status, "application/json", early->body, early->extra_headers);
      if (body_pending) {
        co_await linger_close(stream, buffer);
        break;
      }
      if (!out.keep_alive() || stopping_) break;
      continue;
    }
    if (auto exp = parser.get().find(http::field::expect);
        exp != parser.get().end() && beast::iequals(exp->value(), "100-continue")) {
      auto [cec, cn] = co_await asio::async_write(
          stream, asio::buffer("HTTP/1.1 100 Continue\r\n\r\n", 25), use_tuple);
      if (cec) break;
    }
    stream.expires_after(options_.request_read_timeout);
    auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    stream.expires_never();
    if (bec) {
      int status = bec == http::error::body_limit ? 413 : 400;
      if (bec == http::error::body_limit ||
          bec.category() == http::make_error_code(http::error::bad_target).category()) {
        ResponseWriter out(stream, false, {});
        if (cors_applies(path)) out.allow_cross_origin();
        const std::string body = handler_.early_error_body(
            path, status,
            status == 413 ? "The request body is larger than this gateway's limit."
                          : "Malformed HTTP request: " + bec.message());
        co_await out.send(status, "application/json", body);
      }
      break;
    }

    auto& req = parser.get();
    ResponseWriter out(stream, req.keep_alive() && !stopping_, new_request_id(w.rng));
    if (cors_applies(path)) out.allow_cross_origin();
    HttpExchange ex{req, path, query, out, w, started};
    bool crashed = false;
    try {
      co_await handler_.handle(ex);
    } catch (const std::exception& e) {
      spdlog::error("request {} failed: {}", out.request_id(), e.what());
      crashed = true;
    }
    if (crashed) {
      if (!out.started()) {
        out.set_close();
        const std::string body = handler_.early_error_body(path, 500, "Internal gateway error.");
        co_await out.send(500, "application/json", body);
      }
      break;
    }
    if (!out.keep_alive() || stopping_) break;
  }
  registry.erase(it);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace aiohub
