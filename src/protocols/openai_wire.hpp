#pragma once
// JSON helpers the two OpenAI protocols (Chat Completions and Responses)
// share: ids, null-tolerant field access, data URLs and the freeform-tool
// wrapper. Each codec's own wire.hpp pulls them into its namespace.
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace aiohub::openai_wire {

namespace json = boost::json;

// A fresh id such as "call_3f9c…": clients only need uniqueness and the prefix.
std::string new_id(std::string_view prefix);
std::int64_t now_seconds();

// Field access that treats JSON null like an absent field.
const json::value* get(const json::object& o, std::string_view key);
std::string_view get_string(const json::object& o, std::string_view key);
std::int64_t get_int(const json::object& o, std::string_view key);

// "data:<mime>;base64,<data>" -> mime and data; false for anything else.
bool parse_data_url(std::string_view url, std::string& mime, std::string& data);
std::string data_url(std::string_view mime, std::string_view data);

// Freeform (custom) tool input as the {"input": "..."} arguments of the
// function it travels as.
std::string wrap_custom_input(std::string_view input);

}  // namespace aiohub::openai_wire
