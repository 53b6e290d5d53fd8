#include "protocols/token_estimate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tokenizer/o200k.hpp"

using namespace aiohub;

namespace {

std::string repeated(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s.append(unit);
  return s;
}

ir::Request one_message(std::string text) {
  ir::Request r;
  ir::Message m;
  m.role = ir::Role::user;
  ir::Part p;
  p.kind = ir::PartKind::text;
  p.text = std::move(text);
  m.parts.push_back(std::move(p));
  r.messages.push_back(std::move(m));
  return r;
}

}  // namespace

TEST(TokenEstimate, SmallTextsAreCountedExactly) {
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  const auto exact = static_cast<std::int64_t>(tokenizer::count_tokens_o200k(text));
  EXPECT_EQ(estimate_text_tokens(text), exact + (exact + 9) / 10);
}

// Past the first MiB the rest is counted at the rate measured so far: a body
// eight times as large costs one MiB of tokenizing and comes out eight times
// as many tokens (finding 3 of issue 14: 30 MiB once took 23 s on an I/O thread).
TEST(TokenEstimate, LargeTextsAreCountedAtTheMeasuredRateBeyondTheFirstMiB) {
  const std::string unit = "lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
  const std::string one = repeated(unit, 1u << 20);
  const std::string eight = repeated(unit, 8u << 20);
  const std::int64_t small = estimate_prompt_tokens(one_message(one));
  const std::int64_t large = estimate_prompt_tokens(one_message(eight));
  const double ratio = static_cast<double>(large) / static_cast<double>(small);
  const double bytes_ratio = static_cast<double>(eight.size()) / static_cast<double>(one.size());
  EXPECT_NEAR(ratio, bytes_ratio, 0.02 * bytes_ratio);
}

// The exact budget is spent across all the texts of a request; the texts past
// it are estimated at the rate measured on the first ones.
TEST(TokenEstimate, TextsPastTheBudgetAreEstimatedAtTheRateOfTheFirst) {
  const std::string unit = "alpha beta gamma delta epsilon zeta eta theta ";
  ir::Request many;
  for (int i = 0; i < 64; ++i) {
    ir::Message m;
    m.role = ir::Role::user;
    ir::Part p;
    p.kind = ir::PartKind::text;
    p.text = repeated(unit, 128u << 10);
    m.parts.push_back(std::move(p));
    many.messages.push_back(std::move(m));
  }
  const std::int64_t per_message =
      static_cast<std::int64_t>(tokenizer::count_tokens_o200k(many.messages[0].parts[0].text));
  const std::int64_t total = estimate_prompt_tokens(many);
  const double expected = static_cast<double>((per_message + 4) * 64) * 1.1;
  EXPECT_NEAR(static_cast<double>(total), expected, 0.02 * expected);
}

// A cut inside a multi-byte character would hand the tokenizer broken UTF-8.
TEST(TokenEstimate, TheCutFallsOnACharacterBoundary) {
  const std::string text = repeated("日本語のテキスト、", (1u << 20) + 7);
  EXPECT_GT(estimate_text_tokens(text), 0);
}
