#include "protocols/openai_images/request.hpp"

#include <charconv>
#include <set>

namespace aiohub::openai_images {
namespace json = boost::json;

namespace {

ApiError bad(std::string message, std::string code = "invalid_request_error") {
  return ApiError{400, std::move(message), code == "invalid_request_error" ? "" : code, ""};
}

std::optional<int> small_int(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<ApiError> check_range(const char* name, std::int64_t v, std::int64_t lo,
                                    std::int64_t hi) {
  if (v < lo || v > hi)
    return bad("'" + std::string(name) + "' must be between " + std::to_string(lo) + " and " +
               std::to_string(hi) + " (got " + std::to_string(v) + ").");
  return std::nullopt;
}

std::optional<ApiError> check_response_format(const std::string& f) {
  if (!f.empty() && f != "url" && f != "b64_json")
    return bad("'response_format' must be 'url' or 'b64_json' (got '" + f + "').");
  return std::nullopt;
}

// The edit form's text fields, each with the range check it needs.
const std::set<std::string, std::less<>>& edit_text_fields() {
  static const std::set<std::string, std::less<>> names = {
      "prompt",         "model",         "n",
      "size",           "quality",       "background",
      "input_fidelity", "output_format", "output_compression",
      "partial_images", "stream",        "response_format",
      "user",           "moderation",    "style"};
  return names;
}

std::optional<ApiError> take_image(multipart::Part& part, InputImage& out) {
  if (!part.is_file())
    return bad("The form field '" + part.name +
               "' must be a file upload (a part with a filename), not text.");
  std::string_view mime = sniff_image(part.data);
  if (mime.empty())
    return bad("The file '" + *part.filename + "' in field '" + part.name +
                   "' is not a PNG, JPEG or WebP image.",
               "invalid_image_format");
  out.field = part.name;
  out.filename =
      part.filename->empty() ? "image." + std::string(image_extension(mime)) : *part.filename;
  out.mime = std::string(mime);
  out.bytes = std::move(part.data);
  return std::nullopt;
}

}  // namespace

std::string_view sniff_image(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (b.size() >= 3 && b.substr(0, 3) == "\xff\xd8\xff") return "image/jpeg";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return {};
}

std::string_view image_extension(std::string_view mime) {
  if (mime == "image/jpeg") return "jpeg";
  if (mime == "image/webp") return "webp";
  return "png";
}

std::optional<ApiError> parse_generation(std::string_view body, ImageRequest& out) {
  out.op = Operation::generate;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return bad("We could not parse the JSON body of your request: it must be a JSON object.");
  out.body = std::move(v.as_object());
  const json::object& o = out.body;
  auto text = [&](const char* name, std::string& into) -> std::optional<ApiError> {
    const json::value* f = o.if_contains(name);
    if (!f || f->is_null()) return std::nullopt;
    if (!f->is_string()) return bad("'" + std::string(name) + "' must be a string.");
    into = std::string(f->as_string());
    return std::nullopt;
  };
  auto integer = [&](const char* name, std::int64_t lo, std::int64_t hi,
                     std::optional<std::int64_t>& into) -> std::optional<ApiError> {
    const json::value* f = o.if_contains(name);
    if (!f || f->is_null()) return std::nullopt;
    if (!f->is_int64()) return bad("'" + std::string(name) + "' must be an integer.");
    into = f->as_int64();
    return check_range(name, *into, lo, hi);
  };
  std::optional<std::int64_t> n, partial, compression;
  for (auto err : {text("model", out.model), text("prompt", out.prompt), text("size", out.size),
                   text("quality", out.quality), text("response_format", out.response_format),
                   integer("n", 1, 10, n), integer("partial_images", 0, 3, partial),
                   integer("output_compression", 0, 100, compression)})
    if (err) return err;
  if (out.model.empty()) return bad("You must provide a model parameter.");
  if (out.prompt.empty()) return bad("You must provide a non-empty 'prompt'.");
  if (n) out.n = static_cast<int>(*n);
  if (const json::value* s = o.if_contains("stream"); s && !s->is_null()) {
    if (!s->is_bool()) return bad("'stream' must be true or false.");
    out.stream = s->as_bool();
  }
  return check_response_format(out.response_format);
}

std::optional<ApiError> parse_edit(std::string_view content_type, std::string_view body,
                                   const multipart::Limits& limits, ImageRequest& out) {
  out.op = Operation::edit;
  std::vector<multipart::Part> parts;
  if (auto err = multipart::parse(content_type, body, limits, parts))
    return ApiError{err->status, err->message, "", ""};
  std::set<std::string, std::less<>> seen;
  for (auto& part : parts) {
    if (part.name == "image" || part.name == "image[]") {
      InputImage img;
      if (auto err = take_image(part, img)) return err;
      out.images.push_back(std::move(img));
      continue;
    }
    if (part.name == "mask") {
      if (out.mask) return bad("The form has more than one 'mask'.");
      InputImage img;
      if (auto err = take_image(part, img)) return err;
      out.mask = std::move(img);
      continue;
    }
    if (!edit_text_fields().count(part.name))
      return bad("Unknown parameter: '" + part.name +
                     "'. Image edits take image (or image[]), mask, prompt, model, n, size, "
                     "quality, background, input_fidelity, output_format, output_compression, "
                     "partial_images, stream, response_format, moderation and user.",
                 "unknown_parameter");
    if (part.is_file()) return bad("The form field '" + part.name + "' must be text, not a file.");
    if (!seen.insert(part.name).second)
      return bad("The form field '" + part.name + "' appears more than once.");
    const std::string& v = part.data;
    if (part.name == "prompt") out.prompt = v;
    if (part.name == "model") out.model = v;
    if (part.name == "size") out.size = v;
    if (part.name == "quality") out.quality = v;
    if (part.name == "response_format") out.response_format = v;
    if (part.name == "n" || part.name == "partial_images" || part.name == "output_compression") {
      auto i = small_int(v);
      if (!i) return bad("'" + part.name + "' must be an integer (got '" + v + "').");
      const std::int64_t hi = part.name == "n" ? 10 : part.name == "partial_images" ? 3 : 100;
      if (auto err = check_range(part.name.c_str(), *i, part.name == "n" ? 1 : 0, hi)) return err;
      if (part.name == "n") out.n = *i;
    }
    if (part.name == "stream") {
      if (v != "true" && v != "false") return bad("'stream' must be true or false.");
      out.stream = v == "true";
    }
    out.fields.emplace_back(part.name, std::move(part.data));
  }
  if (out.images.empty())
    return bad("An image edit needs at least one file in the 'image' (or 'image[]') field.");
  if (out.images.size() > 16)
    return bad("An image edit takes at most 16 images (got " + std::to_string(out.images.size()) +
               ").");
  if (out.model.empty()) return bad("You must provide a model parameter.");
  if (out.prompt.empty()) return bad("You must provide a non-empty 'prompt'.");
  return check_response_format(out.response_format);
}

bool is_gpt_image(std::string_view m) {
  return m.substr(0, 9) == "gpt-image" || m.find("/gpt-image") != std::string_view::npos;
}

bool wants_url(const ImageRequest& r, std::string_view upstream_model) {
  if (!r.response_format.empty()) return r.response_format == "url";
  return upstream_model.substr(0, 6) == "dall-e";
}

std::string upstream_json(const ImageRequest& r, const std::string& upstream_model) {
  json::object o = r.body;
  o["model"] = upstream_model;
  if (is_gpt_image(upstream_model))
    o.erase("response_format");
  else
    o["response_format"] = "b64_json";
  return json::serialize(o);
}

Form upstream_form(const ImageRequest& r, const std::string& upstream_model) {
  multipart::Writer w;
  for (auto& [name, value] : r.fields) {
    if (name == "response_format") continue;
    w.field(name, name == "model" ? upstream_model : value);
  }
  if (!is_gpt_image(upstream_model)) w.field("response_format", "b64_json");
  for (auto& img : r.images) w.file(img.field, img.filename, img.mime, img.bytes);
  if (r.mask) w.file("mask", r.mask->filename, r.mask->mime, r.mask->bytes);
  Form f;
  f.content_type = w.content_type();
  f.body = w.finish();
  return f;
}

}  // namespace aiohub::openai_images
