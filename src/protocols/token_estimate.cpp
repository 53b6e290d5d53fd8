#include "protocols/token_estimate.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "tokenizer/o200k.hpp"

namespace aiohub {
namespace {

constexpr std::int64_t kPerMessage = 4;   // role and framing tokens
constexpr std::int64_t kPerImage = 1600;  // a typical ~1 MP image on Claude and GPT-4o
constexpr std::int64_t kPerTool = 8;

// Tokenizing costs about a microsecond a byte: past this many bytes in one
// estimate, the rest is counted at the rate measured so far. A 30 MiB body
// then costs what 1 MiB does, and an estimate stays linear in the body.
constexpr std::size_t kExactBytes = 1u << 20;

class Counter {
 public:
  std::int64_t operator()(std::string_view text) {
    const std::size_t exact = std::min(text.size(), exact_left_);
    if (exact == text.size()) return take(text);
    // Cut on a character boundary: the tokenizer reads UTF-8.
    std::size_t cut = exact;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    const std::int64_t counted = take(text.substr(0, cut));
    const auto rest = static_cast<double>(text.size() - cut);
    return counted + static_cast<std::int64_t>(rest * tokens_per_byte() + 0.5);
  }

 private:
  std::int64_t take(std::string_view text) {
    exact_left_ -= std::min(exact_left_, text.size());
    const auto n = static_cast<std::int64_t>(tokenizer::count_tokens_o200k(text));
    counted_bytes_ += text.size();
    counted_tokens_ += n;
    return n;
  }
  double tokens_per_byte() const {
    // About four bytes a token on English text until something was counted.
    if (counted_bytes_ < 4096) return 0.25;
    return static_cast<double>(counted_tokens_) / static_cast<double>(counted_bytes_);
  }

  std::size_t exact_left_ = kExactBytes;
  std::size_t counted_bytes_ = 0;
  std::int64_t counted_tokens_ = 0;
};

std::int64_t parts_tokens(const std::vector<ir::Part>& parts, Counter& count) {
  std::int64_t n = 0;
  for (const auto& p : parts) {
    switch (p.kind) {
      case ir::PartKind::text:
      case ir::PartKind::thinking:
        n += count(p.text);
        break;
      case ir::PartKind::image:
        n += kPerImage;
        break;
      case ir::PartKind::document:
        // Base64 of a PDF says little about its text; a page-count guess would
        // be no better. Count the decoded size at about four bytes a token.
        n += static_cast<std::int64_t>(p.data.size() * 3 / 4 / 4);
        break;
      case ir::PartKind::tool_call:
        n += count(p.tool_name) + count(p.arguments) + kPerTool;
        break;
      case ir::PartKind::tool_result:
        n += parts_tokens(p.content, count) + kPerTool;
        break;
      case ir::PartKind::redacted_thinking:
        break;
    }
  }
  return n;
}

}  // namespace

std::int64_t estimate_prompt_tokens(const ir::Request& r) {
  Counter count;
  std::int64_t n = parts_tokens(r.system, count);
  if (!r.system.empty()) n += kPerMessage;
  for (const auto& m : r.messages) n += kPerMessage + parts_tokens(m.parts, count);
  for (const auto& t : r.tools)
    n += kPerTool + count(t.name) + count(t.description) + count(boost::json::serialize(t.schema));
  return n + (n + 9) / 10;
}

std::int64_t estimate_text_tokens(std::string_view text) {
  Counter count;
  const std::int64_t n = count(text);
  return n + (n + 9) / 10;
}

std::int64_t estimate_output_tokens(const std::vector<ir::Part>& parts) {
  Counter count;
  const std::int64_t n = parts_tokens(parts, count);
  return n + (n + 9) / 10;
}

}  // namespace aiohub
