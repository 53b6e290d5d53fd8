#include "protocols/openai_images/gemini_bridge.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

#include "ir/sse.hpp"
#include "util/base64.hpp"

namespace aiohub::openai_images {
namespace json = boost::json;

std::string gemini_aspect_ratio(std::string_view size) {
  auto x = size.find('x');
  if (x == std::string_view::npos) return {};
  int w = 0, h = 0;
  auto r1 = std::from_chars(size.data(), size.data() + x, w);
  auto r2 = std::from_chars(size.data() + x + 1, size.data() + size.size(), h);
  if (r1.ec != std::errc() || r2.ec != std::errc() || w <= 0 || h <= 0) return {};
  static const struct {
    const char* name;
    double ratio;
  } kRatios[] = {{"1:1", 1.0},       {"2:3", 2.0 / 3},  {"3:2", 1.5},  {"3:4", 0.75},
                 {"4:3", 4.0 / 3},   {"4:5", 0.8},      {"5:4", 1.25}, {"9:16", 9.0 / 16},
                 {"16:9", 16.0 / 9}, {"21:9", 21.0 / 9}};
  const double want = std::log(static_cast<double>(w) / h);
  const char* best = "1:1";
  double best_distance = 1e9;
  for (auto& r : kRatios) {
    const double d = std::fabs(std::log(r.ratio) - want);
    if (d < best_distance) {
      best_distance = d;
      best = r.name;
    }
  }
  return best;
}

std::string gemini_request_body(const ImageRequest& r) {
  json::array parts;
  parts.push_back(json::object{{"text", r.prompt}});
  for (auto& img : r.images)
    parts.push_back(json::object{
        {"inlineData", json::object{{"mimeType", img.mime}, {"data", base64_encode(img.bytes)}}}});
  if (r.mask) {
    parts.push_back(json::object{
        {"text",
         "The next image is a mask for the first image: change only the areas where the mask is "
         "transparent and keep everything else as it is."}});
    parts.push_back(
        json::object{{"inlineData", json::object{{"mimeType", r.mask->mime},
                                                 {"data", base64_encode(r.mask->bytes)}}}});
  }
  json::object config{{"responseModalities", json::array{"TEXT", "IMAGE"}}};
  if (auto ratio = gemini_aspect_ratio(r.size); !ratio.empty())
    config["imageConfig"] = json::object{{"aspectRatio", ratio}};
  json::object body{
      {"contents", json::array{json::object{{"role", "user"}, {"parts", std::move(parts)}}}},
      {"generationConfig", std::move(config)}};
  return json::serialize(body);
}

namespace {

std::int64_t int_at(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string str_at(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::optional<ApiError> read_gemini_answer(std::string_view body, GeminiImages& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return ApiError{502, "The Gemini upstream answered with a body that is not JSON.", "", ""};
  const json::object& o = v.as_object();
  std::size_t found = 0;
  std::string finish;
  if (const json::value* um = o.if_contains("usageMetadata"); um && um->is_object()) {
    const json::object& u = um->as_object();
    out.usage.input += int_at(u, "promptTokenCount");
    out.usage.output += int_at(u, "candidatesTokenCount") + int_at(u, "thoughtsTokenCount");
    out.usage.reasoning += int_at(u, "thoughtsTokenCount");
    out.usage.reported = true;
    if (const json::value* d = u.if_contains("promptTokensDetails"); d && d->is_array())
      for (auto& item : d->as_array()) {
        if (!item.is_object()) continue;
        const std::string modality = str_at(item.as_object(), "modality");
        const std::int64_t n = int_at(item.as_object(), "tokenCount");
        if (modality == "IMAGE")
          out.input_image_tokens += n;
        else if (modality == "TEXT")
          out.input_text_tokens += n;
      }
  }
  if (const json::value* c = o.if_contains("candidates");
      c && c->is_array() && !c->as_array().empty() && c->as_array()[0].is_object()) {
    const json::object& cand = c->as_array()[0].as_object();
    finish = str_at(cand, "finishReason");
    const json::value* content = cand.if_contains("content");
    const json::value* parts =
        content && content->is_object() ? content->as_object().if_contains("parts") : nullptr;
    if (parts && parts->is_array())
      for (auto& p : parts->as_array()) {
        if (!p.is_object()) continue;
        const json::object& part = p.as_object();
        if (const json::value* t = part.if_contains("thought"); t && t->is_bool() && t->as_bool())
          continue;
        const json::value* inline_data = part.if_contains("inlineData");
        if (!inline_data) inline_data = part.if_contains("inline_data");
        if (inline_data && inline_data->is_object()) {
          const json::object& d = inline_data->as_object();
          std::string mime = str_at(d, "mimeType");
          if (mime.empty()) mime = str_at(d, "mime_type");
          std::string data = str_at(d, "data");
          if (mime.rfind("image/", 0) == 0 && !data.empty()) {
            out.images.push_back({std::move(mime), std::move(data)});
            ++found;
          }
        } else if (const json::value* t = part.if_contains("text"); t && t->is_string()) {
          if (!out.text.empty()) out.text += "\n";
          out.text += t->as_string();
        }
      }
  }
  if (found) return std::nullopt;
  std::string reason = finish;
  if (const json::value* pf = o.if_contains("promptFeedback"); pf && pf->is_object())
    if (auto block = str_at(pf->as_object(), "blockReason"); !block.empty()) reason = block;
  const bool blocked = reason.find("SAFETY") != std::string::npos ||
                       reason.find("PROHIBITED") != std::string::npos ||
                       reason.find("BLOCKLIST") != std::string::npos ||
                       reason.find("SPII") != std::string::npos;
  std::string message = "The Gemini model returned no image";
  if (!reason.empty()) message += " (" + reason + ")";
  if (!out.text.empty()) message += ": " + out.text.substr(0, 500);
  message += ".";
  if (blocked) return ApiError{400, message, "moderation_blocked", ""};
  return ApiError{502, message, "", ""};
}

namespace {

json::object usage_json(const GeminiImages& g) {
  return json::object{
      {"input_tokens", g.usage.input},
      {"output_tokens", g.usage.output},
      {"total_tokens", g.usage.input + g.usage.output},
      {"input_tokens_details",
       json::object{{"text_tokens", g.input_text_tokens}, {"image_tokens", g.input_image_tokens}}}};
}

std::string format_of(const std::string& mime) {
  if (mime == "image/jpeg") return "jpeg";
  if (mime == "image/webp") return "webp";
  return "png";
}

}  // namespace

std::string openai_images_response(const GeminiImages& g, std::int64_t created,
                                   const ImageRequest& r) {
  json::array data;
  for (auto& img : g.images) data.push_back(json::object{{"b64_json", img.b64}});
  json::object o{{"created", created}, {"data", std::move(data)}, {"usage", usage_json(g)}};
  if (!g.images.empty()) o["output_format"] = format_of(g.images.front().mime);
  if (!r.size.empty()) o["size"] = r.size;
  if (!r.quality.empty()) o["quality"] = r.quality;
  return json::serialize(o);
}

std::string openai_completed_event(const GeminiImages& g, std::size_t index, std::int64_t created,
                                   const ImageRequest& r) {
  const std::string type =
      r.op == Operation::edit ? "image_edit.completed" : "image_generation.completed";
  const auto& img = g.images.at(index);
  json::object o{{"type", type},
                 {"b64_json", img.b64},
                 {"created_at", created},
                 {"size", r.size.empty() ? "auto" : r.size},
                 {"quality", r.quality.empty() ? "auto" : r.quality},
                 {"background", "auto"},
                 {"output_format", format_of(img.mime)}};
  if (index + 1 == g.images.size()) o["usage"] = usage_json(g);
  return sse_frame(type, json::serialize(o));
}

}  // namespace aiohub::openai_images
