#pragma once
// Error bodies in each client protocol's own shape, so that the caller's SDK
// raises its usual exception with our message in it.
#include <string>
#include <string_view>

namespace aiohub {

enum class ErrorShape { openai, anthropic, gemini };

struct ApiError {
  int status = 500;
  std::string message;
  std::string code;  // OpenAI `code` (e.g. invalid_api_key); empty: derived from status
  std::string type;  // OpenAI/Anthropic `type`; empty: derived from status
};

std::string error_body(ErrorShape shape, const ApiError& e);

// The protocol-specific type names for a status, as each protocol's
// documentation lists them (docs/protocols/mapping.md#errors).
std::string_view openai_error_type(int status);
std::string_view anthropic_error_type(int status);
std::string_view gemini_error_status(int status);

}  // namespace aiohub
