#include "server/response_writer.hpp"

#include <array>
#include <charconv>
#include <chrono>

namespace aiohub {
namespace {
constexpr auto kWriteTimeout = std::chrono::seconds(120);
}

std::string ResponseWriter::head(int status, std::string_view content_type,
                                 std::string_view extra_headers,
                                 std::string_view length_or_chunked) {
  std::string h;
  h.reserve(256 + extra_headers.size());
  h.append("HTTP/1.1 ");
  h.append(std::to_string(status));
  h.push_back(' ');
  h.append(http::obsolete_reason(static_cast<http::status>(status)));
  h.append("\r\nServer: aiohub\r\nContent-Type: ");
  h.append(content_type);
  h.append("\r\n");
  h.append(length_or_chunked);
  if (!request_id_.empty()) {
    h.append("x-request-id: ");
    h.append(request_id_);
    h.append("\r\n");
  }
  h.append(extra_headers);
  h.append(keep_alive_ ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  return h;
}

awaitable<bool> ResponseWriter::write(asio::const_buffer a, asio::const_buffer b,
                                      asio::const_buffer c, asio::const_buffer d,
                                      asio::const_buffer e) {
  if (failed_) co_return false;
  committed_ = true;
  stream_.expires_after(kWriteTimeout);
  std::array<asio::const_buffer, 5> bufs{a, b, c, d, e};
  auto [ec, n] = co_await asio::async_write(stream_, bufs, use_tuple);
  stream_.expires_never();
  if (ec) failed_ = true;
  co_return !ec;
}

awaitable<bool> ResponseWriter::send(int status, std::string_view content_type,
                                     std::string_view body, std::string_view extra_headers) {
  started_ = true;
  status_ = status;
  std::string h = head(status, content_type, extra_headers,
                       "Content-Length: " + std::to_string(body.size()) + "\r\n");
  co_return co_await write(asio::buffer(h), asio::buffer(body.data(), body.size()));
}

void ResponseWriter::begin_stream(int status, std::string_view content_type,
                                  std::string_view extra_headers) {
  started_ = true;
  status_ = status;
  pending_head_ = head(status, content_type, extra_headers,
                       "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n");
}

awaitable<bool> ResponseWriter::write_chunk(std::string_view data) {
  if (data.empty()) co_return !failed_;
  char size[24];
  auto [end, ec] = std::to_chars(size, size + sizeof size - 2, data.size(), 16);
  *end++ = '\r';
  *end++ = '\n';
  std::string head = std::move(pending_head_);
  pending_head_.clear();
  co_return co_await write(asio::buffer(head),
                           asio::buffer(size, static_cast<std::size_t>(end - size)),
                           asio::buffer(data.data(), data.size()), asio::buffer("\r\n", 2));
}

awaitable<bool> ResponseWriter::end_stream(std::string_view last_chunk) {
  std::string head = std::move(pending_head_);
  pending_head_.clear();
  char size[24];
  char* end = size;
  if (!last_chunk.empty()) {
    end = std::to_chars(size, size + sizeof size - 2, last_chunk.size(), 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
  }
  co_return co_await write(
      asio::buffer(head), asio::buffer(size, static_cast<std::size_t>(end - size)),
      asio::buffer(last_chunk.data(), last_chunk.size()),
      asio::buffer(last_chunk.empty() ? "" : "\r\n", last_chunk.empty() ? 0 : 2),
      asio::buffer("0\r\n\r\n", 5));
}

}  // namespace aiohub
