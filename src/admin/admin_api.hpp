#pragma once
// The admin REST API under /api/ (docs/admin-api.md) and /metrics. Each
// call is checked against the admin token and answered on a store thread;
// the I/O thread only parses, waits and writes.
#include <memory>
#include <string>
#include <string_view>

#include "admin/channel_test.hpp"
#include "admin/request.hpp"
#include "admin/store_pool.hpp"
#include "server/http_server.hpp"

namespace aiohub {
class ConfigWatcher;
class Metrics;
class UsageWriter;
class SharedState;
}  // namespace aiohub

namespace aiohub::admin {

inline constexpr std::size_t kMaxAdminBodyBytes = 1 << 20;

// Admin token check, route and handler, synchronously: what a store thread
// runs for each call. Never throws; failures become JSON error answers.
AdminResponse answer(ApiContext& ctx, const AdminRequest& req, std::string_view admin_token);

// The token of "Authorization: Bearer <token>"; empty when absent.
std::string_view bearer_token(std::string_view authorization);

std::string admin_error_body(int status, std::string_view message);

class AdminApi {
 public:
  // `watcher` gives live key balances and the channel list; `usage` the
  // number of rows written, for the queue gauge. Both may be null.
  AdminApi(std::string database_url, std::size_t store_threads, ConfigWatcher* watcher,
           Metrics& metrics, UsageWriter* usage);

  // Redis, when configured: its reachability is a /metrics gauge.
  void attach_shared_state(const SharedState* shared) { shared_ = shared; }

  // Before the body of an /api call is read: 401 without a token, or, when
  // a body is on its way, with a wrong one (handle() checks every call).
  awaitable<std::optional<EarlyReply>> screen(const http::request_header<>& head);
  awaitable<void> handle(HttpExchange& ex);   // /api, /api/...
  awaitable<void> metrics(HttpExchange& ex);  // /metrics
  void stop();

 private:
  struct TestPlanOrAnswer {
    std::optional<ChannelTestPlan> plan;  // set: run the test; else send `answer`
    AdminResponse answer;
  };
  awaitable<AdminResponse> answer_on_pool(AdminRequest req, std::string token);
  awaitable<TestPlanOrAnswer> plan_on_pool(AdminRequest req, std::string token);
  std::string metrics_text() const;

  StorePool pool_;
  ConfigWatcher* watcher_;
  Metrics& metrics_;
  UsageWriter* usage_;
  const SharedState* shared_ = nullptr;
};

}  // namespace aiohub::admin
