#pragma once
// The two ways an image request reaches an upstream: OpenAI-style
// passthrough and Gemini translation, both through the shared exchange
// skeleton (pipeline/exchange.hpp).
#include <string>

#include "billing/image_pricing.hpp"
#include "images/file_store.hpp"
#include "pipeline/exchange.hpp"
#include "protocols/openai_images/request.hpp"

namespace aiohub {

struct ImageContext {
  RelayContext& relay;
  const openai_images::ImageRequest& request;
  ImageFileStore& files;
  asio::thread_pool& disk;
  std::string public_base;  // "http://host:port", where /v1/images/files/ is served
};

struct ImageOutcome {
  RelayOutcome relay;
  ImageBill bill;
};

awaitable<ImageOutcome> relay_openai_images(ImageContext& ctx, const Channel& channel);
awaitable<ImageOutcome> relay_gemini_images(ImageContext& ctx, const Channel& channel);

// Sends an Images API JSON answer to the client, with every b64_json image
// stored and replaced by its URL when the client asked for URLs. Returns
// false when the client went away.
awaitable<bool> send_images_answer(ImageContext& ctx, std::string& body, bool urls,
                                   RelayOutcome& out);

// Reads size, quality, image count and usage from an Images API answer.
void bill_from_answer(std::string_view body, const openai_images::ImageRequest& request,
                      ImageBill& bill);

}  // namespace aiohub
