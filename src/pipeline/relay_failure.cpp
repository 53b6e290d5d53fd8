// The rules that decide, after a failed attempt, whether another channel may
// take the request and what the failure says about the channel.
#include "pipeline/relay.hpp"
#include "router/health.hpp"

namespace aiohub {

UpstreamTimeouts channel_timeouts(const Channel& channel, const RelaySettings& settings) {
  UpstreamTimeouts t = settings.timeouts;
  const auto& s = channel.record.settings;
  if (s.connect_timeout_seconds) t.connect = std::chrono::seconds(*s.connect_timeout_seconds);
  if (s.first_byte_timeout_seconds)
    t.first_byte = std::chrono::seconds(*s.first_byte_timeout_seconds);
  if (s.idle_timeout_seconds) t.idle = std::chrono::seconds(*s.idle_timeout_seconds);
  return t;
}

Failure failure_of_status(int status, std::string_view body) {
  if (status == 401 || status == 403) return Failure::auth;
  if (status == 402) return Failure::quota;
  if (status == 429) {
    // Providers say "out of credit" with a 429 too; that one does not pass
    // with a retry.
    for (std::string_view marker : {"insufficient_quota", "billing_hard_limit", "credit balance"})
      if (body.find(marker) != std::string_view::npos) return Failure::quota;
    return Failure::rate_limited;
  }
  if (status == 408) return Failure::timeout;
  if ((status >= 500 && status <= 504) || status == 529) return Failure::server;
  if (status >= 400 && status < 500) return Failure::client;
  return Failure::server;  // a 1xx/3xx/5xx oddity: the channel misbehaves
}

Failure failure_of_call(const UpstreamExchange& call) {
  if (call.timed_out()) return Failure::timeout;
  return call.never_connected() ? Failure::connect : Failure::server;
}

void hold_reply(RelayOutcome& out, Failure failure, int status, std::string body,
                std::string error) {
  out.failure = failure;
  out.status = status;
  out.error = std::move(error);
  out.retryable = failure != Failure::client && failure != Failure::none;
  out.reply = PendingReply{status, "application/json", std::move(body)};
}

}  // namespace aiohub
