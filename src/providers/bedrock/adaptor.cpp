// `bedrock`: Claude on AWS Bedrock through InvokeModel(WithResponseStream),
// signed with SigV4 or a Bedrock API key (providers/bedrock/bedrock.hpp).
// Its answers are Anthropic's, but its streams are AWS event-stream frames
// (re-framed as Anthropic SSE here) and its errors are named exceptions.
#include "providers/bedrock/bedrock.hpp"
#include "providers/kinds.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace aiohub::providers {
namespace {

class BedrockAdaptor final : public ProviderAdaptor {
 public:
  BedrockAdaptor() : ProviderAdaptor(ChannelKind::bedrock, Protocol::anthropic) {}

  UpstreamRequest build_request(const Channel& channel, UpstreamAsk ask) const override {
    UpstreamRequest r;
    const auto& st = channel.record.settings;
    std::string_view beta;
    if (auto it = ask.client_headers.find("anthropic-beta"); it != ask.client_headers.end())
      beta = std::string_view(it->value());
    if (auto invoke = bedrock::invoke_body(ask.body, beta))
      r.body = std::move(*invoke);
    else
      r.body = std::move(ask.body);
    std::string path =
        st.path.empty() ? channel.upstream.path_prefix + bedrock::invoke_path(ask.model, ask.stream)
                        : st.path;
    replace_all(path, "{model}", sigv4::uri_encode(ask.model, false));
    bedrock::Auth auth;
    auth.region = st.region;
    auth.api_key = channel.record.api_key;
    auth.credentials = {st.aws_access_key_id, st.aws_secret_access_key, st.aws_session_token};
    r.head = bedrock::request_head(auth, channel.upstream.host_header, path, r.body, ask.stream,
                                   channel.extra_headers, unix_now_s());
    // Signed over the path; a plain-HTTP proxy still needs the absolute form.
    if (!channel.upstream.proxy_host.empty() && !channel.upstream.tls)
      r.head.replace(5, path.size(), request_target(channel, path));
    return r;
  }

  bool is_stream(std::string_view content_type) const override {
    return ProviderAdaptor::is_stream(content_type) ||
           iequals(trim(content_type.substr(0, content_type.find(';'))), bedrock::kEventStreamType);
  }
  std::unique_ptr<StreamRewriter> stream_rewriter(const Channel&) const override {
    return bedrock::make_sse_reframer();
  }
  // Bedrock answers 200 and may still refuse in its first frame.
  bool refuses_in_first_event() const override { return true; }
  std::optional<ApiError> first_event_refusal(const StreamRewriter& rewriter,
                                              std::string_view first) const override {
    const auto& reframer = static_cast<const bedrock::SseReframer&>(rewriter);
    if (reframer.error() && first.starts_with("event: error\n")) return reframer.error();
    return std::nullopt;
  }

  ApiError decode_error(int status, const UpstreamExchange& call,
                        std::string_view body) const override {
    return bedrock::decode_error(status, call.header("x-amzn-errortype"), body);
  }
  // The exception's name says more than the status (ModelNotReadyException
  // comes as 429).
  int error_status(int, const ApiError& decoded) const override { return decoded.status; }
  bool errors_in_protocol_shape() const override { return false; }
  bool counts_tokens() const override { return false; }
};

}  // namespace

const ProviderAdaptor& bedrock() {
  static const BedrockAdaptor adaptor;
  return adaptor;
}

}  // namespace aiohub::providers
