#include "admin/admin_api.hpp"

#include <spdlog/spdlog.h>

#include "admin/channel_test.hpp"
#include "admin/json_util.hpp"
#include "billing/usage_writer.hpp"
#include "cluster/shared_state.hpp"
#include "config/config_watcher.hpp"
#include "config/provision.hpp"
#include "metrics/metrics.hpp"
#include "router/health.hpp"
#include "util/time.hpp"

namespace aiohub::admin {
namespace {

std::string_view error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "request_too_large";
    default:
      return status >= 500 ? "internal_error" : "invalid_request";
  }
}

AdminResponse failure(int status, std::string_view message) {
  AdminResponse r;
  r.status = status;
  r.body = error_json(error_type(status), message);
  if (status == 401) r.extra_headers = "WWW-Authenticate: Bearer realm=\"aiohub admin\"\r\n";
  return r;
}

AdminResponse route(ApiContext& ctx, const AdminRequest& req) {
  if (req.segments.empty()) not_found("The admin API lives under /api/ (see docs/admin-api.md).");
  const std::string& resource = req.segments[0];
  if (resource == "keys") return keys_api(ctx, req);
  if (resource == "channels") return channels_api(ctx, req);
  if (resource == "groups") return groups_api(ctx, req);
  if (resource == "prices") return prices_api(ctx, req);
  if (resource == "settings") return settings_api(ctx, req);
  if (resource == "logs") return logs_api(ctx, req);
  if (resource == "usage") return usage_api(ctx, req);
  if (resource == "overview") return overview_api(ctx, req);
  not_found("Unknown admin API path /api/" + resource + ".");
}

// A call as the I/O thread hands it over, or the answer when it can be
// given without the store.
struct Parsed {
  AdminRequest request;
  std::string token;
  std::optional<AdminResponse> early;
  bool channel_test = false;
};

Parsed parse(const HttpExchange& ex) {
  Parsed p;
  p.request.method = std::string(ex.request.method_string());
  auto segments = api_segments(ex.path);
  if (!segments) {
    p.early = failure(400, "The path has a malformed %-escape.");
    return p;
  }
  p.request.segments = std::move(*segments);
  if (ex.request.body().size() > kMaxAdminBodyBytes) {
    p.early = failure(413, "The request body is larger than the admin API's limit of " +
                               std::to_string(kMaxAdminBodyBytes) + " bytes.");
    return p;
  }
  try {
    p.request.query = parse_query(ex.query);
  } catch (const ApiFailure& e) {
    p.early = failure(e.status, e.what());
    return p;
  }
  p.request.body = ex.request.body();
  auto auth = ex.request.find(http::field::authorization);
  if (auth != ex.request.end()) p.token = std::string(bearer_token(auth->value()));
  const auto& seg = p.request.segments;
  p.channel_test =
      seg.size() == 3 && seg[0] == "channels" && seg[2] == "test" && p.request.method == "POST";
  return p;
}

std::optional<AdminResponse> refuse_token(Store& store, std::string_view token) {
  if (token.empty())
    return failure(401, "The admin API needs 'Authorization: Bearer <admin token>'.");
  if (!admin_token_matches(store, token)) return failure(401, "The admin token is not valid.");
  return std::nullopt;
}

}  // namespace

std::string_view bearer_token(std::string_view authorization) {
  if (authorization.size() < 7) return {};
  std::string scheme(authorization.substr(0, 7));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  auto token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::string admin_error_body(int status, std::string_view message) {
  return error_json(error_type(status), message);
}

AdminResponse answer(ApiContext& ctx, const AdminRequest& req, std::string_view admin_token) {
  try {
    if (auto refused = refuse_token(ctx.store, admin_token)) return *refused;
    return route(ctx, req);
  } catch (const ApiFailure& e) {
    return failure(e.status, e.what());
  } catch (const std::exception& e) {
    spdlog::error("admin API {} /api/{}: {}", req.method,
                  req.segments.empty() ? "" : req.segments[0], e.what());
    return failure(500, "Internal error; the gateway log has the details.");
  }
}

AdminApi::AdminApi(std::string database_url, std::size_t store_threads, ConfigWatcher* watcher,
                   Metrics& metrics, UsageWriter* usage)
    : pool_(std::move(database_url), store_threads),
      watcher_(watcher),
      metrics_(metrics),
      usage_(usage) {}

void AdminApi::stop() {
  pool_.stop();
}

awaitable<AdminResponse> AdminApi::answer_on_pool(AdminRequest req, std::string token) {
  return pool_.run([this, req = std::move(req), token = std::move(token)](Store& store) {
    std::shared_ptr<const Snapshot> live;
    if (watcher_) live = watcher_->current();
    ApiContext ctx{store, live.get(), unix_now_ms()};
    return answer(ctx, req, token);
  });
}

awaitable<AdminApi::TestPlanOrAnswer> AdminApi::plan_on_pool(AdminRequest req, std::string token) {
  return pool_.run([req = std::move(req), token = std::move(token)](Store& store) {
    TestPlanOrAnswer out;
    try {
      if (auto refused = refuse_token(store, token)) {
        out.answer = *refused;
        return out;
      }
      out.plan = plan_channel_test(store, req.segments[1], req.body);
    } catch (const ApiFailure& e) {
      out.answer = failure(e.status, e.what());
    } catch (const std::exception& e) {
      spdlog::error("admin API channel test: {}", e.what());
      out.answer = failure(500, "Internal error; the gateway log has the details.");
    }
    return out;
  });
}

awaitable<std::optional<EarlyReply>> AdminApi::screen(const http::request_header<>& head) {
  std::string token;
  if (auto auth = head.find(http::field::authorization); auth != head.end())
    token = std::string(bearer_token(auth->value()));
  auto refused = [](const AdminResponse& r) {
    return std::optional<EarlyReply>(EarlyReply{r.status, r.body, r.extra_headers});
  };
  if (token.empty())
    co_return refused(failure(401, "The admin API needs 'Authorization: Bearer <admin token>'."));
  // Without a body nothing is saved by asking the store twice.
  const auto length = head.find(http::field::content_length);
  const bool body_pending = head.count(http::field::transfer_encoding) > 0 ||
                            (length != head.end() && length->value() != "0");
  if (!body_pending) co_return std::nullopt;
  // A store that fails lets the call through: handle() answers (and logs) it.
  // The failure is caught on the store thread and the job made before it is
  // awaited: awaiting pool_.run(lambda) inside a try block broke this
  // coroutine's frame with GCC 12 (garbled answers, then a crash).
  auto check = [token](Store& store) {
    try {
      return admin_token_matches(store, token);
    } catch (const std::exception&) {
      return true;
    }
  };
  auto job = pool_.run(std::move(check));
  const bool valid = co_await std::move(job);
  if (!valid) co_return refused(failure(401, "The admin token is not valid."));
  co_return std::nullopt;
}

awaitable<void> AdminApi::handle(HttpExchange& ex) {
  Parsed call = parse(ex);
  if (call.early) {
    co_await ex.response.send(call.early->status, "application/json", call.early->body,
                              call.early->extra_headers);
    co_return;
  }
  const std::string method = call.request.method;
  const std::string path(ex.path);

  if (call.channel_test) {
    auto job = plan_on_pool(std::move(call.request), std::move(call.token));
    TestPlanOrAnswer prepared = co_await std::move(job);
    if (!prepared.plan) {
      co_await ex.response.send(prepared.answer.status, "application/json", prepared.answer.body,
                                prepared.answer.extra_headers);
      co_return;
    }
    const UpstreamSite site{ex.worker.io.get_executor(), ex.worker.pool};
    std::string body = co_await run_channel_test(*prepared.plan, site);
    spdlog::info("admin API: tested channel '{}'", prepared.plan->channel.name);
    co_await ex.response.send(200, "application/json", body);
    co_return;
  }

  auto job = answer_on_pool(std::move(call.request), std::move(call.token));
  AdminResponse r = co_await std::move(job);
  if (method != "GET" && r.status < 300)
    spdlog::info("admin API: {} {} -> {}", method, path, r.status);
  co_await ex.response.send(r.status, "application/json", r.body, r.extra_headers);
}

std::string AdminApi::metrics_text() const {
  // Everything here is in memory (counters, the snapshot's channel health,
  // the writer's queue): no store call, so it runs on the I/O thread.
  Metrics::Gauges g;
  g.inflight_requests = metrics_.inflight();
  if (usage_) g.usage_queue_length = static_cast<std::int64_t>(usage_->queued());
  if (shared_ && shared_->backend() != "local") g.shared_state_reachable = shared_->healthy();
  if (watcher_) {
    auto snap = watcher_->current();
    for (auto& c : snap->channels) {
      bool healthy = c.record.enabled;
      if (c.health) healthy = healthy && c.health->record().state == "healthy";
      g.channel_healthy.emplace_back(c.record.name, healthy);
    }
  }
  return metrics_.render(g);
}

awaitable<void> AdminApi::metrics(HttpExchange& ex) {
  const http::verb method = ex.request.method();
  if (method != http::verb::get) {
    const std::string body = admin_error_body(405, "Use GET on /metrics.");
    co_await ex.response.send(405, "application/json", body, "Allow: GET\r\n");
    co_return;
  }
  const std::string text = metrics_text();
  co_await ex.response.send(200, "text/plain; version=0.0.4; charset=utf-8", text);
}

}  // namespace aiohub::admin
