#pragma once

// Byte-level BPE over a rank table (token bytes -> rank, rank = token id).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace aiohub::tokenizer {

class BpeRanks {
 public:
  // blob layout: u32le N, then N records {u8 length, bytes} in rank order
  // (written by third_party/tokenizer/convert.mjs). Views point into blob.
  explicit BpeRanks(std::string_view blob);

  std::optional<std::uint32_t> rank(std::string_view bytes) const;
  std::size_t size() const { return tokens_.size(); }

  // Appends the token ids of one pre-tokenized piece to out.
  void encode_piece(std::string_view piece, std::vector<std::uint32_t>& out) const;

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::uint32_t find(std::string_view bytes) const;

  std::vector<std::string_view> tokens_;  // by rank
  std::vector<std::uint32_t> slots_;      // open addressing: rank or kNone
  std::size_t mask_ = 0;
};

}  // namespace aiohub::tokenizer
