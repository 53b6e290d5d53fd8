#pragma once
// The one RequestHandler the server sees: /api/... and /metrics go to the
// admin side, everything else to the gateway.
#include "admin/admin_api.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class Metrics;

class FrontDoor final : public RequestHandler {
 public:
  FrontDoor(RequestHandler& gateway, admin::AdminApi& admin, Metrics& metrics)
      : gateway_(gateway), admin_(admin), metrics_(metrics) {}

  awaitable<void> handle(HttpExchange& ex) override;
  std::string early_error_body(std::string_view path, int status,
                               std::string_view message) override;

  static bool is_admin_path(std::string_view path);

 private:
  RequestHandler& gateway_;
  admin::AdminApi& admin_;
  Metrics& metrics_;
};

}  // namespace aiohub
