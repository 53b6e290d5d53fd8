#include "gateway/text_request.hpp"

#include <charconv>

namespace aiohub {
namespace {

std::optional<std::int64_t> non_negative_integer(std::string_view raw) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<std::int64_t> max_output_tokens(Protocol client, const json_peek::Object& object) {
  if (client == Protocol::gemini) {
    const auto* config = object.find("generationConfig");
    json_peek::Object inner;
    if (!config || json_peek::scan_object(config->value, inner)) return std::nullopt;
    const auto* m = inner.find("maxOutputTokens");
    return m ? non_negative_integer(m->value) : std::nullopt;
  }
  for (const char* name : {"max_completion_tokens", "max_tokens", "max_output_tokens"})
    if (const auto* m = object.find(name)) return non_negative_integer(m->value);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> peek_text_request(Protocol client, std::string_view body,
                                             const RequestTarget& target, TextRequestHead& out) {
  if (client == Protocol::openai_chat) {
    out.is_chat = true;
    if (auto err = openai_chat::peek_request(body, out.chat)) return err;
    out.model = out.chat.model;
    out.stream = out.chat.stream;
  } else {
    if (auto err = json_peek::scan_object(body, out.scanned))
      return "We could not parse the JSON body of your request (" + *err + ").";
    if (client == Protocol::gemini) {
      out.model = target.model;
      out.stream = target.stream;
    } else {
      const auto* model = out.scanned.find("model");
      if (!model) return std::string("You must provide a model parameter.");
      auto name = json_peek::string_value(model->value);
      if (!name || name->empty()) return std::string("'model' must be a non-empty string.");
      out.model = std::move(*name);
      if (const auto* s = out.scanned.find("stream")) out.stream = s->value == "true";
    }
  }
  if (out.model.empty()) return std::string("The request names no model.");
  out.max_output_tokens = max_output_tokens(client, out.top());
  return std::nullopt;
}

}  // namespace aiohub
