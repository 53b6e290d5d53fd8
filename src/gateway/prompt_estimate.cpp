#include "gateway/prompt_estimate.hpp"

#include "protocols/token_estimate.hpp"

namespace aiohub {

std::int64_t PromptEstimate::tokens() const {
  if (!tokens_) {
    ir::Request request;
    ClientHints hints;
    tokens_ = codec(client_).decode_request(body_, target_, request, hints)
                  ? static_cast<std::int64_t>(body_.size() / 4)
                  : estimate_prompt_tokens(request);
  }
  return *tokens_;
}

}  // namespace aiohub
