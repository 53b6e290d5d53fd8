// Upstream answers of a gemini channel: Gemini streamGenerateContent?alt=sse (data-only chunks, whole functionCall parts)
// through StreamDecoder (whole and split at data-derived points: same events,
// stream grammar kept, finish() closes the stream), every client's stream
// encoder, and the same bytes as a whole body through decode_response.
#include "protocols/gemini/codec.hpp"
#include "stream_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_upstream_answer<gemini::StreamDecoder>(
      fuzz::as_view(data, size), "gemini",
      [](std::string_view b, ir::Response& r) { return gemini::decode_response(b, r); },
      [](int s, std::string_view b) { return gemini::decode_error(s, b); });
  return 0;
}
