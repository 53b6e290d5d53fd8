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
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
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

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters needing no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.append("u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

bool DataMatcher::literal(std::string_view text) {
  if (!rest_.starts_with(text)) return false;
  rest_.remove_prefix(text.size());
  return true;
}

bool DataMatcher::plain_string(std::string_view& value) {
  if (rest_.empty() || rest_.front() != '"') return false;
  for (std::size_t i = 1; i < rest_.size(); ++i) {
    const auto c = static_cast<unsigned char>(rest_[i]);
    if (c == '"') {
      value = rest_.substr(1, i - 1);
      rest_.remove_prefix(i + 1);
      return true;
    }
    if (c < 0x20 || c >= 0x80 || c == '\\') return false;
  }
  return false;
}

bool DataMatcher::small_int(std::int64_t& value) {
  std::size_t n = 0;
  while (n < rest_.size() && n < 19 && rest_[n] >= '0' && rest_[n] <= '9') ++n;
  if (n == 0 || n > 18 || (n > 1 && rest_[0] == '0')) return false;
  value = 0;
  for (std::size_t i = 0; i < n; ++i) value = value * 10 + (rest_[i] - '0');
  rest_.remove_prefix(n);
  return true;
}

}  // namespace aiohub
