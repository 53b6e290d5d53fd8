#include "providers/kinds.hpp"

namespace aiohub {

const ProviderAdaptor& adaptor_for(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::openai_compatible:
      return providers::openai_compatible();
    case ChannelKind::openai_responses:
      return providers::openai_responses();
    case ChannelKind::anthropic:
      return providers::anthropic();
    case ChannelKind::gemini:
      return providers::gemini();
    case ChannelKind::bedrock:
      return providers::bedrock();
    case ChannelKind::demo:
      return providers::demo();
    case ChannelKind::openai:
      break;
  }
  return providers::openai();
}

}  // namespace aiohub
