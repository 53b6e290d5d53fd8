#pragma once
// Chat Completions on both sides: the few edits passthrough makes to the
// bytes, and the usage it taps from them, without parsing whole bodies.
#include <optional>
#include <string>
#include <string_view>

#include "domain/money.hpp"
#include "util/json_peek.hpp"

namespace aiohub::openai_chat {

struct RequestPeek {
  json_peek::Object object;
  std::string model;
  bool stream = false;
  bool client_wants_usage = false;  // stream_options.include_usage was true
};

// Validates the body and reads model / stream / stream_options. Returns a
// message for the client when the body is not a usable request.
std::optional<std::string> peek_request(std::string_view body, RequestPeek& out);

// The body to send upstream: `model` replaced by `upstream_model` when it
// differs, and for streams `stream_options.include_usage` forced on so that
// the upstream reports usage.
std::string rewrite_request(std::string_view body, const RequestPeek& peek,
                            std::string_view upstream_model);

// Usage from a Chat Completions `usage` object.
std::optional<Usage> parse_usage(std::string_view usage_json);

// Usage from a whole non-streamed response body.
std::optional<Usage> usage_from_response(std::string_view body);

// Relays an SSE stream event by event: taps usage, drops the usage-only
// chunk when the client did not ask for it, and notes errors and [DONE].
class StreamTap {
 public:
  explicit StreamTap(bool strip_usage_chunk) : strip_usage_chunk_(strip_usage_chunk) {}

  // Appends to `out` every complete event of `bytes` the client should get.
  void feed(std::string_view bytes, std::string& out);
  // At end of stream: whatever incomplete event is left, as it is.
  void finish(std::string& out);
  // The stream broke: an incomplete event left is dropped, so that what the
  // client gets next starts at an event boundary.
  void abandon() { pending_.clear(); }

  const std::optional<Usage>& usage() const { return usage_; }
  bool saw_done() const { return saw_done_; }
  bool saw_error() const { return saw_error_; }
  bool saw_data() const { return saw_data_; }
  // Data events seen: about one token each, for a stream cut short.
  std::int64_t data_events() const { return data_events_; }

 private:
  // True when the event should reach the client.
  bool inspect(std::string_view event);

  bool strip_usage_chunk_;
  std::string pending_;
  std::optional<Usage> usage_;
  bool saw_done_ = false;
  bool saw_error_ = false;
  bool saw_data_ = false;
  std::int64_t data_events_ = 0;
};

}  // namespace aiohub::openai_chat
