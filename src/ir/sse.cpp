#include "ir/sse.hpp"

namespace aiohub {

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_line_.append(bytes);
      return;
    }
    std::string_view l = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    if (!partial_line_.empty()) {
      partial_line_.append(l);
      std::string whole = std::move(partial_line_);
      partial_line_.clear();
      line(whole, out);
    } else {
      line(l, out);
    }
  }
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (!partial_line_.empty()) {
    std::string last = std::move(partial_line_);
    partial_line_.clear();
    line(last, out);
  }
  line("", out);
}

void SseParser::line(std::string_view l, std::vector<SseEvent>& out) {
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (l.empty()) {
    if (has_data_ || !current_.event.empty()) out.push_back(std::move(current_));
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (l.front() == ':') return;  // comment / keep-alive
  auto colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  }
}

std::string sse_frame(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    out.append("event: ");
    out.append(event);
    out.push_back('\n');
  }
  out.append("data: ");
  out.append(data);
  out.append("\n\n");
  return out;
}

}  // namespace aiohub
