#include "server/client_watch.hpp"

#include <sys/socket.h>

namespace aiohub {

ClientWatch::ClientWatch(beast::tcp_stream& stream)
    : stream_(stream), state_(std::make_shared<State>()) {
  state_->watching = true;
  auto& socket = stream_.socket();
  socket.async_wait(tcp::socket::wait_read, [state = state_, &socket](beast::error_code ec) {
    if (!state->watching) return;  // the watch ended; `socket` may be gone
    state->watching = false;
    if (ec) return;
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return;  // a pipelined request: not ours to read
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    state->gone = true;
    if (auto fn = std::move(state->on_gone)) fn();
  });
}

ClientWatch::~ClientWatch() {
  if (!state_->watching) return;
  state_->watching = false;
  state_->on_gone = nullptr;
  // Only the wait is pending on the read side; the session reads next.
  beast::error_code ec;
  stream_.socket().cancel(ec);
}

void ClientWatch::on_gone(std::function<void()> fn) {
  if (state_->gone) {
    if (fn) fn();
    return;
  }
  state_->on_gone = std::move(fn);
}

}  // namespace aiohub
