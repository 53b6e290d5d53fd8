#pragma once
// The OpenAI Images API requests (POST /v1/images/generations as JSON,
// POST /v1/images/edits as multipart/form-data): what the gateway checks
// before routing, and the bodies it sends to an OpenAI-style upstream.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/errors.hpp"
#include "protocols/openai_images/multipart.hpp"

namespace aiohub::openai_images {

enum class Operation { generate, edit };

struct InputImage {
  std::string field;     // "image", "image[]" or "mask"
  std::string filename;  // as the client named it
  std::string mime;      // from the bytes: image/png, image/jpeg or image/webp
  std::string bytes;
};

struct ImageRequest {
  Operation op = Operation::generate;
  std::string model;
  std::string prompt;
  int n = 1;
  bool stream = false;
  std::string size;
  std::string quality;
  std::string response_format;  // as asked; empty when absent
  // Generations: the whole JSON body, forwarded with the model replaced.
  boost::json::object body;
  // Edits: the text fields in the order sent, forwarded the same way.
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<InputImage> images;
  std::optional<InputImage> mask;
};

// image/png, image/jpeg or image/webp from the first bytes; empty otherwise.
std::string_view sniff_image(std::string_view bytes);
// The file extension for one of those types ("png", "jpeg", "webp").
std::string_view image_extension(std::string_view mime);

std::optional<ApiError> parse_generation(std::string_view body, ImageRequest& out);
std::optional<ApiError> parse_edit(std::string_view content_type, std::string_view body,
                                   const multipart::Limits& limits, ImageRequest& out);

// GPT-image models answer in base64 only and refuse `response_format`.
bool is_gpt_image(std::string_view upstream_model);
// Whether the client wants URLs (which the gateway makes: upstreams are
// always asked for base64). DALL-E models default to URLs.
bool wants_url(const ImageRequest& r, std::string_view upstream_model);

// The body for an OpenAI-style upstream.
std::string upstream_json(const ImageRequest& r, const std::string& upstream_model);
struct Form {
  std::string content_type;
  std::string body;
};
Form upstream_form(const ImageRequest& r, const std::string& upstream_model);

}  // namespace aiohub::openai_images
