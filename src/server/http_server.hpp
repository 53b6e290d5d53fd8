#pragma once
// The listener side: one event loop per thread, each with its own
// SO_REUSEPORT acceptor and upstream pool, and each client connection's life
// written as one coroutine.
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "server/asio.hpp"
#include "server/response_writer.hpp"
#include "server/upstream.hpp"

namespace aiohub {

struct ServerOptions {
  std::string listen = "127.0.0.1:3000";
  int threads = 0;
  std::size_t max_body_bytes = 32u << 20;
  // A kept-alive connection may wait this long for its next request.
  std::chrono::seconds idle_timeout{75};
  // From the connection (or a kept-alive request's first byte) to the end
  // of the request's head: a client that trickles its headers is cut off.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds request_read_timeout{60};
  // Client connections open at once; more are answered 503 and closed at
  // once. 0: no cap.
  std::size_t max_connections = 0;
};

// What a worker thread owns, handed to every request it serves.
struct Worker {
  explicit Worker(ssl::context& tls);
  asio::io_context io{1};
  // Shared so that requests still suspended when the loop is torn down
  // (past the shutdown grace period) find the pool gone instead of freed.
  std::shared_ptr<UpstreamPool> pool;
  std::mt19937_64 rng;
  std::size_t index = 0;
};

struct HttpExchange {
  http::request<http::string_body>& request;
  std::string_view path;
  std::string_view query;
  ResponseWriter& response;
  Worker& worker;
  std::int64_t started_us;
};

// An answer given from a request's head alone.
struct EarlyReply {
  int status = 0;
  std::string body;           // JSON
  std::string extra_headers;  // complete header lines
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Called with each request's head before its body is read: an answer
  // returned here (a missing or wrong key) is sent without reading the
  // body, and the connection is closed when a body was on its way.
  virtual awaitable<std::optional<EarlyReply>> screen(const http::request_header<>& head,
                                                      std::string_view path,
                                                      std::string_view query) {
    (void)head, (void)path, (void)query;
    co_return std::nullopt;
  }
  virtual awaitable<void> handle(HttpExchange& exchange) = 0;
  // Called when reading a request failed before it reached handle(): the
  // status (400, 413, 431) and a message, to be answered in the path's protocol.
  virtual std::string early_error_body(std::string_view path, int status,
                                       std::string_view message) = 0;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler& handler);
  ~HttpServer();

  // Binds (throws on failure) and starts the worker threads.
  void start();
  // The address actually bound ("127.0.0.1:3000").
  std::string bound_address() const { return bound_; }
  // Stops accepting and closes idle connections; running requests go on.
  void begin_shutdown();
  std::int64_t active_requests() const { return active_.load(); }
  std::int64_t open_connections() const { return connections_.load(); }
  // Stops the event loops and joins the threads.
  void stop();

 private:
  struct Session;
  awaitable<void> accept_loop(Worker& w, tcp::acceptor& acceptor);
  awaitable<void> session(Worker& w, tcp::socket socket);
  void refuse_connection(tcp::socket& socket);

  // Before the workers: sessions torn down with their event loops still
  // count themselves out.
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::int64_t> refused_{0};  // since the last notice in the log
  std::atomic<std::int64_t> last_refusal_notice_us_{0};
  ServerOptions options_;
  RequestHandler& handler_;
  std::unique_ptr<ssl::context> tls_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<std::list<Session*>> sessions_;  // per worker, touched only on its thread
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> active_{0};
  std::string bound_;
};

// "host:port", "[v6]:port" or ":port" to an endpoint; throws on bad input.
tcp::endpoint parse_listen_address(const std::string& text);

// "127.0.0.1:3000", "[::1]:3000": the address a client connection reached,
// which is this server's own (the listening address, or with a wildcard
// listen address the interface's) and not anything the client says.
std::string local_address_of(const tcp::socket& socket);

struct OpenFileLimit {
  std::uint64_t before = 0;
  std::uint64_t now = 0;
};
// Raises the soft RLIMIT_NOFILE to the hard limit: every connection (and
// its upstream) is a descriptor.
OpenFileLimit raise_open_file_limit();

}  // namespace aiohub
