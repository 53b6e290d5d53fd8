#include "util/json_peek.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "util/bounded.hpp"

namespace aiohub::json_peek {
namespace {

constexpr int kMaxDepth = 256;

class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  std::optional<std::string> error;

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  const char* pos() const { return p_; }

  bool fail(const char* what) {
    if (!error) error = std::string(what) + " at offset " + std::to_string(offset());
    return false;
  }

  bool value(int depth) {
    skip_ws();
    if (p_ == end_) return fail("unexpected end of input");
    switch (*p_) {
      case '{':
        return object(depth + 1, nullptr);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  // With `top` set, records each member's key and raw value, at most
  // `max_members` of them.
  bool object(int depth, Object* top, std::size_t max_members = 0) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (top) top->open = offset();
    ++p_;  // '{'
    skip_ws();
    if (p_ < end_ && *p_ == '}') {
      if (top) top->close = offset();
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (p_ == end_ || *p_ != '"') return fail("expected a string key");
      const char* key_begin = p_ + 1;
      if (!string()) return false;
      std::string_view key(key_begin, static_cast<std::size_t>(p_ - 1 - key_begin));
      skip_ws();
      if (p_ == end_ || *p_ != ':') return fail("expected ':'");
      ++p_;
      skip_ws();
      const char* value_begin = p_;
      if (!value(depth)) return false;
      if (top) {
        if (top->members.size() == max_members) {
          if (!error)
            error = "the object has more than " + std::to_string(max_members) +
                    " top-level members, more than any request needs";
          return false;
        }
        top->members.push_back(
            {key, std::string_view(value_begin, static_cast<std::size_t>(p_ - value_begin))});
      }
      skip_ws();
      if (p_ == end_) return fail("unterminated object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        if (top) top->close = offset();
        ++p_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool array(int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    ++p_;  // '['
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      if (!value(depth)) return false;
      skip_ws();
      if (p_ == end_) return fail("unterminated array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool string() {
    ++p_;  // opening quote
    while (p_ < end_) {
      // Fast path: skip ordinary bytes in bulk.
      const char* stop = p_;
      while (stop < end_ && *stop != '"' && *stop != '\\' &&
             static_cast<unsigned char>(*stop) >= 0x20 && static_cast<unsigned char>(*stop) < 0x80)
        ++stop;
      p_ = stop;
      if (p_ == end_) break;
      char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (++p_ == end_) break;
        switch (*p_) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
            ++p_;
            break;
          case 'u': {
            // Boost.JSON, which decodes these bodies later, refuses lone
            // surrogates: so does the scan.
            auto unit = hex4(p_ + 1);
            if (!unit) return fail("bad \\u escape");
            p_ += 5;
            if (*unit >= 0xDC00 && *unit <= 0xDFFF) return fail("lone surrogate in \\u escape");
            if (*unit >= 0xD800 && *unit <= 0xDBFF) {
              auto low =
                  end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u' ? hex4(p_ + 2) : std::nullopt;
              if (!low || *low < 0xDC00 || *low > 0xDFFF)
                return fail("lone surrogate in \\u escape");
              p_ += 6;
            }
            break;
          }
          default:
            return fail("bad escape in string");
        }
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        if (!utf8_sequence()) return fail("invalid UTF-8 in string");
        continue;
      }
      return fail("control character in string");
    }
    return fail("unterminated string");
  }

  // The four hex digits at `at` as a number, if there are four.
  std::optional<unsigned> hex4(const char* at) const {
    if (end_ - at < 4) return std::nullopt;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const auto c = static_cast<unsigned char>(at[i]);
      if (!std::isxdigit(c)) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  }

  // One well-formed multi-byte UTF-8 character at p_ (RFC 3629), consumed.
  bool utf8_sequence() {
    const auto* u = reinterpret_cast<const unsigned char*>(p_);
    const std::size_t left = static_cast<std::size_t>(end_ - p_);
    std::size_t n;
    unsigned min, cp;
    if ((u[0] & 0xE0) == 0xC0) {
      n = 2, min = 0x80, cp = u[0] & 0x1Fu;
    } else if ((u[0] & 0xF0) == 0xE0) {
      n = 3, min = 0x800, cp = u[0] & 0x0Fu;
    } else if ((u[0] & 0xF8) == 0xF0) {
      n = 4, min = 0x10000, cp = u[0] & 0x07u;
    } else {
      return false;
    }
    if (left < n) return false;
    for (std::size_t i = 1; i < n; ++i) {
      if ((u[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (u[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p_ += n;
    return true;
  }

  bool literal(const char* word) {
    std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      return fail("invalid literal");
    p_ += n;
    return true;
  }

  bool number() {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_) return fail("invalid number");
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    } else {
      p_ = start;
      return fail("unexpected character");
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_)))
        return fail("invalid number");
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_)))
        return fail("invalid number");
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    return true;
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
};

}  // namespace

const Member* Object::find(std::string_view key) const {
  for (const auto& m : members)
    if (m.key == key) return &m;
  return nullptr;
}

namespace {
thread_local std::size_t key_comparisons = 0;
}  // namespace

std::size_t last_scan_key_comparisons() {
  return key_comparisons;
}

std::optional<std::string> scan_object(std::string_view text, Object& out,
                                       std::size_t max_members) {
  out = Object{};
  key_comparisons = 0;
  Scanner s(text);
  s.skip_ws();
  if (s.at_end()) return std::string("empty body");
  if (*s.pos() != '{') return std::string("the body must be a JSON object");
  if (!s.object(1, &out, max_members)) return s.error;
  s.skip_ws();
  if (!s.at_end()) return std::string("unexpected data after the JSON object");
  // The gateway routes and bills by these keys while the upstream decodes
  // them itself: "mod\u0065l" or a second "model" would let the two disagree.
  for (const auto& m : out.members)
    if (m.key.find('\\') != std::string_view::npos)
      return "escaped characters in the top-level key \"" + bounded_for_log(m.key, kMaxLoggedName) +
             "\" are not accepted";
  // Sorted, duplicates are neighbours: O(n log n) comparisons however the
  // keys look, where comparing each key with every earlier one was O(n^2).
  std::vector<std::string_view> keys;
  keys.reserve(out.members.size());
  for (const auto& m : out.members) keys.push_back(m.key);
  std::sort(keys.begin(), keys.end(), [](std::string_view a, std::string_view b) {
    ++key_comparisons;
    return a < b;
  });
  for (std::size_t i = 1; i < keys.size(); ++i) {
    ++key_comparisons;
    if (keys[i] == keys[i - 1])
      return "duplicate key \"" + bounded_for_log(keys[i], kMaxLoggedName) + "\"";
  }
  return std::nullopt;
}

std::optional<std::string> validate(std::string_view text) {
  Scanner s(text);
  if (!s.value(0)) return s.error;
  s.skip_ws();
  if (!s.at_end()) return std::string("unexpected data after the JSON value");
  return std::nullopt;
}

std::optional<std::string> string_value(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  std::string_view inner = raw.substr(1, raw.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return std::string(inner);
  boost::system::error_code ec;
  auto v = boost::json::parse(raw, ec);
  if (ec || !v.is_string()) return std::nullopt;
  return std::string(v.get_string());
}

std::string with_string_value(std::string_view document, const Member& member,
                              std::string_view text) {
  const auto offset = static_cast<std::size_t>(member.value.data() - document.data());
  std::string out;
  out.reserve(document.size() + text.size() + 2);
  out.append(document.substr(0, offset));
  out.append(boost::json::serialize(boost::json::string(text)));
  out.append(document.substr(offset + member.value.size()));
  return out;
}

}  // namespace aiohub::json_peek
