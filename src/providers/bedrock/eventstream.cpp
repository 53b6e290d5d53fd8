#include "providers/bedrock/eventstream.hpp"

#include <array>

namespace aiohub::eventstream {
namespace {

constexpr std::size_t kPrelude = 12;
constexpr std::size_t kMinMessage = 16;
// Bedrock's chunks are small; anything near this is a corrupt length field.
constexpr std::uint32_t kMaxMessage = 16u << 20;

const std::array<std::uint32_t, 256>& crc_table() {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

std::uint32_t be32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) |
         std::uint32_t(b[3]);
}

std::uint64_t be_n(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

}  // namespace

std::uint32_t crc32(std::string_view data, std::uint32_t crc) {
  const auto& table = crc_table();
  crc = ~crc;
  for (unsigned char c : data) crc = table[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string_view Message::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return {};
}

std::optional<std::string> Decoder::feed(std::string_view bytes, std::vector<Message>& out) {
  if (failed_) return failed_;
  buffer_.append(bytes);
  std::size_t pos = 0;
  while (buffer_.size() - pos >= kPrelude) {
    const char* p = buffer_.data() + pos;
    const std::uint32_t total = be32(p);
    const std::uint32_t headers_len = be32(p + 4);
    if (crc32(std::string_view(p, 8)) != be32(p + 8)) {
      failed_ = "event-stream prelude CRC mismatch";
      break;
    }
    if (total < kMinMessage || total > kMaxMessage || headers_len > total - kMinMessage) {
      failed_ = "event-stream message has an impossible length (" + std::to_string(total) + ")";
      break;
    }
    if (buffer_.size() - pos < total) break;
    std::string_view frame(p, total);
    Message m;
    if (auto err = parse(frame, m)) {
      failed_ = std::move(err);
      break;
    }
    out.push_back(std::move(m));
    pos += total;
  }
  buffer_.erase(0, pos);
  if (failed_) buffer_.clear();
  return failed_;
}

std::optional<std::string> Decoder::parse(std::string_view frame, Message& out) {
  const std::size_t total = frame.size();
  if (crc32(frame.substr(0, total - 4)) != be32(frame.data() + total - 4))
    return std::string("event-stream message CRC mismatch");
  const std::uint32_t headers_len = be32(frame.data() + 4);
  std::string_view h = frame.substr(kPrelude, headers_len);
  while (!h.empty()) {
    Header header;
    const std::size_t name_len = static_cast<unsigned char>(h[0]);
    if (name_len == 0 || h.size() < 1 + name_len + 1)
      return std::string("event-stream header is malformed");
    header.name = std::string(h.substr(1, name_len));
    header.type = static_cast<std::uint8_t>(h[1 + name_len]);
    h.remove_prefix(2 + name_len);
    std::size_t fixed = 0;
    switch (header.type) {
      case 0:
        header.value = "true";
        break;
      case 1:
        header.value = "false";
        break;
      case 2:
        fixed = 1;
        break;
      case 3:
        fixed = 2;
        break;
      case 4:
        fixed = 4;
        break;
      case 5:
      case 8:
        fixed = 8;
        break;
      case 9:
        if (h.size() < 16) return std::string("event-stream header is malformed");
        header.value = std::string(h.substr(0, 16));
        h.remove_prefix(16);
        break;
      case 6:
      case 7: {
        if (h.size() < 2) return std::string("event-stream header is malformed");
        const std::size_t len = be_n(h.data(), 2);
        if (h.size() < 2 + len) return std::string("event-stream header is malformed");
        header.value = std::string(h.substr(2, len));
        h.remove_prefix(2 + len);
        break;
      }
      default:
        return "event-stream header has unknown value type " + std::to_string(header.type);
    }
    if (fixed) {
      if (h.size() < fixed) return std::string("event-stream header is malformed");
      std::uint64_t v = be_n(h.data(), static_cast<int>(fixed));
      // Sign-extend the signed integer types.
      if (fixed < 8 && (v >> (fixed * 8 - 1)) & 1) v |= ~((std::uint64_t(1) << (fixed * 8)) - 1);
      header.value = std::to_string(static_cast<std::int64_t>(v));
      h.remove_prefix(fixed);
    }
    out.headers.push_back(std::move(header));
  }
  out.payload =
      std::string(frame.substr(kPrelude + headers_len, total - kMinMessage - headers_len));
  return std::nullopt;
}

std::string encode(const std::vector<Header>& headers, std::string_view payload) {
  std::string h;
  for (const auto& header : headers) {
    h.push_back(static_cast<char>(header.name.size()));
    h.append(header.name);
    h.push_back(7);
    h.push_back(static_cast<char>((header.value.size() >> 8) & 0xFF));
    h.push_back(static_cast<char>(header.value.size() & 0xFF));
    h.append(header.value);
  }
  std::string out;
  const auto total = static_cast<std::uint32_t>(kMinMessage + h.size() + payload.size());
  put32(out, total);
  put32(out, static_cast<std::uint32_t>(h.size()));
  put32(out, crc32(out));
  out.append(h);
  out.append(payload);
  put32(out, crc32(out));
  return out;
}

}  // namespace aiohub::eventstream
