#include "admin/front_door.hpp"

#include "admin/metrics.hpp"
#include "gateway/auth.hpp"
#include "gateway/config_watcher.hpp"
#include "gateway/endpoints.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

// The routes Gateway::handle answers before it looks for a key.
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

// Counts a gateway request in flight for as long as it runs, however it ends.
struct InflightGuard {
  explicit InflightGuard(Metrics& m) : metrics(m) { metrics.request_started(); }
  ~InflightGuard() { metrics.request_finished(); }
  Metrics& metrics;
};

}  // namespace

bool FrontDoor::is_admin_path(std::string_view path) {
  return path == "/metrics" || path == "/api" || path.substr(0, 5) == "/api/";
}

awaitable<std::optional<EarlyReply>> FrontDoor::screen(const http::request_header<>& head,
                                                       std::string_view path,
                                                       std::string_view query) {
  if (path == "/metrics") co_return std::nullopt;
  if (is_admin_path(path)) {
    std::optional<EarlyReply> refused = co_await admin_.screen(head);
    co_return refused;
  }
  if (!config_) co_return std::nullopt;
  const auto route = classify_request(head.method_string(), path);
  if (keyless(route.kind)) co_return std::nullopt;
  const auto snap = config_->current();
  const auto auth = authenticate(*snap, presented_key(head, query), unix_now_s());
  if (auth.key) co_return std::nullopt;
  co_return EarlyReply{auth.error.status, error_body(route.shape, auth.error), ""};
}

awaitable<void> FrontDoor::handle(HttpExchange& ex) {
  if (ex.path == "/metrics") {
    co_await admin_.metrics(ex);
  } else if (is_admin_path(ex.path)) {
    co_await admin_.handle(ex);
  } else {
    InflightGuard guard(metrics_);
    co_await gateway_.handle(ex);
  }
}

std::string FrontDoor::early_error_body(std::string_view path, int status,
                                        std::string_view message) {
  if (is_admin_path(path)) return admin::admin_error_body(status, message);
  return gateway_.early_error_body(path, status, message);
}

}  // namespace aiohub
