#pragma once
// Answers a request for the embedded web pages (see static_site.hpp).
#include "server/http_server.hpp"

namespace aiohub::web {

awaitable<void> serve(HttpExchange& ex);

}  // namespace aiohub::web
