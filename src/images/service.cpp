#include "images/service.hpp"

#include "admin/metrics.hpp"

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "gateway/route_errors.hpp"
#include "images/off_thread.hpp"
#include "images/relay.hpp"
#include "ir/sse.hpp"
#include "router/router.hpp"
#include "server/client_watch.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace aiohub {

namespace fs = std::filesystem;
using openai_images::ImageRequest;

ImageServiceOptions image_service_options(const Config& config) {
  ImageServiceOptions o;
  const auto& im = config.images;
  if (!im.dir.empty()) {
    o.dir = im.dir;
  } else {
    constexpr std::string_view kSqlite = "sqlite://";
    std::string_view db = config.server.database;
    fs::path base = "data";
    if (db.substr(0, kSqlite.size()) == kSqlite)
      base = fs::path(std::string(db.substr(kSqlite.size()))).parent_path();
    o.dir = base / "images";
  }
  o.public_base_url = im.public_base_url;
  o.retention = std::chrono::seconds(static_cast<std::int64_t>(im.retention_hours * 3600));
  o.max_bytes = static_cast<std::uint64_t>(im.max_bytes);
  o.upload_limits.max_file_bytes = static_cast<std::size_t>(im.max_file_bytes);
  return o;
}

ImageService::ImageService(ImageServiceOptions options, UsageWriter& usage, RelaySettings relay,
                           RoutingConfig routing, SharedState* shared)
    : options_(std::move(options)),
      usage_(usage),
      relay_(relay),
      routing_(routing),
      files_(options_.dir, options_.retention, options_.max_bytes),
      shared_(shared ? *shared : local_shared_) {}

ImageService::~ImageService() {
  disk_.join();
}

namespace {

awaitable<void> reply(HttpExchange& ex, const ApiError& e, std::string_view extra_headers = {}) {
  const std::string body = error_body(ErrorShape::openai, e);
  co_await ex.response.send(e.status, "application/json", body, extra_headers);
}

// Never from the request's Host or X-Forwarded-* headers: a client would
// choose the address its image links point to.
std::string public_base(const ImageServiceOptions& o, HttpExchange& ex) {
  if (!o.public_base_url.empty()) return o.public_base_url;
  return "http://" + local_address_of(ex.response.stream().socket());
}

std::string_view mime_of_file(std::string_view name) {
  auto ext = name.substr(name.rfind('.') + 1);
  if (ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  return "image/png";
}

const ImagePrice* image_price_for(const Snapshot& snap, const std::string& model) {
  auto it = snap.image_prices.find(model);
  return it == snap.image_prices.end() ? nullptr : &it->second;
}

// One failed try, for the log (the shape Gateway writes for the text endpoints).
void append_attempt(std::string& attempts, const Candidate& c, const RelayOutcome& outcome,
                    std::int64_t ms) {
  attempts.append(attempts.empty() ? "[" : ",");
  attempts.append("{\"channel\":");
  append_json_string(attempts, c.channel->record.name);
  attempts.append(",\"group\":");
  append_json_string(attempts, c.group->name);
  attempts.append(",\"status\":" + std::to_string(outcome.status) + ",\"failure\":");
  append_json_string(attempts, failure_name(outcome.failure));
  attempts.append(",\"error\":");
  append_json_string(attempts, outcome.error);
  attempts.append(",\"ms\":" + std::to_string(ms) + "}");
}

}  // namespace

awaitable<void> ImageService::serve(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                    bool edit) {
  if (auto err = check_group(snap, key, Endpoint::images)) {
    co_await reply(ex, *err);
    co_return;
  }
  ImageRequest request;
  std::optional<ApiError> bad;
  if (edit)
    bad = openai_images::parse_edit(std::string_view(ex.request[http::field::content_type]),
                                    ex.request.body(), options_.upload_limits, request);
  else
    bad = openai_images::parse_generation(ex.request.body(), request);
  if (bad) {
    co_await reply(ex, *bad);
    co_return;
  }

  ImageAttempt attempt;
  auto decision =
      route_request(snap, key, Endpoint::images, request.model, ex.worker.rng, unix_now_ms());
  if (auto err = route_error(decision, request.model, key, Endpoint::images)) {
    attempt.result.relay.status = err->status;
    attempt.result.relay.error = err->message;
    record(ex, snap, key, request, attempt);
    co_await reply(ex, *err);
    co_return;
  }
  const Price* price = snap.price(request.model);
  if (!price && !snap.allow_free_models) {
    const ApiError e{403,
                     "The model '" + request.model +
                         "' has no price on this gateway, so it cannot be billed. The operator "
                         "must add a [[prices]] entry for it (or allow free models).",
                     "model_not_priced", ""};
    attempt.result.relay.status = e.status;
    attempt.result.relay.error = e.message;
    record(ex, snap, key, request, attempt);
    co_await reply(ex, e);
    co_return;
  }

  // Limits before the reservation: a refused request holds no credit.
  const Group* own_group = decision.candidates.front().group;
  const RateLimits limits = effective_limits(key.record.limits, own_group->limits);
  AdmitInput admit_input;
  admit_input.key = &key;
  admit_input.limits = limits;
  if (price)
    admit_input.estimate =
        image_reservation(request.n, request.size, request.quality, ex.request.body().size(), price,
                          image_price_for(snap, request.model), own_group->ratio_ppm);
  Admission admission = co_await shared_.admit(admit_input);
  if (admission.refusal == Admission::Refusal::limit) {
    const ApiError e{429, admission.verdict.message, "rate_limit_exceeded", "rate_limit_exceeded"};
    const std::string retry = retry_after_header(admission.verdict.retry_after_s);
    co_await reply(ex, e, retry);
    co_return;
  }
  if (admission.refusal == Admission::Refusal::quota) {
    const ApiError e{429, "This API key has used all of its quota.", "insufficient_quota",
                     "insufficient_quota"};
    co_await reply(ex, e);
    co_return;
  }
  attempt.ticket = std::move(admission.ticket);

  ImageContext ctx{ex, request, relay_, files_, disk_, public_base(options_, ex)};
  ClientWatch watch(ex.response.stream());
  ex.watch = &watch;
  const std::int64_t give_up_us =
      ex.started_us + std::int64_t(routing_.max_retry_seconds) * 1'000'000;
  int tries = 0;
  for (const Candidate& candidate : decision.candidates) {
    const Channel* channel = candidate.channel;
    const auto admitted = channel->health->admit(unix_now_ms());
    if (admitted == ChannelHealth::Admit::no && &candidate != &decision.candidates.back()) continue;
    ++tries;
    attempt.served = candidate;
    const std::int64_t try_started_us = mono_now_us();
    if (channel->kind == ChannelKind::gemini)
      attempt.result = co_await relay_gemini_images(ctx, *channel);
    else
      attempt.result = co_await relay_openai_images(ctx, *channel);
    RelayOutcome& outcome = attempt.result.relay;
    if (watch.gone()) {
      outcome.status = 499;
      outcome.retryable = false;
      outcome.reply.reset();
      if (outcome.error.empty() || outcome.failure != Failure::none)
        outcome.error = "client went away; upstream request cancelled";
      outcome.failure = Failure::none;
      if (admitted == ChannelHealth::Admit::probe) channel->health->probe_abandoned();
      break;
    }
    note_health(*channel, outcome);
    if (!outcome.retryable || ex.response.committed()) break;
    if (tries >= routing_.max_attempts || mono_now_us() >= give_up_us) break;
    if (&candidate == &decision.candidates.back()) break;
    append_attempt(attempt.attempts, candidate, outcome, (mono_now_us() - try_started_us) / 1000);
    spdlog::warn("request {}: {}; trying the next channel", ex.response.request_id(),
                 outcome.error);
  }
  ex.watch = nullptr;
  RelayOutcome& outcome = attempt.result.relay;
  if (outcome.reply && !ex.response.started() && outcome.status != 499)
    co_await ex.response.send(outcome.reply->status, outcome.reply->content_type,
                              outcome.reply->body);
  if (!attempt.attempts.empty()) attempt.attempts.push_back(']');
  record(ex, snap, key, request, attempt);
}

void ImageService::note_health(const Channel& channel, const RelayOutcome& outcome) {
  const std::int64_t now = unix_now_ms();
  const bool changed = outcome.failure == Failure::none
                           ? channel.health->succeeded(now)
                           : channel.health->failed(outcome.failure, outcome.error, routing_, now);
  if (!changed) return;
  auto rec = channel.health->record();
  if (rec.state == "healthy")
    spdlog::info("channel '{}' is back in rotation", channel.record.name);
  else
    spdlog::warn("channel '{}' is out of rotation until {}: {}", channel.record.name,
                 format_rfc3339(rec.until_ms / 1000), rec.reason);
  shared_.channel_health_changed(rec);
  usage_.push_health(std::move(rec));
}

void ImageService::record(HttpExchange& ex, const Snapshot& snap, const Key& key,
                          const ImageRequest& request, ImageAttempt& attempt) {
  const RelayOutcome& outcome = attempt.result.relay;
  const ImageBill& bill = attempt.result.bill;
  UsageRecord row;
  row.ts_ms = unix_now_ms();
  row.request_id = ex.response.request_id();
  row.key_id = key.record.id;
  row.key_name = key.record.name;
  row.group = key.record.group;
  row.model = request.model;
  if (attempt.served) {
    const Channel& channel = *attempt.served->channel;
    row.group = attempt.served->group->name;
    row.channel = channel.record.name;
    row.upstream_model = channel.upstream_model(request.model);
    // Images are billed when they were made, whether or not the client
    // stayed to receive them; a refusal before any image costs its tokens.
    if (bill.images > 0 || bill.tokens.reported)
      row.cost = image_cost(bill, snap.price(request.model), image_price_for(snap, request.model),
                            attempt.served->group->ratio_ppm);
  }
  attempt.ticket.settle(row.cost, bill.tokens.input + bill.tokens.output, row.ts_ms);
  row.endpoint = "images";
  row.stream = request.stream;
  row.usage = bill.tokens;
  row.latency_ms = (mono_now_us() - ex.started_us) / 1000;
  row.ttfb_ms = outcome.ttfb_us / 1000;
  row.status = outcome.status;
  row.error = outcome.error;
  row.attempts = std::move(attempt.attempts);
  spdlog::debug(
      "{} images key={} model={} channel={} status={} images={} in={} out={} "
      "cost_micros={}",
      row.request_id, row.key_name, row.model, row.channel, row.status, bill.images,
      row.usage.input, row.usage.output, row.cost);
  if (metrics_) metrics_->observe(row);
  usage_.push(std::move(row));
}

awaitable<void> ImageService::serve_file(HttpExchange& ex, const std::string& name) {
  std::optional<std::string> bytes;
  if (ImageFileStore::valid_name(name)) {
    ImageFileStore* files = &files_;
    std::string file = name;
    auto job = [files, file] { return files->load(file); };  // named: see answer.cpp
    bytes = co_await off_thread<std::optional<std::string>>(disk_, std::move(job));
  }
  if (!bytes) {
    const ApiError e{404, "No such image: it never existed or has expired.", "not_found", ""};
    co_await reply(ex, e);
    co_return;
  }
  co_await ex.response.send(200, mime_of_file(name), *bytes,
                            "Cache-Control: private, max-age=3600\r\nX-Content-Type-Options: "
                            "nosniff\r\n");
}

}  // namespace aiohub
