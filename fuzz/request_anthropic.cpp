// Claude Messages client requests (POST /v1/messages): decode_request, the
// re-encoding for every upstream protocol, the passthrough model swap and the
// Bedrock InvokeModel body built from the same bytes.
#include "protocols/anthropic/codec.hpp"
#include "providers/bedrock/bedrock.hpp"
#include "request_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = fuzz::as_view(data, size);
  ir::Request r;
  if (!anthropic::decode_request(body, r)) fuzz::check_decoded(r);
  fuzz::check_model_swap(body);
  if (auto invoke = bedrock::invoke_body(body, "beta-a,beta-b")) {
    // Boost-serialized from the client's object: keys may hold escapes.
    if (auto err = json_peek::validate(*invoke))
      fuzz::fuzz_fail("bedrock::invoke_body made invalid JSON: " + *err);
  }
  return 0;
}
