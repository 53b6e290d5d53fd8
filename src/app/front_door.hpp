#pragma once
// The one RequestHandler the server sees. It classifies each request by
// method and path (app/routes.hpp) and hands it to the part of aiohub that
// answers it: the admin API and /metrics, the embedded web pages, the text
// endpoints (gateway/), the Images API (images/), or a precise error for a
// mistaken path. Keys are checked here, once, for every endpoint that needs
// one.
#include "server/http_server.hpp"

namespace aiohub {

class ConfigWatcher;
class Gateway;
class ImageService;
class Metrics;
namespace admin {
class AdminApi;
}

class FrontDoor final : public RequestHandler {
 public:
  FrontDoor(ConfigWatcher& config, Gateway& gateway, ImageService& images, admin::AdminApi& admin,
            Metrics& metrics)
      : config_(config), gateway_(gateway), images_(images), admin_(admin), metrics_(metrics) {}

  // Before the body: the keyed routes refuse a missing or unknown key
  // (disabled, expired, out of quota too) exactly as handle() would, in the
  // path's protocol; the admin API refuses a missing or wrong admin token.
  // Keyless routes (health, web pages, CORS preflight, stored image files,
  // /metrics) pass.
  awaitable<std::optional<EarlyReply>> screen(const http::request_header<>& head,
                                              std::string_view path,
                                              std::string_view query) override;
  awaitable<void> handle(HttpExchange& ex) override;
  std::string early_error_body(std::string_view path, int status,
                               std::string_view message) override;

 private:
  awaitable<void> serve_api(HttpExchange& ex);

  ConfigWatcher& config_;
  Gateway& gateway_;
  ImageService& images_;
  admin::AdminApi& admin_;
  Metrics& metrics_;
};

}  // namespace aiohub
