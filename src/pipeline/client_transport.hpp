#pragma once
// Where a relay's answer goes: the client of one request, over whatever
// carries it (an HTTP response today; a WebSocket turn or a test recorder).
// Relays and the failover loop write only through this interface.
#include <functional>
#include <string>
#include <string_view>

#include "server/asio.hpp"

namespace aiohub {

class ClientTransport {
 public:
  virtual ~ClientTransport() = default;

  // A whole answer. False: the client went away.
  virtual awaitable<bool> send(int status, std::string_view content_type, std::string_view body,
                               std::string_view extra_headers = {}) = 0;
  // A stream: its head leaves with the first bytes written.
  virtual void begin_stream(int status, std::string_view content_type) = 0;
  virtual awaitable<bool> write(std::string_view bytes) = 0;
  // The last bytes and the end of the stream.
  virtual awaitable<bool> end(std::string_view last_bytes = {}) = 0;
  // Takes back a begun stream of which nothing has left yet.
  virtual void abandon_stream() = 0;
  // Ends a begun stream abnormally: the client sees a broken transfer, not a
  // short answer.
  virtual void cut() = 0;

  virtual bool started() const = 0;
  // A byte of the answer left: it can no longer be replaced by another.
  virtual bool committed() const = 0;

  // Watching for a client that hangs up while nothing is being written.
  virtual void watch(bool on) = 0;
  virtual bool gone() const = 0;
  // `fn` runs once when the client goes (at once if it has); null clears it.
  virtual void on_gone(std::function<void()> fn) = 0;

  virtual const std::string& request_id() const = 0;
};

}  // namespace aiohub
