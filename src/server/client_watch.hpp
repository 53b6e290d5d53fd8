#pragma once
// Notices a client that hangs up while its request waits on an upstream, so
// that the upstream request is cancelled at once instead of at the next
// write (which, for a non-streamed answer, is only when it is complete).
// Waits for the client socket to become readable and peeks: end of stream
// or an error means the client is gone; bytes mean a pipelined request, and
// the watch ends without consuming them.
#include <functional>
#include <memory>

#include "server/asio.hpp"

namespace aiohub {

class ClientWatch {
 public:
  explicit ClientWatch(beast::tcp_stream& stream);
  // Stops watching (the pending wait is cancelled).
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  bool gone() const { return state_->gone; }
  // `fn` runs once, on the connection's thread, when the client goes away
  // (at once if it already has). Replaces any earlier one.
  void on_gone(std::function<void()> fn);
  void clear() { state_->on_gone = nullptr; }

 private:
  struct State {
    bool gone = false;
    bool watching = false;
    std::function<void()> on_gone;
  };
  beast::tcp_stream& stream_;
  std::shared_ptr<State> state_;
};

}  // namespace aiohub
