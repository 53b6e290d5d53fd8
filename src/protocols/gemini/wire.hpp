#pragma once
// Pieces of the Gemini wire format shared by the request, response and stream
// code of this codec (not part of its interface).
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ir/ir.hpp"

namespace aiohub::gemini::wire {

namespace json = boost::json;

// Field access by camelCase name that also finds the snake_case spelling
// (REST accepts both) and treats JSON null like an absent field.
const json::value* get(const json::object& o, std::string_view camel);
std::string_view get_string(const json::object& o, std::string_view camel);
std::optional<std::int64_t> get_int(const json::object& o, std::string_view camel);
std::optional<double> get_number(const json::object& o, std::string_view camel);
bool get_bool(const json::object& o, std::string_view camel);
const json::object* get_object(const json::object& o, std::string_view camel);
const json::array* get_array(const json::object& o, std::string_view camel);

// A fresh unique id such as "call_…" for calls the upstream left without one.
std::string new_id(std::string_view prefix);

// usageMetadata <-> Usage (input counts cached tokens; output counts thoughts).
Usage parse_usage(const json::object& meta);
json::object usage_json(const Usage& u);

// IR arguments (JSON text) -> functionCall.args; anything but an object
// becomes {} so that the SDK can still read the call (docs/protocols/README.md#pitfall-6).
json::object args_object(std::string_view arguments);

// One wire part -> IR part. Tool-call ids stay empty when the wire had none;
// the caller decides how to fill them.
enum class PartResult { ok, skip, bad };
PartResult decode_part(const json::object& part, ir::Part& out, std::string& why);

// An answer part (text, thinking, tool call, inline media) -> wire part; null
// for parts the model side cannot hold.
json::value encode_part(const ir::Part& p);

// "data:<mime>;base64,<data>" -> mime and data; false for anything else.
bool parse_data_url(std::string_view url, std::string& mime, std::string& data);

// The HTTP status for a google.rpc status name (in-stream errors may lack a code).
int status_for(std::string_view status);

}  // namespace aiohub::gemini::wire
