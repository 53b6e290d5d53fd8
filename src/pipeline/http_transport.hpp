#pragma once
// The client transport of an HTTP request: its ResponseWriter, and a
// ClientWatch on its socket while watching.
#include <optional>

#include "pipeline/client_transport.hpp"
#include "server/client_watch.hpp"
#include "server/response_writer.hpp"

namespace aiohub {

class HttpTransport final : public ClientTransport {
 public:
  explicit HttpTransport(ResponseWriter& response) : response_(response) {}

  awaitable<bool> send(int status, std::string_view content_type, std::string_view body,
                       std::string_view extra_headers) override {
    return response_.send(status, content_type, body, extra_headers);
  }
  void begin_stream(int status, std::string_view content_type) override {
    response_.begin_stream(status, content_type);
  }
  awaitable<bool> write(std::string_view bytes) override { return response_.write_chunk(bytes); }
  awaitable<bool> end(std::string_view last_bytes) override {
    return response_.end_stream(last_bytes);
  }
  void abandon_stream() override { response_.abandon_stream(); }
  void cut() override { response_.set_close(); }
  bool started() const override { return response_.started(); }
  bool committed() const override { return response_.committed(); }

  void watch(bool on) override {
    if (on && !watch_)
      watch_.emplace(response_.stream());
    else if (!on)
      watch_.reset();
  }
  bool gone() const override { return watch_ && watch_->gone(); }
  void on_gone(std::function<void()> fn) override {
    if (!watch_) return;
    if (fn)
      watch_->on_gone(std::move(fn));
    else
      watch_->clear();
  }
  const std::string& request_id() const override { return response_.request_id(); }

 private:
  ResponseWriter& response_;
  std::optional<ClientWatch> watch_;
};

}  // namespace aiohub
