#include "images/service.hpp"

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "images/off_thread.hpp"
#include "images/relay.hpp"
#include "router/router.hpp"
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

ImageService::ImageService(ImageServiceOptions options, UsageWriter& usage, RelaySettings relay)
    : options_(std::move(options)),
      usage_(usage),
      relay_(relay),
      files_(options_.dir, options_.retention, options_.max_bytes) {}

ImageService::~ImageService() {
  disk_.join();
}

namespace {

awaitable<void> reply(HttpExchange& ex, const ApiError& e) {
  const std::string body = error_body(ErrorShape::openai, e);
  co_await ex.response.send(e.status, "application/json", body);
}

std::optional<ApiError> group_error(const Snapshot& snap, const Key& key) {
  const Group* group = snap.group(key.record.group);
  if (!group)
    return ApiError{403, "This key's group '" + key.record.group + "' no longer exists.",
                    "group_not_found", ""};
  if (!group->allows(Endpoint::images))
    return ApiError{403,
                    "Group '" + group->name +
                        "' does not allow the images endpoint (/v1/images). Use the endpoint "
                        "your group is for, or a key of another group.",
                    "endpoint_not_allowed", ""};
  return std::nullopt;
}

std::optional<ApiError> route_error(const RouteDecision& d, const std::string& model,
                                    const std::string& group) {
  using S = RouteDecision::Status;
  switch (d.status) {
    case S::ok:
      return std::nullopt;
    case S::model_not_allowed_for_key:
      return ApiError{
          404,
          "The model '" + model + "' is not in this key's allowed models (group '" + group + "').",
          "model_not_found", ""};
    case S::model_not_in_group:
      return ApiError{404,
                      "The model '" + model + "' is not in group '" + group +
                          "'. GET /v1/models lists the models this key can use.",
                      "model_not_found", ""};
    case S::no_channel_for_endpoint:
      return ApiError{400,
                      "The model '" + model + "' is served by channel '" + d.unusable->record.name +
                          "' of type '" + d.unusable->record.type +
                          "', which cannot serve the images endpoint (/v1/images); image models "
                          "need an openai, openai-compatible or gemini channel.",
                      "channel_type_mismatch", ""};
  }
  return std::nullopt;
}

std::string public_base(const ImageServiceOptions& o, const http::request<http::string_body>& r) {
  if (!o.public_base_url.empty()) return o.public_base_url;
  std::string host(r[http::field::host]);
  if (host.empty()) host = "localhost";
  auto proto = r["X-Forwarded-Proto"];
  return (proto == "https" ? "https://" : "http://") + host;
}

std::string_view mime_of_file(std::string_view name) {
  auto ext = name.substr(name.rfind('.') + 1);
  if (ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  return "image/png";
}

}  // namespace

awaitable<void> ImageService::serve(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                    bool edit) {
  if (auto err = group_error(snap, key)) {
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

  auto decision = route_request(snap, key, Endpoint::images, request.model, ex.worker.rng);
  ImageOutcome outcome;
  const Channel* served_by = nullptr;
  if (auto err = route_error(decision, request.model, key.record.group)) {
    outcome.relay.status = err->status;
    outcome.relay.error = err->message;
    record(ex, snap, key, request, decision.unusable, outcome);
    co_await reply(ex, *err);
    co_return;
  }

  ImageContext ctx{ex, request, relay_, files_, disk_, public_base(options_, ex.request)};
  for (const Channel* channel : decision.candidates) {
    served_by = channel;
    if (channel->kind == ChannelKind::gemini)
      outcome = co_await relay_gemini_images(ctx, *channel);
    else
      outcome = co_await relay_openai_images(ctx, *channel);
    if (!outcome.relay.retryable || ex.response.started()) break;
    spdlog::warn("request {}: {}; trying the next channel", ex.response.request_id(),
                 outcome.relay.error);
  }
  if (!ex.response.started()) {
    outcome.relay.status = outcome.relay.status ? outcome.relay.status : 502;
    const ApiError e{outcome.relay.status, outcome.relay.error, "upstream_error", ""};
    co_await reply(ex, e);
  }
  record(ex, snap, key, request, served_by, outcome);
}

void ImageService::record(HttpExchange& ex, const Snapshot& snap, const Key& key,
                          const ImageRequest& request, const Channel* channel,
                          const ImageOutcome& outcome) {
  UsageRecord row;
  row.ts_ms = unix_now_ms();
  row.request_id = ex.response.request_id();
  row.key_id = key.record.id;
  row.key_name = key.record.name;
  row.group = key.record.group;
  row.model = request.model;
  if (channel) {
    row.channel = channel->record.name;
    row.upstream_model = channel->upstream_model(request.model);
  }
  row.endpoint = "images";
  row.stream = request.stream;
  row.usage = outcome.bill.tokens;
  const Group* group = snap.group(key.record.group);
  if (group && outcome.relay.status >= 200 && outcome.relay.status < 300) {
    const ImagePrice* image_price = nullptr;
    if (auto it = snap.image_prices.find(request.model); it != snap.image_prices.end())
      image_price = &it->second;
    row.cost = image_cost(outcome.bill, snap.price(request.model), image_price, group->ratio_ppm);
  }
  if (row.cost) key.state->used.fetch_add(row.cost, std::memory_order_relaxed);
  row.latency_ms = (mono_now_us() - ex.started_us) / 1000;
  row.ttfb_ms = outcome.relay.ttfb_us / 1000;
  row.status = outcome.relay.status;
  row.error = outcome.relay.error;
  spdlog::debug(
      "{} images key={} model={} channel={} status={} images={} in={} out={} cost_micros={}",
      row.request_id, row.key_name, row.model, row.channel, row.status, outcome.bill.images,
      row.usage.input, row.usage.output, row.cost);
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
