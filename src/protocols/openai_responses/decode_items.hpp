#pragma once
// The `input` array of a client request -> IR system parts and messages.
#include <boost/json/array.hpp>

#include <optional>

#include "ir/ir.hpp"
#include "protocols/errors.hpp"

namespace aiohub::openai_responses {

std::optional<ApiError> decode_items(const boost::json::array& items, ir::Request& out);

}  // namespace aiohub::openai_responses
