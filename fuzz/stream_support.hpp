#pragma once
// What the stream targets share: one protocol's upstream answer bytes read
// as a stream (whole and split, grammar checked, every client encoder fed)
// and as a whole non-streamed body (decode_response, replayed as events,
// every client's encode_response), and as an error body.
#include "fuzz_support.hpp"
#include "protocols/response_events.hpp"

namespace fuzz {

template <class Decoder, class DecodeResponse, class DecodeError>
void check_upstream_answer(std::string_view bytes, const char* who, DecodeResponse decode_response,
                           DecodeError decode_error) {
  using namespace aiohub;
  auto events = decode_all_ways<Decoder>(bytes, who);
  encode_everywhere(events);

  ir::Response r;
  if (!decode_response(bytes, r)) {
    auto replay = response_as_events(r);
    check_events(replay, true, "response_as_events");
    encode_everywhere(replay);
    (void)anthropic::encode_response(r, "client-model");
    (void)openai_chat::encode_response(r, "client-model");
    (void)openai_responses::encode_response(r, "client-model");
    (void)gemini::encode_response(r, "client-model");
  }
  (void)decode_error(400 + static_cast<int>(hash(bytes) % 200), bytes);
}

}  // namespace fuzz
