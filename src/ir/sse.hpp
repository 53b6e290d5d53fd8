#pragma once
// Server-sent events framing, for every stream decoder: bytes in, complete
// events out (event name and joined data), however the bytes were split.
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

}  // namespace aiohub
