#pragma once
// HTTP/1.1 client for upstream providers: a keep-alive pool per worker
// thread (never shared, so never locked), TLS with certificate and host name
// verification, and a call object that reads the response body piece by
// piece as it arrives.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "domain/upstream_address.hpp"
#include "server/asio.hpp"

namespace aiohub {

struct UpstreamTimeouts {
  std::chrono::seconds connect{10};
  std::chrono::seconds first_byte{600};  // request sent -> head of the answer
  std::chrono::seconds idle{600};        // between two reads of the body
};

struct UpstreamConnection {
  using Tls = beast::ssl_stream<beast::tcp_stream>;
  std::variant<beast::tcp_stream, Tls> stream;
  beast::flat_buffer buffer;
  std::int64_t idle_since_us = 0;

  beast::tcp_stream& lowest();
};

class UpstreamPool {
 public:
  UpstreamPool(asio::any_io_executor executor, ssl::context& tls);

  std::unique_ptr<UpstreamConnection> take_idle(const UpstreamAddress& addr);
  void give_back(const UpstreamAddress& addr, std::unique_ptr<UpstreamConnection> conn);

  struct Connected {
    std::unique_ptr<UpstreamConnection> conn;
    std::string error;  // set when conn is null
  };
  awaitable<Connected> connect(const UpstreamAddress& addr, UpstreamTimeouts timeouts);

  std::size_t idle_count() const;

 private:
  awaitable<std::pair<beast::error_code, tcp::resolver::results_type>> resolve(
      const std::string& host, const std::string& port);

  asio::any_io_executor executor_;
  ssl::context& tls_;
  tcp::resolver resolver_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  struct CachedResolve {
    tcp::resolver::results_type results;
    std::int64_t expires_us;
  };
  std::unordered_map<std::string, CachedResolve> dns_cache_;
};

// One request and its response, as the relays see an upstream: over a
// pooled connection (UpstreamCall), in process (the demo channel), or a
// fake in the unit tests.
class UpstreamExchange {
 public:
  virtual ~UpstreamExchange() = default;

  // Sends the request and reads the response head.
  virtual awaitable<bool> send(const std::string& head, std::string_view body) = 0;

  // Why send/read failed, fit for a client to read (no credentials in it).
  virtual const std::string& error() const = 0;
  // True when no byte of the request reached the upstream (safe to retry).
  virtual bool never_connected() const = 0;
  // True when the last failure was a timeout.
  virtual bool timed_out() const = 0;

  // Stops the exchange: a pending send or read fails at once, and the
  // upstream sees the request abandoned (it stops generating).
  virtual void cancel() = 0;

  virtual unsigned status() const = 0;
  virtual std::string_view header(std::string_view name) const = 0;

  // The next piece of the body, valid until the next call; empty at the end.
  virtual awaitable<bool> read_some(std::string_view& piece) = 0;
  // The whole body, failing beyond `limit` bytes.
  virtual awaitable<bool> read_all(std::string& body, std::size_t limit) = 0;
  // The body has been read to its end.
  virtual bool done() const = 0;
};

// One request and its response on a pooled connection. The connection goes
// back to the pool when the response was read to its end and both sides
// agree to keep it alive; otherwise it is closed.
class UpstreamCall final : public UpstreamExchange {
 public:
  UpstreamCall(const std::shared_ptr<UpstreamPool>& pool, const UpstreamAddress& addr,
               UpstreamTimeouts timeouts);
  ~UpstreamCall() override;
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // A pooled connection that turns out to be closed is replaced by a new
  // one, once.
  awaitable<bool> send(const std::string& head, std::string_view body) override;

  const std::string& error() const override { return error_; }
  bool never_connected() const override { return never_connected_; }
  bool timed_out() const override { return timed_out_; }

  // Closes the connection.
  void cancel() override;
  bool cancelled() const { return cancelled_; }

  unsigned status() const override;
  std::string_view header(std::string_view name) const override;

  awaitable<bool> read_some(std::string_view& piece) override;
  awaitable<bool> read_all(std::string& body, std::size_t limit) override;
  bool done() const override;

 private:
  UpstreamPool& pool_;
  std::weak_ptr<UpstreamPool> pool_alive_;
  const UpstreamAddress& addr_;
  UpstreamTimeouts timeouts_;
  std::unique_ptr<UpstreamConnection> conn_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::string error_;
  bool never_connected_ = false;
  bool timed_out_ = false;
  bool cancelled_ = false;
  bool body_started_ = false;
  bool failed_ = false;
  char buf_[16 * 1024];
};

// The client TLS context every worker uses: system trust store (which
// honours SSL_CERT_FILE / SSL_CERT_DIR), peer verification on.
std::unique_ptr<ssl::context> make_client_tls_context();

}  // namespace aiohub
