#include "tokenizer/bpe.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <utility>

namespace aiohub::tokenizer {

BpeRanks::BpeRanks(std::string_view blob) {
  const auto bad = [] { throw std::runtime_error("o200k: malformed embedded rank blob"); };
  if (blob.size() < 4) bad();
  std::uint32_t n = 0;
  for (int i = 3; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(blob[i]);
  tokens_.reserve(n);
  std::size_t pos = 4;
  for (std::uint32_t r = 0; r < n; ++r) {
    if (pos >= blob.size()) bad();
    const std::size_t len = static_cast<unsigned char>(blob[pos++]);
    if (len == 0 || blob.size() - pos < len) bad();
    tokens_.push_back(blob.substr(pos, len));
    pos += len;
  }
  if (pos != blob.size()) bad();

  // Load factor <= 1/2 keeps linear-probe chains short; 2 MiB for o200k.
  std::size_t cap = 2;
  while (cap < 2 * static_cast<std::size_t>(n)) cap <<= 1;
  slots_.assign(cap, kNone);
  mask_ = cap - 1;
  for (std::uint32_t r = 0; r < n; ++r) {
    std::size_t i = std::hash<std::string_view>{}(tokens_[r]) & mask_;
    while (slots_[i] != kNone) i = (i + 1) & mask_;
    slots_[i] = r;
  }
}

std::uint32_t BpeRanks::find(std::string_view bytes) const {
  for (std::size_t i = std::hash<std::string_view>{}(bytes)&mask_;; i = (i + 1) & mask_) {
    const std::uint32_t r = slots_[i];
    if (r == kNone || tokens_[r] == bytes) return r;
  }
}

std::optional<std::uint32_t> BpeRanks::rank(std::string_view bytes) const {
  const std::uint32_t r = find(bytes);
  if (r == kNone) return std::nullopt;
  return r;
}

// Same result as tiktoken's byte_pair_merge (repeatedly merge the adjacent pair
// whose concatenation has the lowest rank, leftmost on ties), but with a heap
// and a linked list so a long piece (a 100 kB run of spaces or '=') costs
// O(n log n) rather than O(n^2).
void BpeRanks::encode_piece(std::string_view piece, std::vector<std::uint32_t>& out) const {
  if (piece.empty()) return;
  if (const std::uint32_t whole = find(piece); whole != kNone) {
    out.push_back(whole);
    return;
  }
  constexpr std::uint32_t kDead = kNone - 1;
  const auto n = static_cast<std::uint32_t>(piece.size());
  // Part i spans [i, next[i]); tok[i] is its rank, pair[i] the rank of it
  // joined with the following part (kNone if that is no token).
  std::vector<std::uint32_t> next(n), prev(n), tok(n), pair(n, kNone);
  const auto pair_rank = [&](std::uint32_t i) {
    const std::uint32_t j = next[i];
    if (j >= n) return kNone;
    const std::uint32_t end = next[j];
    return find(piece.substr(i, end - i));
  };
  using Entry = std::pair<std::uint32_t, std::uint32_t>;  // (rank, start): leftmost on ties
  std::vector<Entry> heap;
  for (std::uint32_t i = 0; i < n; ++i) {
    next[i] = i + 1;
    prev[i] = i - 1;
    tok[i] = find(piece.substr(i, 1));  // byte-level: every single byte is a token
  }
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    pair[i] = pair_rank(i);
    if (pair[i] != kNone) heap.emplace_back(pair[i], i);
  }
  std::make_heap(heap.begin(), heap.end(), std::greater<>{});
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
    const auto [r, i] = heap.back();
    heap.pop_back();
    // Stale entry: i was merged away, or its pair grew since. A start's pair
    // only ever grows, and ranks are unique per byte string, so comparing
    // ranks suffices.
    if (tok[i] == kDead || pair[i] != r) continue;
    const std::uint32_t j = next[i];
    tok[i] = r;
    tok[j] = kDead;
    next[i] = next[j];
    if (next[i] < n) prev[next[i]] = i;
    pair[i] = pair_rank(i);
    if (pair[i] != kNone) {
      heap.emplace_back(pair[i], i);
      std::push_heap(heap.begin(), heap.end(), std::greater<>{});
    }
    if (i > 0) {  // part 0 never dies, so every other live part has a live prev
      const std::uint32_t p = prev[i];
      pair[p] = pair_rank(p);
      if (pair[p] != kNone) {
        heap.emplace_back(pair[p], p);
        std::push_heap(heap.begin(), heap.end(), std::greater<>{});
      }
    }
  }
  for (std::uint32_t i = 0; i < n; i = next[i]) out.push_back(tok[i]);
}

}  // namespace aiohub::tokenizer
