#include "admin/front_door.hpp"

#include "admin/metrics.hpp"

namespace aiohub {
namespace {

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
