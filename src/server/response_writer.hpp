#pragma once
// Writes one HTTP/1.1 response to the client connection: either whole, or as
// a chunked stream whose every chunk goes out as soon as it is handed over.
#include <string>
#include <string_view>

#include "server/asio.hpp"

namespace aiohub {

class ResponseWriter {
 public:
  ResponseWriter(beast::tcp_stream& stream, bool keep_alive, std::string request_id)
      : stream_(stream), keep_alive_(keep_alive), request_id_(std::move(request_id)) {}

  // `extra_headers` holds complete header lines ("Name: value\r\n").
  awaitable<bool> send(int status, std::string_view content_type, std::string_view body,
                       std::string_view extra_headers = {});
  // The head of a chunked response is held back and leaves with the first
  // chunk: one write instead of two for the first byte of a stream.
  void begin_stream(int status, std::string_view content_type, std::string_view extra_headers = {});
  awaitable<bool> write_chunk(std::string_view data);
  // The last chunk and the end of the stream in one write.
  awaitable<bool> end_stream(std::string_view last_chunk = {});

  bool started() const { return started_; }
  // True once a byte of the response went out: from then on it cannot be
  // replaced by another answer.
  bool committed() const { return committed_; }
  // Takes back a begun stream whose head has not left yet.
  void abandon_stream() {
    if (committed_) return;
    started_ = false;
    status_ = 0;
    pending_head_.clear();
  }
  beast::tcp_stream& stream() { return stream_; }
  bool failed() const { return failed_; }
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_ && !failed_; }
  void set_close() { keep_alive_ = false; }
  const std::string& request_id() const { return request_id_; }

 private:
  std::string head(int status, std::string_view content_type, std::string_view extra_headers,
                   std::string_view length_or_chunked);
  awaitable<bool> write(asio::const_buffer a, asio::const_buffer b = {}, asio::const_buffer c = {},
                        asio::const_buffer d = {}, asio::const_buffer e = {});

  beast::tcp_stream& stream_;
  bool keep_alive_;
  std::string request_id_;
  std::string pending_head_;
  bool started_ = false;
  bool committed_ = false;
  bool failed_ = false;
  int status_ = 0;
};

}  // namespace aiohub
