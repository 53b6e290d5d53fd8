// `gemini`: the Gemini API (generateContent, streamGenerateContent?alt=sse,
// countTokens) with x-goog-api-key; Gemini image models also answer the
// Images API, by translation (images/).
#include "providers/kinds.hpp"
#include "util/strings.hpp"

namespace aiohub::providers {
namespace {

class GeminiAdaptor final : public ProviderAdaptor {
 public:
  GeminiAdaptor() : ProviderAdaptor(ChannelKind::gemini, Protocol::gemini) {}
  bool serves(Endpoint) const override { return true; }

 protected:
  void append_auth(const Channel& channel, std::string& h) const override {
    if (!channel.record.api_key.empty())
      h.append("x-goog-api-key: ").append(channel.record.api_key).append("\r\n");
  }
  std::string path(const Channel& channel, const UpstreamAsk& ask) const override {
    const bool count = ask.api == UpstreamApi::count_tokens;
    const std::string& custom = channel.record.settings.path;
    if (!custom.empty() && !count) {
      // The whole path; {model} and {action} are filled in.
      std::string p = custom;
      replace_all(p, "{model}", ask.model);
      const bool templated = p.find("{action}") != std::string::npos;
      replace_all(p, "{action}", ask.stream ? "streamGenerateContent" : "generateContent");
      if (!templated) p += ask.stream ? ":streamGenerateContent" : ":generateContent";
      if (ask.stream && p.find("alt=sse") == std::string::npos)
        p += p.find('?') == std::string::npos ? "?alt=sse" : "&alt=sse";
      return p;
    }
    std::string p = channel.upstream.path_prefix;
    p.append("/v1beta/models/");
    p.append(ask.model);
    p.append(count        ? ":countTokens"
             : ask.stream ? ":streamGenerateContent?alt=sse"
                          : ":generateContent");
    return p;
  }
};

}  // namespace

const ProviderAdaptor& gemini() {
  static const GeminiAdaptor adaptor;
  return adaptor;
}

}  // namespace aiohub::providers
