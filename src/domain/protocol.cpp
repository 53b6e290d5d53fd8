#include "domain/protocol.hpp"

namespace aiohub {

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::anthropic:
      return "anthropic";
    case Protocol::openai_responses:
      return "openai-responses";
    case Protocol::gemini:
      return "gemini";
    case Protocol::openai_chat:
      break;
  }
  return "openai";
}

ErrorShape error_shape(Protocol p) {
  switch (p) {
    case Protocol::anthropic:
      return ErrorShape::anthropic;
    case Protocol::gemini:
      return ErrorShape::gemini;
    default:
      return ErrorShape::openai;
  }
}

Protocol client_protocol(Endpoint e) {
  switch (e) {
    case Endpoint::messages:
      return Protocol::anthropic;
    case Endpoint::responses:
      return Protocol::openai_responses;
    case Endpoint::gemini:
      return Protocol::gemini;
    default:
      return Protocol::openai_chat;
  }
}

}  // namespace aiohub
