#include "ir/sse.hpp"

#include <gtest/gtest.h>

using namespace aiohub;

TEST(Sse, ParsesNamedEventsWhateverTheSplit) {
  std::string wire =
      "event: message_start\ndata: {\"a\":1}\n\n: keep-alive\n\nevent: ping\r\ndata: "
      "{}\r\n\r\ndata: x\ndata: y\n\n";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SseParser p;
    std::vector<SseEvent> out;
    for (std::size_t i = 0; i < wire.size(); i += step)
      p.feed(std::string_view(wire).substr(i, step), out);
    p.finish(out);
    ASSERT_EQ(out.size(), 3u) << step;
    EXPECT_EQ(out[0].event, "message_start");
    EXPECT_EQ(out[0].data, "{\"a\":1}");
    EXPECT_EQ(out[1].event, "ping");
    EXPECT_EQ(out[2].event, "");
    EXPECT_EQ(out[2].data, "x\ny");
  }
}

TEST(Sse, LastEventWithoutBlankLineCountsAtFinish) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed("data: {\"done\":true}", out);
  EXPECT_TRUE(out.empty());
  p.finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "{\"done\":true}");
}

TEST(Sse, FramesEvents) {
  EXPECT_EQ(sse_frame("ping", "{}"), "event: ping\ndata: {}\n\n");
  EXPECT_EQ(sse_frame("", "[DONE]"), "data: [DONE]\n\n");
}
