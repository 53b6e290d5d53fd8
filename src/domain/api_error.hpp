#pragma once
// An error as the gateway answers it, before it is put in the caller's
// protocol's own shape (protocols/errors.hpp).
#include <string>

namespace aiohub {

// The three error body shapes the client protocols use.
enum class ErrorShape { openai, anthropic, gemini };

struct ApiError {
  int status = 500;
  std::string message;
  std::string code;  // OpenAI `code` (e.g. invalid_api_key); empty: derived from status
  std::string type;  // OpenAI/Anthropic `type`; empty: derived from status
};

}  // namespace aiohub
