#pragma once
// Pieces of the Chat Completions wire format shared by this codec's request,
// response and stream code (not part of its interface).
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "billing/money.hpp"

namespace aiohub::openai_chat::wire {

namespace json = boost::json;

// A fresh id such as "call_3f9c…": clients only need uniqueness and the prefix.
std::string new_id(std::string_view prefix);
std::int64_t now_seconds();

// Field access that treats JSON null like an absent field.
const json::value* get(const json::object& o, std::string_view key);
std::string_view get_string(const json::object& o, std::string_view key);
std::int64_t get_int(const json::object& o, std::string_view key);

Usage parse_usage(const json::value* usage);
json::object usage_json(const Usage& u);

// "data:<mime>;base64,<data>" -> mime and data; false for anything else.
bool parse_data_url(std::string_view url, std::string& mime, std::string& data);
std::string data_url(std::string_view mime, std::string_view data);

// Custom (freeform) tools become functions taking one string, "input".
json::value custom_tool_schema();
std::string wrap_custom_input(std::string_view input);

}  // namespace aiohub::openai_chat::wire
