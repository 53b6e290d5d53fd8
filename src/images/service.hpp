#pragma once
// The OpenAI Images API: POST /v1/images/generations and
// POST /v1/images/edits routed to OpenAI-style image upstreams by
// passthrough or to Gemini image models by translation, billed per image
// and per token, and GET /v1/images/files/{name} for the images the gateway
// keeps when a client asks for URLs.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "images/file_store.hpp"
#include "pipeline/failover.hpp"
#include "protocols/openai_images/multipart.hpp"
#include "protocols/openai_images/request.hpp"
#include "server/http_server.hpp"

namespace aiohub {

struct ImageServiceOptions {
  std::filesystem::path dir;
  std::string public_base_url;  // empty: http://<the listening address>
  std::chrono::seconds retention{24 * 3600};
  std::uint64_t max_bytes = std::uint64_t(1) << 30;
  multipart::Limits upload_limits;
};

// From [images] and [server]: the folder is paths::images_dir.
ImageServiceOptions image_service_options(const Config& config);

class ImageService {
 public:
  ImageService(ImageServiceOptions options, Pipeline& pipeline, RelaySettings relay);
  ~ImageService();

  awaitable<void> serve(HttpExchange& ex, const Snapshot& snap, const Key& key, bool edit);
  // No key: the name is the secret.
  awaitable<void> serve_file(HttpExchange& ex, const std::string& name);

 private:
  ImageServiceOptions options_;
  Pipeline& pipeline_;
  RelaySettings relay_;
  ImageFileStore files_;
  asio::thread_pool disk_{1};  // every file read and write
};

}  // namespace aiohub
