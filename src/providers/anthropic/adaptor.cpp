// `anthropic`: the Claude Messages API, with x-api-key and anthropic-version;
// the client's anthropic-beta flags travel with the request.
#include "providers/kinds.hpp"

namespace aiohub::providers {
namespace {

class AnthropicAdaptor final : public ProviderAdaptor {
 public:
  AnthropicAdaptor() : ProviderAdaptor(ChannelKind::anthropic, Protocol::anthropic) {}

 protected:
  void append_auth(const Channel& channel, std::string& h) const override {
    if (!channel.record.api_key.empty())
      h.append("x-api-key: ").append(channel.record.api_key).append("\r\n");
  }
  void append_protocol_headers(const Channel& channel, const UpstreamAsk& ask,
                               std::string& h) const override {
    const auto& client = ask.client_headers;
    if (!head_has_header(h, "anthropic-version") &&
        !channel_sets_header(channel, "anthropic-version")) {
      auto version = client.find("anthropic-version");
      h.append("anthropic-version: ");
      h.append(version != client.end() ? std::string_view(version->value()) : "2023-06-01");
      h.append("\r\n");
    }
    if (auto beta = client.find("anthropic-beta");
        beta != client.end() && !head_has_header(h, "anthropic-beta"))
      h.append("anthropic-beta: ").append(std::string_view(beta->value())).append("\r\n");
  }
};

}  // namespace

const ProviderAdaptor& anthropic() {
  static const AnthropicAdaptor adaptor;
  return adaptor;
}

}  // namespace aiohub::providers
