#pragma once
// What the text endpoints read from a request body before routing it: enough
// to choose a channel and admit the request, without decoding the
// conversation.
#include <optional>
#include <string>

#include "protocols/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"
#include "util/json_peek.hpp"

namespace aiohub {

struct TextRequestHead {
  std::string model;
  bool stream = false;
  std::optional<std::int64_t> max_output_tokens;
  bool background = false;  // Responses: the answer comes before the work
  // Chat Completions keeps its stricter peek, which also validates the
  // messages and stream_options; the other protocols a top-level scan.
  openai_chat::RequestPeek chat;
  json_peek::Object scanned;
  bool is_chat = false;

  const json_peek::Object& top() const { return is_chat ? chat.object : scanned; }
  bool client_wants_usage() const { return chat.client_wants_usage; }
};

// Reads the head of a request in `client`'s protocol; a message for the
// client when the body is not a usable request.
std::optional<std::string> peek_text_request(Protocol client, std::string_view body,
                                             const RequestTarget& target, TextRequestHead& out);

}  // namespace aiohub
