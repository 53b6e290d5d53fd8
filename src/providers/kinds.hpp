#pragma once
// The adaptor of each channel kind (one folder each); adaptor_for() picks.
#include "providers/adaptor.hpp"

namespace aiohub::providers {

const ProviderAdaptor& openai();
const ProviderAdaptor& openai_compatible();
const ProviderAdaptor& anthropic();
const ProviderAdaptor& openai_responses();
const ProviderAdaptor& gemini();
const ProviderAdaptor& bedrock();
const ProviderAdaptor& demo();

// Chat Completions over HTTP, the base of `openai` and `openai-compatible`.
class OpenAiChatAdaptor : public ProviderAdaptor {
 public:
  explicit OpenAiChatAdaptor(ChannelKind kind) : ProviderAdaptor(kind, Protocol::openai_chat) {}
  bool serves(Endpoint endpoint) const override;

 protected:
  std::string edit_body(const Channel& channel, const UpstreamAsk& ask,
                        std::string body) const override;
};

}  // namespace aiohub::providers
