// Upstream answers of a anthropic channel: Anthropic Messages SSE (message_start, content_block_*, message_delta …)
// through StreamDecoder (whole and split at data-derived points: same events,
// stream grammar kept, finish() closes the stream), every client's stream
// encoder, and the same bytes as a whole body through decode_response.
#include "protocols/anthropic/codec.hpp"
#include "stream_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_upstream_answer<anthropic::StreamDecoder>(
      fuzz::as_view(data, size), "anthropic",
      [](std::string_view b, ir::Response& r) { return anthropic::decode_response(b, r); },
      [](int s, std::string_view b) { return anthropic::decode_error(s, b); });
  return 0;
}
