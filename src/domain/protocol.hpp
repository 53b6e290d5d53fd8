#pragma once
// The four text protocols the gateway speaks, on either side of a request.
#include <string_view>

#include "domain/api_error.hpp"
#include "domain/endpoint.hpp"

namespace aiohub {

enum class Protocol { openai_chat, anthropic, openai_responses, gemini };

std::string_view protocol_name(Protocol p);
ErrorShape error_shape(Protocol p);
// The protocol a client of this endpoint speaks.
Protocol client_protocol(Endpoint e);

}  // namespace aiohub
