#pragma once
// Pieces of the Chat Completions wire format shared by this codec's request,
// response and stream code (not part of its interface).
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/money.hpp"
#include "protocols/openai_wire.hpp"

namespace aiohub::openai_chat::wire {

namespace json = boost::json;

using openai_wire::data_url;
using openai_wire::get;
using openai_wire::get_int;
using openai_wire::get_string;
using openai_wire::new_id;
using openai_wire::now_seconds;
using openai_wire::parse_data_url;
using openai_wire::wrap_custom_input;

Usage parse_usage(const json::value* usage);
json::object usage_json(const Usage& u);

// Custom (freeform) tools become functions taking one string, "input".
json::value custom_tool_schema();

}  // namespace aiohub::openai_chat::wire
