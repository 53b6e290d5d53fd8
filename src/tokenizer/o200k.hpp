#pragma once

// Local token counting with OpenAI's o200k_base encoding (GPT-4o and later),
// for count_tokens when no upstream can count and for usage estimates when an
// upstream reports none. Special tokens (<|endoftext|>...) are not recognised:
// their text is encoded as ordinary text, as tiktoken's encode_ordinary does.
//
// Thread-safe: the rank table is built on first use and read-only afterwards.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace aiohub::tokenizer {

std::vector<std::uint32_t> encode_o200k(std::string_view utf8);
std::size_t count_tokens_o200k(std::string_view utf8);

}  // namespace aiohub::tokenizer
