#pragma once
// Pieces of the Responses wire format shared by the request, response and
// stream code of this codec (not part of its interface).
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "ir/ir.hpp"
#include "protocols/errors.hpp"
#include "protocols/openai_wire.hpp"

namespace aiohub::openai_responses::wire {

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

// A reasoning item's text: its summaries (what clients are shown), else its
// raw reasoning_text content (open models), joined by blank lines.
std::string reasoning_text(const json::object& item);

// Custom (freeform) tool input <-> the {"input": "..."} arguments of the
// function it becomes.
std::string unwrap_custom_input(std::string_view arguments);

// The output item for one answer part; a null value for parts Responses
// cannot show (images, documents).
json::value output_item(const ir::Part& p, bool custom_tool);

// A whole Response object as the openai SDK types it, echoing neutral
// request settings because the gateway does not keep the client's.
json::object response_object(std::string_view id, std::int64_t created_at, std::string_view model,
                             std::string_view status, json::array output, const Usage* usage);

// An OpenAI Responses error code for an ApiError, as Codex reads it from
// response.failed (docs/protocols/openai-responses.md#what-codex-needs).
std::string error_code(const ApiError& e);
// The HTTP status an in-stream error code stands for.
int status_for_code(std::string_view code);

}  // namespace aiohub::openai_responses::wire
