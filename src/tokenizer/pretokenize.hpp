#pragma once

// o200k_base's regex pre-tokenizer, written out by hand: the pattern is fixed,
// so a dedicated matcher needs only ICU's character properties, runs in linear
// time and avoids a regex engine whose semantics (leftmost-first backtracking,
// Unicode case folding in (?i)) would have to match tiktoken's fancy-regex.
// third_party/tokenizer/convert.mjs fails the build if the npm package's
// pattern ever differs from the one implemented here.

#include <string_view>
#include <vector>

namespace aiohub::tokenizer {

// Splits text into the pieces BPE runs on; they are contiguous and cover the
// input. Ill-formed UTF-8 sequences count as "other" characters (punctuation).
std::vector<std::string_view> split_o200k(std::string_view utf8);

}  // namespace aiohub::tokenizer
