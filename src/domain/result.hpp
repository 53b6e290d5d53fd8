#pragma once
// Status and Result<T> with an ApiError: how decoders, request parsers and
// checks above util/ report "it worked, or here is why not"
// (docs/architecture.md, "Errors"; the template is util/result.hpp).
//
//   Status decode_part(const json::object& o, ir::Request& out);   // ok, or why not
//   Result<ir::Request> decode_request(std::string_view body);     // the request, or why not
//
//   auto req = decode_request(body);
//   if (!req.ok()) return reply(req.error());
//   use(req.value());
//
// A function returns the ApiError itself to fail (`return ApiError{400, msg, "", ""};`)
// and passes another's failure on with `return st.error();`.
#include "domain/api_error.hpp"
#include "util/result.hpp"

namespace aiohub {

using Status = BasicStatus<ApiError>;
template <class T>
using Result = BasicResult<T, ApiError>;

}  // namespace aiohub
