#pragma once
// The one RequestHandler the server sees: /api/... and /metrics go to the
// admin side, everything else to the gateway.
#include "admin/admin_api.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class ConfigWatcher;
class Metrics;

class FrontDoor final : public RequestHandler {
 public:
  // `config` gives the keys that screen() checks; without it only the admin
  // side screens.
  FrontDoor(RequestHandler& gateway, admin::AdminApi& admin, Metrics& metrics,
            const ConfigWatcher* config = nullptr)
      : gateway_(gateway), admin_(admin), metrics_(metrics), config_(config) {}

  // Before the body: the gateway's keyed routes refuse a missing or unknown
  // key (disabled, expired, out of quota too) exactly as handle() would, in
  // the path's protocol; the admin API refuses a missing or wrong admin
  // token. Keyless routes (health, web pages, CORS preflight, stored image
  // files, /metrics) pass.
  awaitable<std::optional<EarlyReply>> screen(const http::request_header<>& head,
                                              std::string_view path,
                                              std::string_view query) override;
  awaitable<void> handle(HttpExchange& ex) override;
  std::string early_error_body(std::string_view path, int status,
                               std::string_view message) override;

  static bool is_admin_path(std::string_view path);

 private:
  RequestHandler& gateway_;
  admin::AdminApi& admin_;
  Metrics& metrics_;
  const ConfigWatcher* config_;
};

}  // namespace aiohub
