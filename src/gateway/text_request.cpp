#include "gateway/text_request.hpp"

#include <charconv>

namespace aiohub {
namespace {

struct OutputCap {
  std::string_view name;  // as the client spelled it; empty: none given
  std::optional<std::int64_t> value;
  bool invalid = false;
};

OutputCap read_cap(std::string_view name, std::string_view raw) {
  OutputCap cap{name, std::nullopt, false};
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (raw == "null") {
    cap.name = {};
  } else if (ec != std::errc() || end != raw.data() + raw.size() || v < 1) {
    cap.invalid = true;  // zero, negative, fractional, a string …
  } else {
    cap.value = v;
  }
  return cap;
}

OutputCap output_cap(Protocol client, const json_peek::Object& object) {
  if (client == Protocol::gemini) {
    const auto* config = object.find("generationConfig");
    json_peek::Object inner;
    if (!config || json_peek::scan_object(config->value, inner)) return {};
    const auto* m = inner.find("maxOutputTokens");
    return m ? read_cap("generationConfig.maxOutputTokens", m->value) : OutputCap{};
  }
  for (const char* name : {"max_completion_tokens", "max_tokens", "max_output_tokens"})
    if (const auto* m = object.find(name)) return read_cap(name, m->value);
  return {};
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
      if (const auto* b = out.scanned.find("background")) out.background = b->value == "true";
    }
  }
  if (out.model.empty()) return std::string("The request names no model.");
  // The cap is what the reservation trusts: one the upstream cannot honour
  // (0 would make the translated request ask for the encoder's default) is
  // the client's mistake.
  const OutputCap cap = output_cap(client, out.top());
  if (cap.invalid) return "'" + std::string(cap.name) + "' must be a whole number of at least 1.";
  out.max_output_tokens = cap.value;
  return std::nullopt;
}

}  // namespace aiohub
