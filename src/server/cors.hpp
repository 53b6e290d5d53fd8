#pragma once
// Cross-origin access to the API routes, so that browser apps (the image
// playground, web chat clients) can call the gateway with a key of their own.
// Keys travel in headers, never cookies, so "*" grants nothing a caller could
// not do without a browser.
#include <string>
#include <string_view>

#include "server/asio.hpp"

namespace aiohub {

// The API routes: /v1/... and /v1beta/...
bool cors_applies(std::string_view path);

// Added to every response on those routes.
inline constexpr std::string_view kCorsHeaders =
    "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: x-request-id\r\n";

// The extra header lines of a 204 answer to an OPTIONS preflight.
std::string preflight_headers(const http::fields& request);

}  // namespace aiohub
