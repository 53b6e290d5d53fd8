// src/protocols/openai_images/multipart and parse_edit: the image edit form.
// The input's first line is the Content-Type value, the rest the body.
// Checks, beyond no crash:
// - the incremental parser gives the same parts (or the same error status)
//   however the body is split;
// - a parsed edit request re-encodes (upstream_form), and that form parses
//   back to the same fields and files.
#include "fuzz_support.hpp"
#include "protocols/openai_images/gemini_bridge.hpp"
#include "protocols/openai_images/multipart.hpp"
#include "protocols/openai_images/request.hpp"

using namespace aiohub;

namespace {

multipart::Limits small_limits() {
  multipart::Limits l;
  l.max_parts = 8;
  l.max_field_bytes = 512;
  l.max_file_bytes = 2048;
  l.max_header_bytes = 256;
  return l;
}

std::string run(const std::string& boundary, std::string_view body,
                const std::vector<std::size_t>& cuts) {
  multipart::Parser p(boundary, small_limits());
  std::vector<multipart::Part> parts;
  std::optional<multipart::Error> err;
  std::size_t at = 0;
  for (auto cut : cuts) {
    if (!err) err = p.feed(body.substr(at, cut - at), parts);
    at = cut;
  }
  if (!err) err = p.feed(body.substr(at), parts);
  if (!err) err = p.finish();
  std::string out;
  for (const auto& part : parts)
    out += part.name + "\x01" + (part.filename ? "f" + *part.filename : "-") + "\x01" +
           part.content_type + "\x01" + part.data + "\x02";
  if (err) out += "error " + std::to_string(err->status) + " " + err->message;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_view(data, size);
  const auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view content_type = in.substr(0, nl);
  const std::string_view body = in.substr(nl + 1);

  multipart::Error berr;
  if (auto boundary = multipart::boundary_of(content_type, berr)) {
    const std::string whole = run(*boundary, body, {});
    for (const auto& cuts : {fuzz::one_cut(body), fuzz::small_pieces(body)}) {
      if (cuts.empty()) continue;
      const std::string split = run(*boundary, body, cuts);
      if (split != whole)
        fuzz::fuzz_fail("multipart: split body parses differently (first cut at " +
                        std::to_string(cuts.front()) + ")\n--- whole:\n" + whole +
                        "\n--- split:\n" + split);
    }
  }

  openai_images::ImageRequest r;
  if (openai_images::parse_edit(content_type, body, small_limits(), r)) return 0;
  for (const char* model : {"gpt-image-1", "dall-e-2"}) {
    auto form = openai_images::upstream_form(r, model);
    std::vector<multipart::Part> parts;
    multipart::Limits big;
    if (auto err = multipart::parse(form.content_type, form.body, big, parts))
      fuzz::fuzz_fail("upstream_form does not parse back: " + err->message);
    std::size_t files = 0;
    for (const auto& p : parts) {
      if (p.is_file()) {
        ++files;
        continue;
      }
      if (p.name == "model" && p.data != model) fuzz::fuzz_fail("upstream_form: model not replaced");
    }
    if (files != r.images.size() + (r.mask ? 1 : 0))
      fuzz::fuzz_fail("upstream_form: files lost or added");
  }
  (void)openai_images::gemini_request_body(r);
  (void)openai_images::wants_url(r, "dall-e-2");
  return 0;
}
