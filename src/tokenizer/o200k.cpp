#include "tokenizer/o200k.hpp"

#include "tokenizer/bpe.hpp"
#include "tokenizer/pretokenize.hpp"

// The rank blob, embedded by the .incbin in cmake/tokenizer.cmake's generated
// o200k_embed.cpp.
extern "C" const unsigned char aiohub_o200k_blob[];
extern "C" const unsigned char aiohub_o200k_blob_end[];

namespace aiohub::tokenizer {
namespace {

const BpeRanks& o200k_ranks() {
  // Built once (thread-safe static init, ~10 ms); read-only afterwards.
  static const BpeRanks ranks(
      std::string_view(reinterpret_cast<const char*>(aiohub_o200k_blob),
                       static_cast<std::size_t>(aiohub_o200k_blob_end - aiohub_o200k_blob)));
  return ranks;
}

}  // namespace

std::vector<std::uint32_t> encode_o200k(std::string_view utf8) {
  const BpeRanks& ranks = o200k_ranks();
  std::vector<std::uint32_t> ids;
  ids.reserve(utf8.size() / 4 + 1);
  for (const std::string_view piece : split_o200k(utf8)) ranks.encode_piece(piece, ids);
  return ids;
}

std::size_t count_tokens_o200k(std::string_view utf8) {
  const BpeRanks& ranks = o200k_ranks();
  std::vector<std::uint32_t> ids;  // reused per piece: no text-sized buffer
  std::size_t count = 0;
  for (const std::string_view piece : split_o200k(utf8)) {
    ids.clear();
    ranks.encode_piece(piece, ids);
    count += ids.size();
  }
  return count;
}

}  // namespace aiohub::tokenizer
