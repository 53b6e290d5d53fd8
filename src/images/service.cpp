#include "images/service.hpp"

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "config/paths.hpp"
#include "images/relay.hpp"
#include "pipeline/http_transport.hpp"
#include "pipeline/route_errors.hpp"
#include "protocols/errors.hpp"
#include "server/off_thread.hpp"
#include "util/time.hpp"

namespace aiohub {

using openai_images::ImageRequest;

ImageServiceOptions image_service_options(const Config& config) {
  ImageServiceOptions o;
  const auto& im = config.images;
  o.dir = paths::images_dir(config);
  o.public_base_url = im.public_base_url;
  o.retention = std::chrono::seconds(static_cast<std::int64_t>(im.retention_hours * 3600));
  o.max_bytes = static_cast<std::uint64_t>(im.max_bytes);
  o.upload_limits.max_file_bytes = static_cast<std::size_t>(im.max_file_bytes);
  return o;
}

ImageService::ImageService(ImageServiceOptions options, Pipeline& pipeline, RelaySettings relay)
    : options_(std::move(options)),
      pipeline_(pipeline),
      relay_(relay),
      files_(options_.dir, options_.retention, options_.max_bytes) {}

ImageService::~ImageService() {
  disk_.join();
}

namespace {

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

// An image request: OpenAI-style channels by passthrough, Gemini image
// models by translation; billed per image (and per token where reported).
class ImageCalls final : public ServeCalls {
 public:
  ImageCalls(ImageContext& ctx, const Snapshot& snap) : ctx_(ctx), snap_(snap) {}

  Micros reservation(const Price& price, const Group& group) override {
    const auto& r = ctx_.request;
    return image_reservation(r.n, r.size, r.quality, ctx_.relay.client_body.size(), &price,
                             image_price_for(snap_, r.model), group.ratio_ppm);
  }

  awaitable<RelayOutcome> relay(const Candidate& candidate) override {
    const Channel& channel = *candidate.channel;
    // Not a conditional expression: GCC 12 miscompiles co_await in one.
    ImageOutcome result;
    if (adaptor_for(channel).protocol() == Protocol::gemini)
      result = co_await relay_gemini_images(ctx_, channel);
    else
      result = co_await relay_openai_images(ctx_, channel);
    bill_ = result.bill;
    co_return result.relay;
  }

  void estimate_cancelled(RelayOutcome&) override {
    // The client hung up while the images were being made: the provider
    // finishes and bills every image it was asked for, so the key pays for
    // them too, whatever reached the client (a few partial images, or none).
    if (bill_.images < ctx_.request.n) {
      bill_.images = ctx_.request.n;
      estimated_ = true;
    }
  }

  Bill bill(const RelayOutcome&, const Candidate* served) override {
    Bill b{0, bill_.tokens, estimated_};
    // Images are billed when they were made, whether or not the client
    // stayed to receive them; a refusal before any image costs its tokens.
    if (served && (bill_.images > 0 || bill_.tokens.reported))
      b.cost = image_cost(bill_, snap_.price(ctx_.request.model),
                          image_price_for(snap_, ctx_.request.model), served->group->ratio_ppm);
    return b;
  }

 private:
  ImageContext& ctx_;
  const Snapshot& snap_;
  ImageBill bill_;
  bool estimated_ = false;
};

}  // namespace

awaitable<void> ImageService::serve(HttpExchange& ex, const Snapshot& snap, const Key& key,
                                    bool edit) {
  HttpTransport transport(ex.response);
  if (auto err = check_group(snap, key, Endpoint::images)) {
    co_await reply_error(transport, ErrorShape::openai, *err);
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
    co_await reply_error(transport, ErrorShape::openai, *bad);
    co_return;
  }
  AdaptorOpener opener({ex.worker.io.get_executor(), ex.worker.pool});
  RelayContext relay{transport, ex.request,        ex.request.body(), opener,
                     relay_,    pipeline_.clock(), ex.started_us,     ex.worker.io.get_executor()};
  ImageContext ctx{relay, request, files_, disk_, public_base(options_, ex)};
  ImageCalls calls(ctx, snap);
  const ServeRequest serve_request{Endpoint::images, request.model, request.stream, {}};
  co_await pipeline_.serve_with_failover(relay, snap, key, ex.worker.rng, serve_request, calls);
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
    HttpTransport transport(ex.response);
    co_await reply_error(transport, ErrorShape::openai, e);
    co_return;
  }
  co_await ex.response.send(200, mime_of_file(name), *bytes,
                            "Cache-Control: private, max-age=3600\r\nX-Content-Type-Options: "
                            "nosniff\r\n");
}

}  // namespace aiohub
