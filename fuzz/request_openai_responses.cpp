// OpenAI Responses client requests (POST /v1/responses, Codex's dialect
// included): decode_request with ClientOptions, re-encoding for every
// upstream protocol, the passthrough model swap.
#include "protocols/openai_responses/codec.hpp"
#include "request_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = fuzz::as_view(data, size);
  ir::Request r;
  openai_responses::ClientOptions client;
  if (!openai_responses::decode_request(body, r, client)) fuzz::check_decoded(r);
  fuzz::check_model_swap(body);
  return 0;
}
