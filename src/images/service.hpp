#pragma once
// The OpenAI Images API (issue 6): POST /v1/images/generations and
// POST /v1/images/edits routed to OpenAI-style image upstreams by
// passthrough or to Gemini image models by translation, billed per image
// and per token, and GET /v1/images/files/{name} for the images the gateway
// keeps when a client asks for URLs.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "billing/usage_writer.hpp"
#include "cluster/shared_state.hpp"
#include "config/config.hpp"
#include "gateway/relay.hpp"
#include "images/file_store.hpp"
#include "protocols/openai_images/multipart.hpp"
#include "protocols/openai_images/request.hpp"
#include "server/http_server.hpp"

namespace aiohub {

class Metrics;

struct Config;
struct ImageAttempt;

struct ImageServiceOptions {
  std::filesystem::path dir;
  std::string public_base_url;  // empty: http://<the listening address>
  std::chrono::seconds retention{24 * 3600};
  std::uint64_t max_bytes = std::uint64_t(1) << 30;
  multipart::Limits upload_limits;
};

// From [images] and [server] database: the folder defaults to "images"
// beside the SQLite file.
ImageServiceOptions image_service_options(const Config& config);

class ImageService {
 public:
  ImageService(ImageServiceOptions options, UsageWriter& usage, RelaySettings relay,
               RoutingConfig routing, SharedState* shared = nullptr);
  ~ImageService();

  awaitable<void> serve(HttpExchange& ex, const Snapshot& snap, const Key& key, bool edit);
  // No key: the name is the secret.
  awaitable<void> serve_file(HttpExchange& ex, const std::string& name);
  // Every recorded image request is also counted there (for /metrics).
  void attach_metrics(Metrics& metrics) { metrics_ = &metrics; }

 private:
  // Settles the reservation and the limits, and queues the usage row.
  void record(HttpExchange& ex, const Snapshot& snap, const Key& key,
              const openai_images::ImageRequest& request, ImageAttempt& attempt);
  void note_health(const Channel& channel, const RelayOutcome& outcome);

  ImageServiceOptions options_;
  UsageWriter& usage_;
  RelaySettings relay_;
  RoutingConfig routing_;
  ImageFileStore files_;
  asio::thread_pool disk_{1};  // every file read and write
  Metrics* metrics_ = nullptr;
  SharedState local_shared_;
  SharedState& shared_;  // admission and channel health: local, or Redis
};

}  // namespace aiohub
