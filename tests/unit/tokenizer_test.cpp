#include "tokenizer/o200k.hpp"
#include "tokenizer/pretokenize.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using namespace aiohub::tokenizer;

namespace {

struct Fixture {
  const char* text;
  std::vector<std::uint32_t> ids;
};

// Expected ids come from the reference implementation: npm tiktoken@1.0.22
// (tiktoken's Rust core compiled to WASM, the version pinned in
// third_party/tokenizer), via
//   node -e 'const {get_encoding} = require("tiktoken");
//            console.log(get_encoding("o200k_base").encode_ordinary(TEXT))'
const Fixture kFixtures[] = {
    {"Hello, world!", {13225, 11, 2375, 0}},
    {"int main() {\n    return 0;\n}\n", {491, 2758, 416, 405, 271, 622, 220, 15, 307, 739}},
    {"12345678", {7633, 19354, 4388}},
    // U+017F (long s) case-folds to 's' inside (?i:'s), so " I'ſ" is one piece.
    {"I'm sure you'll see it's THEY'RE, we'VE and I'\u017f",
     {15390, 3239, 12764, 1921, 4275, 95381, 6, 1099, 11, 581, 6, 19511, 326, 3413, 70067}},
    {"你好，世界。日本語のテキスト",
     {177519, 979, 28428, 788, 9048, 40909, 3385, 16056, 18368, 38236}},
    {"👍🏽 family: 👨\u200d👩\u200d👧\u200d👦 🚀",
     {82514, 52622, 121, 3502, 25, 61138, 101, 2524, 28823, 102, 2524, 28823, 100, 2524, 28823, 99,
      169883, 222}},
    {"a    b\t\t c   \n\n  d  ", {64, 271, 287, 335, 274, 29104, 220, 272, 256}},
    {"line1\r\nline2\n\n\nline3\n", {1137, 16, 370, 1137, 17, 2499, 1137, 18, 198}},
    {"Crème brûlée à São Paulo, naïve façade",
     {14225, 9767, 69306, 141491, 1221, 19202, 21711, 11, 153475, 737, 114665}},
    {"HTTPRequest getXMLHttpRequest camelCaseWord ALLCAPS",
     {159684, 717, 13836, 4682, 2303, 83330, 6187, 12929, 19465, 56928, 50}},
    {"Pi is 3.14159, 1,000,000 and ١٢٣٤",
     {45560, 382,  220, 18,   13,  16926, 4621,  11,    220,   16,
      11,    1302, 11,  1302, 326, 220,   46600, 53184, 81473, 98713}},
    {"=== /path/to/file.txt // comment\n/*** ***/",
     {17380, 820, 4189, 72231, 51766, 7186, 602, 5375, 198, 10101, 9, 6240, 3680}},
    // Combining acute accents (\p{M}), Hangul and Devanagari.
    {"e\u0301 \u0301abc 안녕하세요 नमस्ते",
     {68, 13430, 220, 13430, 26682, 24497, 171731, 100793, 14681, 628}},
    // Special tokens are plain text here.
    {"<|endoftext|>", {27, 91, 419, 1440, 919, 91, 29}},
};

}  // namespace

TEST(TokenizerO200k, MatchesTiktokenIds) {
  for (const Fixture& f : kFixtures) {
    SCOPED_TRACE(f.text);
    EXPECT_EQ(encode_o200k(f.text), f.ids);
    EXPECT_EQ(count_tokens_o200k(f.text), f.ids.size());
  }
}

TEST(TokenizerO200k, EmptyTextHasNoTokens) {
  EXPECT_TRUE(encode_o200k("").empty());
  EXPECT_EQ(count_tokens_o200k(""), 0u);
}

TEST(TokenizerO200k, SplitsLikeTheO200kPattern) {
  // \s+(?!\S) leaves one space to prefix the next word; \s*[\r\n]+ ends at
  // the last newline; a word may start with capitals but ends at the next one
  // after a lowercase letter; contractions stick to the word; digits go in
  // threes and do not take a leading space.
  EXPECT_EQ(split_o200k("Hello  world\n\n camelCase HTTPRequest's 1234"),
            (std::vector<std::string_view>{"Hello", " ", " world", "\n\n", " camel", "Case",
                                           " HTTPRequest's", " ", "123", "4"}));
}

TEST(TokenizerO200k, LongRunsStayLinear) {
  // One 100 kB piece each: the merge loop must not be quadratic. Counts from
  // tiktoken as above.
  EXPECT_EQ(count_tokens_o200k(std::string(100000, ' ')), 782u);
  EXPECT_EQ(count_tokens_o200k(std::string(100000, '=')), 1562u);
}

TEST(TokenizerO200k, IllFormedUtf8StillCountsEveryByte) {
  // Not valid UTF-8 (tiktoken cannot take it); every byte must still be
  // covered by some token rather than dropped or crashing.
  const std::string bad = "ab\xff\xfe \xc3 x\xed\xa0\x80y";
  const auto ids = encode_o200k(bad);
  EXPECT_GE(ids.size(), 5u);
  EXPECT_EQ(count_tokens_o200k(bad), ids.size());
}

TEST(TokenizerO200k, ConcurrentFirstUseIsSafe) {
  std::vector<std::thread> threads;
  std::vector<std::size_t> counts(4);
  for (std::size_t i = 0; i < counts.size(); ++i)
    threads.emplace_back([&, i] { counts[i] = count_tokens_o200k("Hello, world!"); });
  for (auto& t : threads) t.join();
  for (std::size_t c : counts) EXPECT_EQ(c, 4u);
}
