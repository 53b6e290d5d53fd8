#pragma once
// Server-sent events framing, for every stream decoder: bytes in, complete
// events out (event name and joined data), however the bytes were split.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub {

struct SseEvent {
  std::string event;  // empty when the event had no "event:" line
  std::string data;   // data lines joined with '\n'
};

class SseParser {
 public:
  // Appends every event completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // At end of stream: an event left without its blank line still counts.
  void finish(std::vector<SseEvent>& out);

 private:
  void line(std::string_view l, std::vector<SseEvent>& out);
  std::string partial_line_;
  SseEvent current_;
  bool has_data_ = false;
};

// One event in wire form: "event: NAME\ndata: DATA\n\n" (no event line when
// NAME is empty).
std::string sse_frame(std::string_view event, std::string_view data);

// Appends `text` as a JSON string token, quotes included, escaped exactly as
// boost::json::serialize escapes it, so that stream encoders can write their
// hot per-delta events by hand and still match serialized objects byte for
// byte.
void append_json_string(std::string& out, std::string_view text);

// Reads event data of one expected shape, for the stream decoders' fast
// paths past the JSON parser. It matches bytes, not JSON: other key orders,
// whitespace, escapes or non-ASCII text do not match and go to the parser,
// so that a match always reads what the parser would have read.
class DataMatcher {
 public:
  explicit DataMatcher(std::string_view data) : rest_(data) {}
  // Exactly these bytes next.
  bool literal(std::string_view text);
  // A string of printable ASCII without escapes: its value is its bytes.
  bool plain_string(std::string_view& value);
  // A non-negative integer of up to 18 digits (no sign, fraction or exponent).
  bool small_int(std::int64_t& value);
  bool at_end() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace aiohub
