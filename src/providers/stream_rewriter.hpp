#pragma once
// A provider's answer stream turned into the stream its protocol's codec
// reads, before anything else looks at it: Bedrock's event-stream frames
// into Anthropic SSE, an OpenAI-compatible server's quirky chunks into
// well-formed Chat chunks. Bytes in, bytes out, however the input was split.
#include <string>
#include <string_view>

namespace aiohub {

class StreamRewriter {
 public:
  virtual ~StreamRewriter() = default;
  // Appends to `out` everything `bytes` completes.
  virtual void feed(std::string_view bytes, std::string& out) = 0;
  // At the end of the upstream body.
  virtual void finish(std::string& out) = 0;
};

}  // namespace aiohub
