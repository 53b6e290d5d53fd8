// `openai-compatible`: vLLM, Ollama, DeepSeek, OpenRouter and the other
// servers that speak Chat Completions with quirks: their chunks and answers
// are repaired (providers/openai_compatible/repair.hpp) and a missing usage
// is estimated.
#include "providers/kinds.hpp"
#include "providers/openai_compatible/repair.hpp"

namespace aiohub::providers {
namespace {

class OpenAiCompatibleAdaptor final : public OpenAiChatAdaptor {
 public:
  OpenAiCompatibleAdaptor() : OpenAiChatAdaptor(ChannelKind::openai_compatible) {}

  std::unique_ptr<StreamRewriter> stream_rewriter(const Channel& channel) const override {
    if (channel.record.settings.passthrough) return nullptr;
    return std::make_unique<openai_compatible::ChunkRepair>();
  }
  std::string repair_answer(const Channel& channel, std::string body) const override {
    if (channel.record.settings.passthrough) return body;
    return openai_compatible::repair_response(std::move(body));
  }
  bool may_omit_usage(const Channel&) const override { return true; }
};

}  // namespace

const ProviderAdaptor& openai_compatible() {
  static const OpenAiCompatibleAdaptor adaptor;
  return adaptor;
}

}  // namespace aiohub::providers
