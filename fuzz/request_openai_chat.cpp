// OpenAI Chat Completions client requests: the translating decode_request
// (with its ClientOptions) and the passthrough path: peek_request, then
// rewrite_request, whose output must be one valid JSON object naming the
// upstream model and, for streams, asking for usage.
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"
#include "request_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = fuzz::as_view(data, size);
  ir::Request r;
  openai_chat::ClientOptions client;
  if (!openai_chat::decode_request(body, r, client)) fuzz::check_decoded(r);

  openai_chat::RequestPeek peek;
  if (openai_chat::peek_request(body, peek)) return 0;
  for (std::string_view upstream : {std::string_view("upstream-model"), std::string_view(peek.model)}) {
    const std::string out = openai_chat::rewrite_request(body, peek, upstream);
    openai_chat::RequestPeek again;
    if (auto err = openai_chat::peek_request(out, again))
      fuzz::fuzz_fail("rewrite_request made a body peek_request refuses: " + *err + "\n" + out);
    if (again.model != upstream) fuzz::fuzz_fail("rewrite_request: model not replaced");
    if (again.stream != peek.stream) fuzz::fuzz_fail("rewrite_request: stream changed");
    if (peek.stream && !again.client_wants_usage)
      fuzz::fuzz_fail("rewrite_request: a stream does not ask for usage");
  }
  return 0;
}
