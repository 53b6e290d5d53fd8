#include "store/usage_sink.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/provision.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

class UsageSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aiohub-spool-" + random_urlsafe(8));
    db_ = "sqlite://" + (dir_ / "aiohub.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  UsageRecord row(int i, std::int64_t key_id = 1) {
    UsageRecord r;
    r.ts_ms = 1000 + i;
    r.request_id = "req_" + std::to_string(i);
    r.key_id = key_id;
    r.key_name = "demo";
    r.model = "m";
    r.cost = 10;
    r.status = 200;
    return r;
  }

  std::size_t files() const {
    std::size_t n = 0;
    for (auto& e : fs::directory_iterator(dir_ / "queue")) n += e.path().extension() == ".jsonl";
    return n;
  }

  fs::path dir_;
  std::string db_;
};

}  // namespace

TEST_F(UsageSpoolTest, RowsSurviveARestartAndReplayInOrderOnce) {
  auto store = open_store(db_);
  provision(*store, Config{});
  auto key = store->key_by_name("demo")->id;
  {
    UsageSpool spool(dir_ / "queue");
    spool.append({row(0, key), row(1, key)});
    spool.append({row(2, key)});
    EXPECT_EQ(spool.rows(), 3u);
  }
  // A crash in the middle of a write leaves a line without its newline.
  {
    std::ofstream torn(dir_ / "queue" / "00000000000000000099.jsonl", std::ios::binary);
    torn << usage_row_to_json(row(3, key)) << "\n"
         << R"({"ts_ms":12,"request_id":"half)";
  }
  UsageSpool again(dir_ / "queue");
  EXPECT_EQ(again.rows(), 4u) << "a torn last line is not a row";
  EXPECT_EQ(UsageSpool::count_rows(dir_ / "queue"), 4u);
  EXPECT_EQ(UsageSpool::oldest_row_ms(dir_ / "queue"), 1000) << "the first row appended";
  EXPECT_EQ(again.replay(*store), 4u);
  EXPECT_EQ(again.rows(), 0u);
  EXPECT_EQ(files(), 0u);
  EXPECT_FALSE(UsageSpool::oldest_row_ms(dir_ / "queue"));
  auto rows = store->recent_usage(10);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].request_id, "req_3");
  EXPECT_EQ(rows[3].request_id, "req_0");
  EXPECT_EQ(store->key_by_name("demo")->used, 40);
  // New rows after a replay go to a new file and replay on their own.
  again.append({row(4, key)});
  EXPECT_EQ(again.replay(*store), 1u);
  EXPECT_EQ(store->key_by_name("demo")->used, 50);
}

TEST_F(UsageSpoolTest, EveryFieldAndAnyBytesRoundTrip) {
  UsageRecord r = row(7);
  r.group = "g";
  r.upstream_model = "um";
  r.channel = "c";
  r.endpoint = "messages";
  r.stream = true;
  r.usage = {1, 2, 3, 4, 5, true};
  r.usage_estimated = true;
  r.latency_ms = 99;
  r.ttfb_ms = 9;
  r.status = 499;
  r.error = std::string("bad \xFF byte\nand \"quotes\"", 23);
  r.attempts = R"([{"channel":"x"}])";
  auto line = usage_row_to_json(r);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one row, one line";
  auto back = usage_row_from_json(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ts_ms, r.ts_ms);
  EXPECT_EQ(back->request_id, r.request_id);
  EXPECT_EQ(back->endpoint, "messages");
  EXPECT_TRUE(back->stream);
  EXPECT_EQ(back->usage.cache_write, 4);
  EXPECT_EQ(back->usage.reasoning, 5);
  EXPECT_TRUE(back->usage.reported);
  EXPECT_TRUE(back->usage_estimated);
  EXPECT_EQ(back->cost, 10);
  EXPECT_EQ(back->status, 499);
  EXPECT_EQ(back->error, "bad \xEF\xBF\xBD byte\nand \"quotes\"");
  EXPECT_EQ(back->attempts, r.attempts);
  EXPECT_FALSE(usage_row_from_json("{not json"));
}

TEST_F(UsageSpoolTest, UnreachablePostgresQueuesOnDiskInsteadOfFailing) {
  UsageSinkOptions options;
  options.spool_dir = dir_ / "queue";
  // Nothing listens on port 9.
  UsageSink sink("postgres://u:p@127.0.0.1:9/aiohub?connect_timeout=2", options);
  EXPECT_NO_THROW(sink.write({row(0), row(1)}));
  EXPECT_EQ(sink.queued(), 2u);
  EXPECT_NO_THROW(sink.write({row(2)}));  // behind the others, in order
  EXPECT_NO_THROW(sink.tick());
  EXPECT_EQ(sink.queued(), 3u);
  EXPECT_EQ(UsageSpool::count_rows(dir_ / "queue"), 3u);
}

TEST_F(UsageSpoolTest, SqliteNeverQueuesOnDisk) {
  UsageSinkOptions options;
  options.spool_dir = dir_ / "queue";
  auto store = open_store(db_);
  provision(*store, Config{});
  UsageSink sink(db_, options);
  sink.write({row(0, store->key_by_name("demo")->id)});
  EXPECT_EQ(sink.queued(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "queue"));
  EXPECT_EQ(store->recent_usage(5).size(), 1u);
}
