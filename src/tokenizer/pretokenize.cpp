#include "tokenizer/pretokenize.hpp"

#include <array>
#include <cstdint>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

// o200k_base's pattern, one alternative per line; the first that matches at a
// position wins (leftmost-first, with backtracking), as in tiktoken:
// clang-format off
//   1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   2  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   3  \p{N}{1,3}
//   4   ?[^\s\p{L}\p{N}]+[\r\n/]*
//   5  \s*[\r\n]+
//   6  \s+(?!\S)
//   7  \s+
// clang-format on
// Every character matches one of them (letters 1/2, numbers 3, whitespace 7,
// anything else 4) and none matches empty, so pieces are contiguous.

namespace aiohub::tokenizer {
namespace {

enum : std::uint8_t {
  kLetter = 1,    // \p{L}
  kNumber = 2,    // \p{N}
  kSpace = 4,     // \s (Unicode White_Space, as Rust's regex crate)
  kUpper = 8,     // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
  kLower = 16,    // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
  kNewline = 32,  // [\r\n]
};

std::uint8_t classify(UChar32 c) {
  std::uint8_t f = 0;
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_TITLECASE_LETTER:
      f = kLetter | kUpper;
      break;
    case U_LOWERCASE_LETTER:
      f = kLetter | kLower;
      break;
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      f = kLetter | kUpper | kLower;
      break;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      f = kUpper | kLower;  // not \p{L}, so also in alternative 1/2's optional prefix
      break;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      f = kNumber;
      break;
    default:
      break;
  }
  if (u_isUWhiteSpace(c)) f |= kSpace;
  if (c == '\r' || c == '\n') f |= kNewline;
  return f;
}

std::uint8_t flags_of(UChar32 c) {
  static const std::array<std::uint8_t, 128> ascii = [] {
    std::array<std::uint8_t, 128> t{};
    for (UChar32 c = 0; c < 128; ++c) t[c] = classify(c);
    return t;
  }();
  if (c < 0) return 0;  // ill-formed UTF-8: treated as punctuation
  return c < 128 ? ascii[c] : classify(c);
}

struct Char {
  std::size_t offset;  // in bytes
  UChar32 cp;          // negative for an ill-formed sequence
  std::uint8_t flags;
};

// Each alternative returns the end of its match starting at p, or p if it does
// not match. Indices are in characters.
class Matcher {
 public:
  explicit Matcher(const std::vector<Char>& chars) : c_(chars), n_(chars.size()) {}

  std::size_t piece_end(std::size_t p) const {
    for (auto alt : {&Matcher::word_lower, &Matcher::word_upper, &Matcher::digits, &Matcher::punct,
                     &Matcher::newlines, &Matcher::spaces_not_before_text, &Matcher::spaces}) {
      if (const std::size_t e = (this->*alt)(p); e > p) return e;
    }
    return p + 1;  // unreachable: some alternative matches every character
  }

 private:
  bool has(std::size_t i, std::uint8_t f) const { return i < n_ && (c_[i].flags & f); }
  bool is(std::size_t i, UChar32 cp) const { return i < n_ && c_[i].cp == cp; }
  // [^\r\n\p{L}\p{N}]
  bool prefix_ok(std::size_t i) const {
    return i < n_ && !(c_[i].flags & (kNewline | kLetter | kNumber));
  }
  // [^\s\p{L}\p{N}]
  bool punct_ok(std::size_t i) const {
    return i < n_ && !(c_[i].flags & (kSpace | kLetter | kNumber));
  }
  std::size_t run(std::size_t i, std::uint8_t f) const {
    while (has(i, f)) ++i;
    return i;
  }

  // (?i:'s|'t|'re|'ve|'m|'ll|'d)? — length matched. Rust's case-insensitive
  // 's' also matches U+017F LATIN SMALL LETTER LONG S (checked against tiktoken).
  std::size_t contraction(std::size_t i) const {
    if (!is(i, '\'') || i + 1 >= n_) return 0;
    const auto lower = [&](std::size_t k) {
      const UChar32 c = k < n_ ? c_[k].cp : -1;
      return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    };
    const UChar32 a = lower(i + 1);
    if (a == 's' || a == 0x17F || a == 't' || a == 'm' || a == 'd') return 2;
    const UChar32 b = lower(i + 2);
    if (((a == 'r' || a == 'v') && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
  }

  // 1: the optional prefix is tried taken first, then not; the Upper* run
  // gives back characters one at a time until a Lower can start.
  std::size_t word_lower(std::size_t p) const {
    for (const std::size_t q : {p + 1, p}) {
      if (q > p && !prefix_ok(p)) continue;
      const std::size_t r = run(q, kUpper);
      for (std::size_t j = r + 1; j-- > q;) {
        if (has(j, kLower)) {
          const std::size_t s = run(j, kLower);
          return s + contraction(s);
        }
      }
    }
    return p;
  }

  // 2: everything after Upper+ is optional, so no backtracking past it.
  std::size_t word_upper(std::size_t p) const {
    for (const std::size_t q : {p + 1, p}) {
      if (q > p && !prefix_ok(p)) continue;
      const std::size_t r = run(q, kUpper);
      if (r > q) {
        const std::size_t s = run(r, kLower);
        return s + contraction(s);
      }
    }
    return p;
  }

  // 3
  std::size_t digits(std::size_t p) const {
    std::size_t e = p;
    while (e < p + 3 && has(e, kNumber)) ++e;
    return e;
  }

  // 4: a space is not in the class itself, so a leading space needs a
  // punctuation character after it.
  std::size_t punct(std::size_t p) const {
    const std::size_t q = is(p, ' ') ? p + 1 : p;
    if (!punct_ok(q)) return p;
    std::size_t e = q;
    while (punct_ok(e)) ++e;
    while (is(e, '\r') || is(e, '\n') || is(e, '/')) ++e;
    return e;
  }

  // 5: \s* gives back until [\r\n]+ can match, i.e. up to the last newline.
  std::size_t newlines(std::size_t p) const {
    const std::size_t r = run(p, kSpace);
    for (std::size_t j = r; j-- > p;) {
      if (has(j, kNewline)) return run(j, kNewline);
    }
    return p;
  }

  // 6: before a non-space the run gives back its last character.
  std::size_t spaces_not_before_text(std::size_t p) const {
    const std::size_t r = run(p, kSpace);
    if (r == n_) return r;
    return r > p + 1 ? r - 1 : p;
  }

  // 7
  std::size_t spaces(std::size_t p) const { return run(p, kSpace); }

  const std::vector<Char>& c_;
  std::size_t n_;
};

}  // namespace

std::vector<std::string_view> split_o200k(std::string_view utf8) {
  std::vector<Char> chars;
  chars.reserve(utf8.size());
  const auto* s = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const std::size_t len = utf8.size();
  for (std::size_t i = 0; i < len;) {
    const std::size_t start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);  // ill-formed: c < 0, i past the maximal subpart
    chars.push_back({start, c, flags_of(c)});
  }

  std::vector<std::string_view> pieces;
  const Matcher m(chars);
  for (std::size_t p = 0; p < chars.size();) {
    const std::size_t e = m.piece_end(p);
    const std::size_t end = e < chars.size() ? chars[e].offset : len;
    pieces.push_back(utf8.substr(chars[p].offset, end - chars[p].offset));
    p = e;
  }
  return pieces;
}

}  // namespace aiohub::tokenizer
