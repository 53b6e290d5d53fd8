#pragma once
// What a text request is billed when the upstream reports no usage: the
// gateway's own count of the prompt, and output it cannot see.
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocols/codec.hpp"

namespace aiohub {

// The gateway's own count of a request's prompt, for an upstream that
// reports no usage: the client's body decoded once (only when needed) and
// counted with the local tokenizer.
class PromptEstimate {
 public:
  PromptEstimate(Protocol client, std::string_view body, const RequestTarget& target)
      : client_(client), body_(body), target_(target) {}
  std::int64_t tokens() const;

 private:
  Protocol client_;
  std::string_view body_;
  const RequestTarget& target_;
  mutable std::optional<std::int64_t> tokens_;
};

// What a sink bills when the upstream reports no usage: never nothing for
// work done.
struct UsageFallback {
  const PromptEstimate& prompt;
  // Output the client cannot see being produced (a Responses `background`
  // answer: the work happens after it): billed at the reserved cap.
  std::int64_t unseen_output = 0;
};

}  // namespace aiohub
