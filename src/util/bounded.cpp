#include "util/bounded.hpp"

namespace aiohub {

std::string bounded_for_log(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  auto marker = [](std::size_t left_out) {
    return "\xE2\x80\xA6(" + std::to_string(left_out) + " more bytes)";  // "…(N more bytes)"
  };
  // Room for the longest marker this text can need; the real one is no longer.
  const std::size_t reserve = marker(text.size()).size();
  std::size_t cut = max > reserve ? max - reserve : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += marker(text.size() - cut);
  return out;
}

}  // namespace aiohub
