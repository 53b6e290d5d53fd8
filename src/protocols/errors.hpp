#pragma once
// Error bodies in each client protocol's own shape, so that the caller's SDK
// raises its usual exception with our message in it.
#include <string>
#include <string_view>

#include "domain/api_error.hpp"

namespace aiohub {

std::string error_body(ErrorShape shape, const ApiError& e);

// The protocol-specific type names for a status, as each protocol's
// documentation lists them (docs/protocols/mapping.md#errors).
std::string_view openai_error_type(int status);
std::string_view anthropic_error_type(int status);
std::string_view gemini_error_status(int status);

}  // namespace aiohub
