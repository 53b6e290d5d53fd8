#pragma once
// AWS event-stream framing (application/vnd.amazon.eventstream), as Bedrock's
// InvokeModelWithResponseStream answers. Every message is
//
//   total length   u32 big-endian, the whole message including both CRCs
//   headers length u32 big-endian
//   prelude CRC    u32, CRC-32 (IEEE, as zlib) of the 8 bytes above
//   headers        repeated: name length u8, name, value type u8, value
//   payload        total - headers - 16 bytes
//   message CRC    u32, CRC-32 of everything before it
//
// Header value types: 0 true, 1 false (no value bytes), 2 byte, 3 int16,
// 4 int32, 5 int64, 6 bytes (u16 length + data), 7 string (u16 length +
// UTF-8), 8 timestamp (int64 ms), 9 UUID (16 bytes). Bedrock's headers that
// matter are strings: :message-type (event, exception, error), :event-type
// (chunk), :exception-type, :content-type, :error-code, :error-message.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub::eventstream {

struct Header {
  std::string name;
  std::string value;  // strings and bytes as they are; numbers as decimal text
  std::uint8_t type = 7;
};

struct Message {
  std::vector<Header> headers;
  std::string payload;
  // The value of a header, or empty.
  std::string_view header(std::string_view name) const;
};

std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0);

// Bytes in, whole messages out, however the bytes were split.
class Decoder {
 public:
  // Appends each message completed by `bytes` to `out`. On a corrupt frame
  // (bad CRC, impossible lengths, malformed headers) returns what is wrong;
  // the decoder then refuses everything that follows.
  std::optional<std::string> feed(std::string_view bytes, std::vector<Message>& out);
  // True when no partial message is buffered.
  bool idle() const { return buffer_.empty(); }

 private:
  std::optional<std::string> parse(std::string_view frame, Message& out);
  std::string buffer_;
  std::optional<std::string> failed_;
};

// One message in wire form, with string headers (for tests and mocks).
std::string encode(const std::vector<Header>& headers, std::string_view payload);

}  // namespace aiohub::eventstream
