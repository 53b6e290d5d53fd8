// Binds each protocol's codec (src/protocols/<name>/codec.hpp, one namespace
// each, the same functions) to the table the relay uses.
#include "protocols/anthropic/codec.hpp"
#include "protocols/codec.hpp"
#include "protocols/gemini/codec.hpp"
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_responses/codec.hpp"

namespace aiohub {
namespace {

template <class Encoder>
class EncoderAdapter final : public IrStreamEncoder {
 public:
  template <class... Args>
  explicit EncoderAdapter(Args&&... args) : encoder_(std::forward<Args>(args)...) {}
  void encode(const ir::Event& e, std::string& out) override { encoder_.encode(e, out); }

 private:
  Encoder encoder_;
};

template <class Decoder>
class DecoderAdapter final : public IrStreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<ir::Event>& out) override {
    decoder_.feed(bytes, out);
  }
  void finish(std::vector<ir::Event>& out) override { decoder_.finish(out); }

 private:
  Decoder decoder_;
};

const CodecOps kChat{
    [](std::string_view body, const RequestTarget&, ir::Request& out, ClientHints& hints) {
      openai_chat::ClientOptions options;
      auto err = openai_chat::decode_request(body, out, options);
      hints.include_usage = options.include_usage;
      return err;
    },
    [](const ir::Response& r, const std::string& m, const ClientHints&) {
      return openai_chat::encode_response(r, m);
    },
    [](const std::string& m, const ClientHints& hints) -> std::unique_ptr<IrStreamEncoder> {
      return std::make_unique<EncoderAdapter<openai_chat::StreamEncoder>>(m, hints.include_usage);
    },
    [](const ir::Request& r) { return openai_chat::encode_request(r); },
    [](std::string_view body, ir::Response& out) {
      return openai_chat::decode_response(body, out);
    },
    []() -> std::unique_ptr<IrStreamDecoder> {
      return std::make_unique<DecoderAdapter<openai_chat::StreamDecoder>>();
    },
    [](int status, std::string_view body) { return openai_chat::decode_error(status, body); },
};

const CodecOps kAnthropic{
    [](std::string_view body, const RequestTarget&, ir::Request& out, ClientHints&) {
      return anthropic::decode_request(body, out);
    },
    [](const ir::Response& r, const std::string& m, const ClientHints&) {
      return anthropic::encode_response(r, m);
    },
    [](const std::string& m, const ClientHints&) -> std::unique_ptr<IrStreamEncoder> {
      return std::make_unique<EncoderAdapter<anthropic::StreamEncoder>>(m);
    },
    [](const ir::Request& r) { return anthropic::encode_request(r); },
    [](std::string_view body, ir::Response& out) { return anthropic::decode_response(body, out); },
    []() -> std::unique_ptr<IrStreamDecoder> {
      return std::make_unique<DecoderAdapter<anthropic::StreamDecoder>>();
    },
    [](int status, std::string_view body) { return anthropic::decode_error(status, body); },
};

const CodecOps kResponses{
    [](std::string_view body, const RequestTarget&, ir::Request& out, ClientHints& hints) {
      openai_responses::ClientOptions options;
      auto err = openai_responses::decode_request(body, out, options);
      hints.freeform_tools = std::move(options.custom_tools);
      return err;
    },
    [](const ir::Response& r, const std::string& m, const ClientHints& hints) {
      return openai_responses::encode_response(r, m, {hints.freeform_tools});
    },
    [](const std::string& m, const ClientHints& hints) -> std::unique_ptr<IrStreamEncoder> {
      return std::make_unique<EncoderAdapter<openai_responses::StreamEncoder>>(
          m, openai_responses::ClientOptions{hints.freeform_tools});
    },
    [](const ir::Request& r) { return openai_responses::encode_request(r); },
    [](std::string_view body, ir::Response& out) {
      return openai_responses::decode_response(body, out);
    },
    []() -> std::unique_ptr<IrStreamDecoder> {
      return std::make_unique<DecoderAdapter<openai_responses::StreamDecoder>>();
    },
    [](int status, std::string_view body) { return openai_responses::decode_error(status, body); },
};

const CodecOps kGemini{
    [](std::string_view body, const RequestTarget& t, ir::Request& out, ClientHints&) {
      return gemini::decode_request(body, t.model, t.stream, out);
    },
    [](const ir::Response& r, const std::string& m, const ClientHints&) {
      return gemini::encode_response(r, m);
    },
    [](const std::string& m, const ClientHints&) -> std::unique_ptr<IrStreamEncoder> {
      return std::make_unique<EncoderAdapter<gemini::StreamEncoder>>(m);
    },
    [](const ir::Request& r) { return gemini::encode_request(r); },
    [](std::string_view body, ir::Response& out) { return gemini::decode_response(body, out); },
    []() -> std::unique_ptr<IrStreamDecoder> {
      return std::make_unique<DecoderAdapter<gemini::StreamDecoder>>();
    },
    [](int status, std::string_view body) { return gemini::decode_error(status, body); },
};

}  // namespace

const CodecOps& codec(Protocol p) {
  switch (p) {
    case Protocol::anthropic:
      return kAnthropic;
    case Protocol::openai_responses:
      return kResponses;
    case Protocol::gemini:
      return kGemini;
    case Protocol::openai_chat:
      break;
  }
  return kChat;
}

}  // namespace aiohub
