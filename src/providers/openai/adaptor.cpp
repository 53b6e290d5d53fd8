// `openai`: OpenAI's own Chat Completions and Images APIs, with a bearer key.
#include <boost/json.hpp>

#include "providers/kinds.hpp"

namespace aiohub::providers {
namespace json = boost::json;

bool OpenAiChatAdaptor::serves(Endpoint) const {
  return true;  // the text protocols, and images by passthrough
}

// Edits an OpenAI-compatible server may need: no stream_options, another
// name for the output limit. Members keep their order.
std::string OpenAiChatAdaptor::edit_body(const Channel& channel, const UpstreamAsk& ask,
                                         std::string body) const {
  const auto& st = channel.record.settings;
  const bool rename = !st.max_tokens_field.empty();
  if (ask.api != UpstreamApi::generate || st.passthrough || (st.stream_options && !rename))
    return body;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return body;
  json::object out;
  out.reserve(v.get_object().size());
  bool changed = false;
  for (auto& [key, value] : v.get_object()) {
    if (!st.stream_options && key == "stream_options") {
      changed = true;
      continue;
    }
    if (rename && (key == "max_tokens" || key == "max_completion_tokens")) {
      changed |= key != st.max_tokens_field;
      if (!out.contains(st.max_tokens_field)) out.emplace(st.max_tokens_field, std::move(value));
      continue;
    }
    out.emplace(key, std::move(value));
  }
  return changed ? json::serialize(out) : body;
}

const ProviderAdaptor& openai() {
  static const OpenAiChatAdaptor adaptor(ChannelKind::openai);
  return adaptor;
}

}  // namespace aiohub::providers
