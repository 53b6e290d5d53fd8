// src/providers/bedrock/eventstream: AWS event-stream frames from Bedrock,
// then the SseReframer that turns them into Anthropic SSE, then the
// Anthropic stream decoder, as a Bedrock stream is read.
//
// The first byte chooses how the rest is read: raw bytes, or a list of
// frames (u16 header-block length, u16 payload length, bytes) that the target
// wraps with correct lengths and CRCs, so that the fuzzer reaches the header
// and payload parsers behind the checksums. Checks, beyond no crash:
// - the same bytes give the same messages (and the same SSE, and the same
//   IR events) however they are split;
// - the IR events keep the stream grammar.
#include "fuzz_support.hpp"
#include "providers/bedrock/bedrock.hpp"
#include "providers/bedrock/eventstream.hpp"

using namespace aiohub;

namespace {

void put32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

std::string frames(std::string_view in) {
  std::string out;
  while (in.size() >= 4) {
    std::size_t hl = (static_cast<unsigned char>(in[0]) << 8 | static_cast<unsigned char>(in[1]));
    std::size_t pl = (static_cast<unsigned char>(in[2]) << 8 | static_cast<unsigned char>(in[3]));
    in.remove_prefix(4);
    hl = std::min(hl, in.size());
    std::string_view headers = in.substr(0, hl);
    in.remove_prefix(hl);
    pl = std::min(pl, in.size());
    std::string_view payload = in.substr(0, pl);
    in.remove_prefix(pl);
    std::string msg;
    put32(msg, static_cast<std::uint32_t>(16 + headers.size() + payload.size()));
    put32(msg, static_cast<std::uint32_t>(headers.size()));
    put32(msg, eventstream::crc32(msg));
    msg.append(headers);
    msg.append(payload);
    put32(msg, eventstream::crc32(msg));
    out += msg;
  }
  return out;
}

std::string dump(const std::vector<eventstream::Message>& ms, const std::optional<std::string>& err) {
  std::string out;
  for (const auto& m : ms) {
    for (const auto& h : m.headers) out += h.name + "\x01" + std::to_string(h.type) + h.value + "\x02";
    out += m.payload + "\x03";
  }
  if (err) out += "error";
  return out;
}

std::string decode(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  eventstream::Decoder d;
  std::vector<eventstream::Message> ms;
  std::optional<std::string> err;
  std::size_t at = 0;
  for (auto cut : cuts) {
    if (auto e = d.feed(bytes.substr(at, cut - at), ms); e && !err) err = e;
    at = cut;
  }
  if (auto e = d.feed(bytes.substr(at), ms); e && !err) err = e;
  return dump(ms, err);
}

std::string reframe(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  bedrock::SseReframer r;
  std::string out;
  std::size_t at = 0;
  for (auto cut : cuts) {
    r.feed(bytes.substr(at, cut - at), out);
    at = cut;
  }
  r.feed(bytes.substr(at), out);
  r.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  const std::string bytes = (data[0] & 1) ? frames(in) : std::string(in);

  const std::string whole = decode(bytes, {});
  const std::string sse = reframe(bytes, {});
  for (const auto& cuts : {fuzz::one_cut(bytes), fuzz::small_pieces(bytes)}) {
    if (cuts.empty()) continue;
    if (decode(bytes, cuts) != whole) fuzz::fuzz_fail("eventstream: split input decodes differently");
    if (reframe(bytes, cuts) != sse) fuzz::fuzz_fail("SseReframer: split input reframes differently");
  }
  auto events = fuzz::decode_all_ways<anthropic::StreamDecoder>(sse, "bedrock->anthropic");
  fuzz::encode_everywhere(events);
  return 0;
}
