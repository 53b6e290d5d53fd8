#pragma once
// The two ways an image request reaches an upstream, shared by the service:
// OpenAI-style passthrough and Gemini translation.
#include <string>

#include "billing/image_pricing.hpp"
#include "cluster/shared_state.hpp"
#include "images/file_store.hpp"
#include "pipeline/relay.hpp"
#include "protocols/openai_images/request.hpp"
#include "router/router.hpp"

namespace aiohub {

struct ImageContext {
  HttpExchange& ex;
  const openai_images::ImageRequest& request;
  const RelaySettings& settings;
  ImageFileStore& files;
  asio::thread_pool& disk;
  std::string public_base;  // "http://host:port", where /v1/images/files/ is served
};

struct ImageOutcome {
  RelayOutcome relay;
  ImageBill bill;
};

// What serving one image request came to, for billing and the log.
struct ImageAttempt {
  ImageOutcome result;
  std::optional<Candidate> served;  // the channel (and its group) that answered or was tried last
  std::string attempts;             // failed tries before it, as JSON (see UsageRecord)
  AdmissionTicket ticket;           // slot and reservation, settled to the exact cost when recorded
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
