#pragma once
// An Images API request served by a Gemini image model: generateContent
// asked for IMAGE output, input images as inlineData parts, and the images
// read back from the answer's inlineData parts.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money.hpp"
#include "protocols/errors.hpp"
#include "protocols/openai_images/request.hpp"

namespace aiohub::openai_images {

// The generateContent body for one image of `r`.
std::string gemini_request_body(const ImageRequest& r);

// "1536x1024" -> "3:2": the supported aspect ratio nearest to a size;
// empty for "auto" or no size.
std::string gemini_aspect_ratio(std::string_view size);

struct GeneratedImage {
  std::string mime;  // image/png, ...
  std::string b64;   // base64 as the upstream sent it
};

struct GeminiImages {
  std::vector<GeneratedImage> images;
  std::string text;  // any text the model wrote beside the images
  Usage usage;
  std::int64_t input_text_tokens = 0;
  std::int64_t input_image_tokens = 0;
};

// Appends the answer's images and adds its usage to `out`. An answer without
// an image is an error (blocked prompt, safety stop, text only).
std::optional<ApiError> read_gemini_answer(std::string_view body, GeminiImages& out);

// The OpenAI Images API response for what Gemini produced, with base64
// images (the caller swaps in URLs when asked).
std::string openai_images_response(const GeminiImages& g, std::int64_t created,
                                   const ImageRequest& r);

// One streamed `image_generation.completed` (or `image_edit.completed`)
// event for image `index` of `g`, usage on the last one.
std::string openai_completed_event(const GeminiImages& g, std::size_t index, std::int64_t created,
                                   const ImageRequest& r);

}  // namespace aiohub::openai_images
