#include "app/front_door.hpp"

#include "admin/admin_api.hpp"
#include "app/routes.hpp"
#include "config/config_watcher.hpp"
#include "gateway/gateway.hpp"
#include "images/service.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/auth.hpp"
#include "protocols/errors.hpp"
#include "server/cors.hpp"
#include "util/bounded.hpp"
#include "util/time.hpp"
#include "web/serve.hpp"

namespace aiohub {
namespace {

// Counts a gateway request in flight for as long as it runs, however it ends.
struct InflightGuard {
  explicit InflightGuard(Metrics& m) : metrics(m) { metrics.request_started(); }
  ~InflightGuard() { metrics.request_finished(); }
  Metrics& metrics;
};

awaitable<void> reply_error(HttpExchange& ex, ErrorShape shape, const ApiError& error) {
  const std::string extra = error.status == 405 ? "Allow: POST\r\n" : "";
  const std::string body = error_body(shape, error);
  co_await ex.response.send(error.status, "application/json", body, extra);
}

// The routes answered before any key is looked for.
bool keyless(RouteKind kind) {
  switch (kind) {
    case RouteKind::healthz:
    case RouteKind::admin:
    case RouteKind::web:
    case RouteKind::preflight:
    case RouteKind::image_file:
    case RouteKind::mistake:
    case RouteKind::not_found:
    case RouteKind::method_not_allowed:
      return true;
    default:
      return false;
  }
}

}  // namespace

awaitable<std::optional<EarlyReply>> FrontDoor::screen(const http::request_header<>& head,
                                                       std::string_view path,
                                                       std::string_view query) {
  const auto route = classify_request(head.method_string(), path);
  if (route.kind == RouteKind::admin) {
    if (path == "/metrics") co_return std::nullopt;
    std::optional<EarlyReply> refused = co_await admin_.screen(head);
    co_return refused;
  }
  if (keyless(route.kind)) co_return std::nullopt;
  const auto snap = config_.current();
  const auto auth = authenticate(*snap, presented_key(head, query), unix_now_s());
  if (auth.key) co_return std::nullopt;
  co_return EarlyReply{auth.error.status, error_body(route.shape, auth.error), ""};
}

std::string FrontDoor::early_error_body(std::string_view path, int status,
                                        std::string_view message) {
  if (classify_request("GET", path).kind == RouteKind::admin)
    return admin::admin_error_body(status, message);
  return error_body(error_shape_for_path(path), {status, std::string(message), "", ""});
}

awaitable<void> FrontDoor::handle(HttpExchange& ex) {
  const auto route = classify_request(std::string_view(ex.request.method_string()), ex.path);
  switch (route.kind) {
    case RouteKind::admin:
      if (ex.path == "/metrics")
        co_await admin_.metrics(ex);
      else
        co_await admin_.handle(ex);
      co_return;
    case RouteKind::healthz:
      co_await ex.response.send(200, "application/json", R"({"status":"ok"})");
      co_return;
    case RouteKind::web:
      co_await web::serve(ex);
      co_return;
    // Keyless routes: CORS preflight and stored images.
    case RouteKind::preflight: {
      const std::string headers = preflight_headers(ex.request);
      co_await ex.response.send(204, "", "", headers);
      co_return;
    }
    case RouteKind::image_file:
      co_await images_.serve_file(ex, route.image_file);
      co_return;
    case RouteKind::mistake:
    case RouteKind::not_found: {
      const ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
      co_return;
    }
    case RouteKind::method_not_allowed: {
      const ApiError e{405,
                       "Method " + bounded_for_log(ex.request.method_string(), kMaxLoggedName) +
                           " is not allowed on " + bounded_for_log(ex.path, kMaxLoggedPath) + ".",
                       "method_not_allowed", ""};
      co_await reply_error(ex, route.shape, e);
      co_return;
    }
    case RouteKind::generate:
    case RouteKind::count_tokens:
    case RouteKind::list_models:
    case RouteKind::images:
    case RouteKind::not_served_yet:  // answered after the key: it names what exists
      break;
  }

  InflightGuard inflight(metrics_);
  auto snap = config_.current();
  auto auth = authenticate(*snap, presented_key(ex.request, ex.query), unix_now_s());
  if (!auth.key) {
    co_await reply_error(ex, route.shape, auth.error);
    co_return;
  }
  const Key& key = *auth.key;
  switch (route.kind) {
    // Named, not braced temporaries: GCC 12 destroys a temporary in a
    // co_await expression twice.
    case RouteKind::generate: {
      const RequestTarget target{route.gemini_model, route.gemini_stream};
      co_await gateway_.generate(ex, *snap, key, route.endpoint, target);
      break;
    }
    case RouteKind::count_tokens: {
      const RequestTarget target{route.gemini_model, false};
      co_await gateway_.count_tokens(ex, *snap, key, route.endpoint, target);
      break;
    }
    case RouteKind::list_models:
      co_await gateway_.list_models(ex, *snap, key, route.endpoint);
      break;
    case RouteKind::images:
      co_await images_.serve(ex, *snap, key, route.image_edit);
      break;
    default: {
      const ApiError e{404, route.message, "not_found", ""};
      co_await reply_error(ex, route.shape, e);
    }
  }
}

}  // namespace aiohub
