// `openai-responses`: the OpenAI Responses API (Codex's own protocol), with a
// bearer key.
#include "providers/kinds.hpp"

namespace aiohub::providers {

const ProviderAdaptor& openai_responses() {
  static const ProviderAdaptor adaptor(ChannelKind::openai_responses, Protocol::openai_responses);
  return adaptor;
}

}  // namespace aiohub::providers
