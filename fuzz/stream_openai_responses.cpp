// Upstream answers of a openai_responses channel: OpenAI Responses typed SSE events (response.*, output items)
// through StreamDecoder (whole and split at data-derived points: same events,
// stream grammar kept, finish() closes the stream), every client's stream
// encoder, and the same bytes as a whole body through decode_response.
#include "protocols/openai_responses/codec.hpp"
#include "stream_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_upstream_answer<openai_responses::StreamDecoder>(
      fuzz::as_view(data, size), "openai_responses",
      [](std::string_view b, ir::Response& r) { return openai_responses::decode_response(b, r); },
      [](int s, std::string_view b) { return openai_responses::decode_error(s, b); });
  return 0;
}
