// Upstream answers of an openai / openai-compatible channel: Chat Completions
// SSE through StreamDecoder (whole and split: same events, grammar kept),
// every client's stream encoder, decode_response on the same bytes; the
// openai-compatible ChunkRepair in front of the decoder; and the passthrough
// StreamTap, which must relay the same bytes and tap the same usage however
// the stream is split.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"
#include "providers/openai_compatible/repair.hpp"
#include "stream_support.hpp"

using namespace aiohub;

namespace {

template <class Rewriter>
std::string rewrite(Rewriter& r, std::string_view bytes, const std::vector<std::size_t>& cuts) {
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

std::string tap(bool strip, std::string_view bytes, const std::vector<std::size_t>& cuts) {
  openai_chat::StreamTap t(strip);
  std::string out = rewrite(t, bytes, cuts);
  const auto& u = t.usage();
  out += "\x01usage ";
  if (u) out += std::to_string(u->input) + "," + std::to_string(u->output) + "," +
                std::to_string(u->cache_read) + "," + std::to_string(u->reasoning);
  out += t.saw_done() ? " done" : "";
  out += t.saw_error() ? " error" : "";
  out += " " + std::to_string(t.data_events());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  fuzz::check_upstream_answer<openai_chat::StreamDecoder>(
      bytes, "openai_chat",
      [](std::string_view b, ir::Response& r) { return openai_chat::decode_response(b, r); },
      [](int s, std::string_view b) { return openai_chat::decode_error(s, b); });

  openai_compatible::ChunkRepair whole_repair;
  const std::string repaired = rewrite(whole_repair, bytes, {});
  for (const auto& cuts : {fuzz::one_cut(bytes), fuzz::small_pieces(bytes)}) {
    if (cuts.empty()) continue;
    openai_compatible::ChunkRepair split_repair;
    if (rewrite(split_repair, bytes, cuts) != repaired)
      fuzz::fuzz_fail("ChunkRepair: split input repairs differently");
  }
  auto events = fuzz::decode_all_ways<openai_chat::StreamDecoder>(repaired, "repaired openai_chat");
  fuzz::encode_everywhere(events);

  for (bool strip : {false, true}) {
    const std::string whole = tap(strip, bytes, {});
    for (const auto& cuts : {fuzz::one_cut(bytes), fuzz::small_pieces(bytes)})
      if (!cuts.empty() && tap(strip, bytes, cuts) != whole)
        fuzz::fuzz_fail("StreamTap: split input relays differently");
  }
  (void)openai_chat::usage_from_response(bytes);
  return 0;
}
