#pragma once
// The small string helpers every module needs, written once: ASCII-only case
// folding (HTTP header names, scheme names), trimming of spaces and tabs,
// prefix and suffix tests on views.
#include <cstddef>
#include <string>
#include <string_view>

namespace aiohub {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// `s` starts with `prefix`, ignoring ASCII case.
bool istarts_with(std::string_view s, std::string_view prefix);
// Without leading and trailing spaces and tabs (optional whitespace in HTTP).
std::string_view trim(std::string_view s);
// Non-overlapping occurrences of `needle` in `s`.
std::size_t count_occurrences(std::string_view s, std::string_view needle);
// Every occurrence of `from` in `s` replaced by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to);

}  // namespace aiohub
