#include "web/serve.hpp"

#include "web/static_site.hpp"

namespace aiohub::web {

awaitable<void> serve(HttpExchange& ex) {
  const auto& req = ex.request;
  const StaticRequest request{std::string_view(req.method_string()), ex.path,
                              std::string_view(req[http::field::accept_encoding]),
                              std::string_view(req[http::field::if_none_match])};
  const StaticReply reply = serve_static(request);
  co_await ex.response.send(reply.status, reply.content_type, reply.body, reply.headers);
}

}  // namespace aiohub::web
