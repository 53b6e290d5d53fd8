// POST /v1/images/generations bodies: parse_generation, then every body the
// gateway builds from it (OpenAI-style upstream JSON for a GPT-image and a
// DALL-E model, the Gemini generateContent body), which must be valid JSON.
#include "protocols/openai_images/gemini_bridge.hpp"
#include "protocols/openai_images/request.hpp"
#include "request_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = fuzz::as_view(data, size);
  openai_images::ImageRequest r;
  if (openai_images::parse_generation(body, r)) return 0;
  for (const char* model : {"gpt-image-1", "dall-e-3"}) {
    const std::string out = openai_images::upstream_json(r, model);
    // Serialized by Boost.JSON from the client's object: keys may hold escapes.
    boost::json::parse_options opt;
    opt.allow_invalid_utf8 = true;
    opt.max_depth = 1024;
    boost::system::error_code ec;
    auto v = boost::json::parse(out, ec, {}, opt);
    if (ec || !v.is_object()) fuzz::fuzz_fail("upstream_json made invalid JSON: " + out);
    const auto* m = v.get_object().if_contains("model");
    if (!m || !m->is_string() || m->get_string() != model)
      fuzz::fuzz_fail("upstream_json: model not replaced");
    (void)openai_images::wants_url(r, model);
  }
  const std::string g = openai_images::gemini_request_body(r);
  if (json_peek::validate(g)) fuzz::fuzz_fail("gemini_request_body made invalid JSON");
  (void)openai_images::gemini_aspect_ratio(r.size);
  return 0;
}
