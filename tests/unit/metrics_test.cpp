#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include "domain/snapshot.hpp"

#include <map>
#include <regex>
#include <sstream>
#include <thread>

using namespace aiohub;

namespace {

UsageRecord row(const std::string& model, int status, std::int64_t latency_ms, std::int64_t ttfb_ms,
                Micros cost) {
  UsageRecord r;
  r.model = model;
  r.channel = "c1";
  r.group = "g";
  r.endpoint = "chat";
  r.status = status;
  r.latency_ms = latency_ms;
  r.ttfb_ms = ttfb_ms;
  r.cost = cost;
  r.usage.input = 100;
  r.usage.output = 20;
  r.usage.cache_read = 30;
  return r;
}

// Every sample line of the text format: "name{labels}" -> value.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, sample))
      out[m[1]] = m[3];
    else
      EXPECT_TRUE(std::regex_match(line, comment)) << "not a valid exposition line: " << line;
  }
  return out;
}

}  // namespace

TEST(Metrics, CountersHistogramsAndGaugesRender) {
  Metrics m;
  m.observe(row("gpt", 200, 50, 20, 1'500'000));
  m.observe(row("gpt", 200, 3000, 800, 250));
  m.observe(row("gpt", 502, 120'000, 0, 0));
  Metrics::Gauges g;
  g.inflight_requests = 2;
  g.usage_queue_length = 5;
  g.channel_healthy = {{"c1", true}, {"c2", false}};
  auto s = samples(m.render(g));

  const std::string ok = R"({model="gpt",channel="c1",group="g",endpoint="chat",status="200"})";
  const std::string bad = R"({model="gpt",channel="c1",group="g",endpoint="chat",status="502"})";
  EXPECT_EQ(s["aiohub_requests_total" + ok], "2");
  EXPECT_EQ(s["aiohub_requests_total" + bad], "1");
  EXPECT_EQ(s["aiohub_request_errors_total" + bad], "1");
  EXPECT_EQ(s.count("aiohub_request_errors_total" + ok), 0u);

  const std::string mcg = R"(model="gpt",channel="c1",group="g")";
  EXPECT_EQ(s["aiohub_request_duration_seconds_bucket{" + mcg + R"(,le="0.1"})"], "1");
  EXPECT_EQ(s["aiohub_request_duration_seconds_bucket{" + mcg + R"(,le="5"})"], "2");
  EXPECT_EQ(s["aiohub_request_duration_seconds_bucket{" + mcg + R"(,le="60"})"], "2");
  EXPECT_EQ(s["aiohub_request_duration_seconds_bucket{" + mcg + R"(,le="120"})"], "3");
  EXPECT_EQ(s["aiohub_request_duration_seconds_bucket{" + mcg + R"(,le="+Inf"})"], "3");
  EXPECT_EQ(s["aiohub_request_duration_seconds_count{" + mcg + "}"], "3");
  EXPECT_EQ(s["aiohub_request_duration_seconds_sum{" + mcg + "}"], "123.050");
  EXPECT_EQ(s["aiohub_time_to_first_token_seconds_count{" + mcg + "}"], "2")
      << "failed requests have no first token";
  EXPECT_EQ(s["aiohub_time_to_first_token_seconds_sum{" + mcg + "}"], "0.820");
  EXPECT_EQ(s["aiohub_tokens_total{" + mcg + R"(,kind="input"})"], "300");
  EXPECT_EQ(s["aiohub_tokens_total{" + mcg + R"(,kind="cache_read"})"], "90");
  EXPECT_EQ(s["aiohub_cost_usd_total{" + mcg + "}"], "1.500250");
  EXPECT_EQ(s[R"(aiohub_channel_healthy{channel="c1"})"], "1");
  EXPECT_EQ(s[R"(aiohub_channel_healthy{channel="c2"})"], "0");
  EXPECT_EQ(s["aiohub_inflight_requests"], "2");
  EXPECT_EQ(s["aiohub_usage_queue_length"], "5");
  EXPECT_EQ(m.observed(), 3u);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  m.observe(row("we\"ird\\name\nx", 200, 1, 1, 0));
  auto text = m.render({});
  EXPECT_NE(text.find(R"(model="we\"ird\\name\nx")"), std::string::npos) << text;
  samples(text);  // every line still parses
}

TEST(Metrics, ThreadsCountIntoTheirOwnShardsAndScrapesAddThemUp) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) m.observe(row("gpt", 200, 10, 5, 1));
    });
  for (auto& t : threads) t.join();
  auto s = samples(m.render({}));
  EXPECT_EQ(
      s[R"(aiohub_requests_total{model="gpt",channel="c1",group="g",endpoint="chat",status="200"})"],
      "4000");
  EXPECT_EQ(s[R"(aiohub_cost_usd_total{model="gpt",channel="c1",group="g"})"], "0.004000");
}

TEST(Metrics, LabelSetsAreCapped) {
  Metrics m;
  for (std::size_t i = 0; i < Metrics::kMaxModelSeries + 50; ++i)
    m.observe(row("model-" + std::to_string(i), 200, 1, 1, 0));
  auto s = samples(m.render({}));
  std::size_t durations = 0;
  for (auto& [k, v] : s)
    if (k.rfind("aiohub_request_duration_seconds_count", 0) == 0) ++durations;
  EXPECT_EQ(durations, Metrics::kMaxModelSeries + 1) << "the overflow is one 'other' series";
  EXPECT_EQ(
      s[R"(aiohub_request_duration_seconds_count{model="other",channel="other",group="other"})"],
      "50");
}

TEST(Metrics, AFirstByteUnderAMillisecondStillCounts) {
  Metrics m;
  m.observe(row("gpt", 200, 0, 0, 0));
  auto s = samples(m.render({}));
  EXPECT_EQ(s[R"(aiohub_time_to_first_token_seconds_count{model="gpt",channel="c1",group="g"})"],
            "1");
  EXPECT_EQ(
      s[R"(aiohub_time_to_first_token_seconds_bucket{model="gpt",channel="c1",group="g",le="0.1"})"],
      "1");
}

TEST(Metrics, NamesTheConfigurationDoesNotKnowAreCountedAsOther) {
  Metrics m;
  Snapshot snap;
  snap.groups["g"].name = "g";
  snap.channels.emplace_back();
  snap.channels.back().record.name = "c1";
  snap.channels.back().record.models = {"gpt"};
  snap.prices["priced-only"] = Price{};
  m.set_known_names(std::make_shared<const Metrics::KnownNames>(Metrics::known_names_of(snap)));

  m.observe(row("gpt", 200, 1, 1, 0));
  m.observe(row("priced-only", 200, 1, 1, 0));
  // A client's made-up model (a megabyte of it), on a request never routed.
  UsageRecord made_up = row(std::string(1 << 20, 'x'), 404, 1, 0, 0);
  made_up.channel.clear();
  m.observe(made_up);
  UsageRecord renamed = row("gpt", 200, 1, 1, 0);
  renamed.channel = "a-channel-since-deleted";
  renamed.group = "a-group-since-deleted";
  m.observe(renamed);

  const std::string text = m.render({});
  EXPECT_LT(text.size(), 64u * 1024);
  auto s = samples(text);
  EXPECT_EQ(
      s[R"(aiohub_requests_total{model="gpt",channel="c1",group="g",endpoint="chat",status="200"})"],
      "1");
  EXPECT_EQ(
      s[R"(aiohub_requests_total{model="priced-only",channel="c1",group="g",endpoint="chat",status="200"})"],
      "1");
  EXPECT_EQ(
      s[R"(aiohub_requests_total{model="other",channel="",group="g",endpoint="chat",status="404"})"],
      "1");
  EXPECT_EQ(
      s[R"(aiohub_requests_total{model="gpt",channel="other",group="other",endpoint="chat",status="200"})"],
      "1");
}
