#include "util/bounded.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

TEST(BoundedForLog, ShortTextIsKeptAsItIs) {
  EXPECT_EQ(bounded_for_log("gpt-4.1", 256), "gpt-4.1");
  EXPECT_EQ(bounded_for_log(std::string(256, 'x'), 256), std::string(256, 'x'));
}

TEST(BoundedForLog, LongTextIsCutAndMarked) {
  const std::string text(4 << 20, 'm');
  const std::string out = bounded_for_log(text, 256);
  EXPECT_LE(out.size(), 256u);
  EXPECT_EQ(out.substr(0, 200), text.substr(0, 200));
  const std::size_t kept = out.find("\xE2\x80\xA6(");
  ASSERT_NE(kept, std::string::npos);
  EXPECT_EQ(out.substr(kept),
            "\xE2\x80\xA6(" + std::to_string(text.size() - kept) + " more bytes)");
}

TEST(BoundedForLog, TheCutFallsOnACharacterBoundary) {
  // "é" is two bytes: no bound may split one.
  std::string text;
  for (int i = 0; i < 500; ++i) text += "\xC3\xA9";
  for (std::size_t max = 40; max < 80; ++max) {
    const std::string out = bounded_for_log(text, max);
    EXPECT_LE(out.size(), max);
    const std::size_t kept = out.find("\xE2\x80\xA6(");
    ASSERT_NE(kept, std::string::npos);
    EXPECT_EQ(kept % 2, 0u) << max;
  }
}
