// Gemini client requests (generateContent / streamGenerateContent): the
// model and stream flag come from the URL, here from the input's hash.
#include "protocols/gemini/codec.hpp"
#include "request_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = fuzz::as_view(data, size);
  ir::Request r;
  const bool stream = fuzz::hash(body) & 1;
  if (!gemini::decode_request(body, "gemini-2.5-flash", stream, r)) {
    if (r.stream != stream) fuzz::fuzz_fail("gemini decode_request: stream flag lost");
    fuzz::check_decoded(r);
  }
  fuzz::check_model_swap(body);
  return 0;
}
