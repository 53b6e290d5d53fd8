#include "protocols/token_estimate.hpp"

#include <boost/json/serialize.hpp>

#include "tokenizer/o200k.hpp"

namespace aiohub {
namespace {

constexpr std::int64_t kPerMessage = 4;   // role and framing tokens
constexpr std::int64_t kPerImage = 1600;  // a typical ~1 MP image on Claude and GPT-4o
constexpr std::int64_t kPerTool = 8;

std::int64_t count(std::string_view text) {
  return static_cast<std::int64_t>(tokenizer::count_tokens_o200k(text));
}

std::int64_t parts_tokens(const std::vector<ir::Part>& parts) {
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
        n += parts_tokens(p.content) + kPerTool;
        break;
      case ir::PartKind::redacted_thinking:
        break;
    }
  }
  return n;
}

}  // namespace

std::int64_t estimate_prompt_tokens(const ir::Request& r) {
  std::int64_t n = parts_tokens(r.system);
  if (!r.system.empty()) n += kPerMessage;
  for (const auto& m : r.messages) n += kPerMessage + parts_tokens(m.parts);
  for (const auto& t : r.tools)
    n += kPerTool + count(t.name) + count(t.description) + count(boost::json::serialize(t.schema));
  return n + (n + 9) / 10;
}

std::int64_t estimate_text_tokens(std::string_view text) {
  const std::int64_t n = count(text);
  return n + (n + 9) / 10;
}

std::int64_t estimate_output_tokens(const std::vector<ir::Part>& parts) {
  const std::int64_t n = parts_tokens(parts);
  return n + (n + 9) / 10;
}

}  // namespace aiohub
