#pragma once
// The answer sinks of the text endpoints (pipeline/exchange.hpp): the three
// ways an upstream's answer reaches a client of the four text protocols.
#include <memory>
#include <string>

#include "gateway/prompt_estimate.hpp"
#include "pipeline/exchange.hpp"
#include "pipeline/usage_meter.hpp"
#include "protocols/codec.hpp"
#include "protocols/openai_chat/passthrough.hpp"

namespace aiohub {

// A client of one protocol served by a channel of another: the answer goes
// upstream codec -> IR -> client codec, event by event while streaming.
class TranslateSink final : public AnswerSink {
 public:
  TranslateSink(Protocol client, Protocol upstream, const ir::Request& request,
                const std::string& client_model, const ClientHints& hints, bool usage_is_estimate);

  Protocol client_protocol() const override { return client_; }
  bool relays_upstream_errors() const override { return false; }
  awaitable<void> whole(RelayContext& ctx, std::string body, std::string_view content_type,
                        RelayOutcome& out) override;
  void feed(std::string_view bytes, bool last, std::string& to_client, RelayOutcome& out) override;
  bool in_band_error(const std::string& message, std::string& to_client,
                     RelayOutcome& out) override;
  bool saw_terminal() const override { return saw_stop_; }
  void finish(RelayOutcome& out) override;

 private:
  void encode(std::vector<ir::Event>& events, std::string& to_client, RelayOutcome& out);

  Protocol client_;
  Protocol upstream_;
  const ir::Request& request_;
  const std::string& client_model_;
  const ClientHints& hints_;
  bool usage_is_estimate_;
  std::unique_ptr<IrStreamDecoder> decoder_;
  std::unique_ptr<IrStreamEncoder> encoder_;
  std::vector<ir::Event> events_;
  UsageMeter meter_;
  bool saw_stop_ = false;
  bool estimated_ = false;
};

// Same protocol on both sides (Messages, Responses, Gemini): the answer
// comes back byte for byte, and the protocol's stream decoder reads it
// alongside for the usage.
class PassthroughSink final : public AnswerSink {
 public:
  PassthroughSink(Protocol protocol, bool usage_is_estimate, UsageFallback fallback);

  Protocol client_protocol() const override { return protocol_; }
  bool relays_upstream_errors() const override { return true; }
  awaitable<void> whole(RelayContext& ctx, std::string body, std::string_view content_type,
                        RelayOutcome& out) override;
  std::string_view stream_type(std::string_view upstream_type) const override;
  void feed(std::string_view bytes, bool last, std::string& to_client, RelayOutcome& out) override;
  // Bytes relayed as they are have no event boundary to put an error at.
  bool in_band_error(const std::string&, std::string&, RelayOutcome&) override { return false; }
  bool saw_terminal() const override { return saw_stop_; }
  void finish(RelayOutcome& out) override;

 private:
  Protocol protocol_;
  bool usage_is_estimate_;
  UsageFallback fallback_;
  std::unique_ptr<IrStreamDecoder> decoder_;
  std::vector<ir::Event> events_;
  UsageMeter meter_;
  bool saw_stop_ = false;
};

// Chat Completions on both sides: events relayed as they arrive, the usage
// tapped on the way (and the usage-only chunk the gateway asked for kept
// from a client that did not), estimated when the upstream reports none.
class ChatPassthroughSink final : public AnswerSink {
 public:
  ChatPassthroughSink(bool client_wants_usage, bool may_omit_usage, bool usage_is_estimate,
                      UsageFallback fallback);

  Protocol client_protocol() const override { return Protocol::openai_chat; }
  bool relays_upstream_errors() const override { return true; }
  awaitable<void> whole(RelayContext& ctx, std::string body, std::string_view content_type,
                        RelayOutcome& out) override;
  void feed(std::string_view bytes, bool last, std::string& to_client, RelayOutcome& out) override;
  bool in_band_error(const std::string& message, std::string& to_client,
                     RelayOutcome& out) override;
  bool saw_terminal() const override { return tap_.saw_done(); }
  void finish(RelayOutcome& out) override;

 private:
  openai_chat::StreamTap tap_;
  bool usage_is_estimate_;
  UsageFallback fallback_;
  // Servers that may omit usage: the answer read alongside, for an estimate.
  std::unique_ptr<IrStreamDecoder> reader_;
  std::vector<ir::Event> events_;
  UsageMeter meter_;
  bool streamed_ = false;
};

}  // namespace aiohub
