#pragma once
// Pieces of the Anthropic wire format shared by the request, response and
// stream code of this codec (not part of its interface).
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ir/ir.hpp"
#include "protocols/errors.hpp"

namespace aiohub::anthropic::wire {

namespace json = boost::json;

// Field access that treats JSON null like an absent field.
const json::value* get(const json::object& o, std::string_view key);
std::string_view get_string(const json::object& o, std::string_view key);
std::int64_t get_int(const json::object& o, std::string_view key);

// A fresh id such as "msg_01…": clients only need uniqueness and the prefix.
std::string new_id(std::string_view prefix);

// Anthropic requires tool ids to match ^[a-zA-Z0-9_-]+$ (docs/protocols/README.md#pitfall-4).
// Valid ids pass unchanged; others get a stable replacement, so that a
// tool_use and its tool_result still match after both are sanitized.
std::string tool_id(std::string_view id);

// usage object -> Usage (input counts cached tokens too) and back.
Usage parse_usage(const json::object& usage);
json::object usage_json(const Usage& u);

// tool_use input (an object) <-> IR arguments (JSON text of an object).
std::string arguments_text(const json::value* input);
json::object arguments_object(std::string_view arguments);

// A response content block -> part; nullopt for blocks the IR cannot carry
// (server tool blocks). Also used for assistant blocks in requests.
std::optional<ir::Part> output_part(const json::object& block);
// An answer part -> response content block; null for parts a response cannot
// hold (images, documents, tool results, empty text).
json::value output_block(const ir::Part& p);

// "data:<mime>;base64,<data>" -> mime and data; false for anything else.
bool parse_data_url(std::string_view url, std::string& mime, std::string& data);

std::string base64_encode(std::string_view in);
std::string base64_decode(std::string_view in);

// The HTTP status an Anthropic error type stands for (the inverse of
// anthropic_error_type, for in-stream errors that carry no status).
int status_for_type(std::string_view type);

// The suffix that makes truncated tool-argument JSON parse ("" when it already
// does, "{}" for nothing at all); nullopt when no suffix can repair it.
std::optional<std::string> json_completion(std::string_view partial);

}  // namespace aiohub::anthropic::wire
