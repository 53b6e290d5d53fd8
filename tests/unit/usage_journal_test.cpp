#include "store/usage_journal.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

class UsageJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aiohub-journal-" + random_urlsafe(8));
  }
  void TearDown() override { fs::remove_all(dir_); }

  static UsageRecord row(int i) {
    UsageRecord r;
    r.request_id = "req_" + std::to_string(i);
    r.key_id = 1;
    r.cost = i;
    r.error = std::string(static_cast<std::size_t>(i % 7) * 40, 'e');  // entries of varied size
    return r;
  }
  static std::vector<std::string> ids(const std::vector<UsageRecord>& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.request_id);
    return out;
  }
  fs::path file() const { return dir_ / "usage-journal"; }
  fs::path dir_;
};

}  // namespace

TEST_F(UsageJournalTest, AKilledProcessLeavesItsUnwrittenRowsForTheNextStart) {
  {
    UsageJournal j(file());
    EXPECT_TRUE(j.recover().empty());
    std::uint64_t third = 0;
    for (int i = 0; i < 5; ++i) {
      auto seq = j.append(row(i));
      EXPECT_GT(seq, 0u);
      if (i == 2) third = seq;
    }
    j.written_up_to(third);
    // Destroyed without a clean stop, as a killed process would leave it.
  }
  {
    UsageJournal again(file());
    auto left = again.recover();
    EXPECT_EQ(ids(left), (std::vector<std::string>{"req_3", "req_4"}));
    EXPECT_EQ(left[1].cost, 4);
  }
  EXPECT_TRUE(UsageJournal(file()).recover().empty()) << "recovered rows are not replayed twice";
}

TEST_F(UsageJournalTest, OneProcessAtATime) {
  UsageJournal first(file());
  first.recover();
  try {
    UsageJournal second(file());
    FAIL() << "two writers on one journal would overwrite each other's rows";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another aiohub process"), std::string::npos)
        << e.what();
  }
}

TEST_F(UsageJournalTest, WrapsAroundAndRefusesRatherThanOverwriteUnwrittenRows) {
  std::vector<std::string> expected;
  {
    UsageJournal j(file(), 16 * 1024);  // a header page and 12 KB of entries
    j.recover();
    int i = 0;
    // Many laps: written in batches of 7.
    for (int lap = 0; lap < 60; ++lap) {
      std::uint64_t last = 0;
      for (int k = 0; k < 7; ++k) last = j.append(row(i++));
      ASSERT_GT(last, 0u);
      j.written_up_to(last);
    }
    // Then rows that are never written, until the journal is full.
    for (;; ++i) {
      if (j.append(row(i)) == 0) break;
      expected.push_back("req_" + std::to_string(i));
    }
    EXPECT_GT(expected.size(), 10u);
  }
  UsageJournal again(file(), 16 * 1024);
  EXPECT_EQ(ids(again.recover()), expected);
}

TEST_F(UsageJournalTest, AHeaderLaggingBehindSkipsWhatWasWritten) {
  {
    UsageJournal j(file());
    j.recover();
    for (int i = 0; i < 6; ++i) j.append(row(i));
    j.written_up_to(4);
  }
  {
    // Killed between storing the sequence number and the offset: the offset
    // still points at the first entry.
    std::fstream f(file(), std::ios::in | std::ios::out | std::ios::binary);
    std::uint64_t first_entry = 4096;
    f.seekp(16);
    f.write(reinterpret_cast<const char*>(&first_entry), sizeof first_entry);
  }
  UsageJournal again(file());
  EXPECT_EQ(ids(again.recover()), (std::vector<std::string>{"req_4", "req_5"}));
}

TEST_F(UsageJournalTest, ABareFileNameIsInTheWorkingDirectory) {
  fs::create_directories(dir_);
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  try {
    UsageJournal j("aiohub.db.usage-journal");  // sqlite://aiohub.db
    EXPECT_TRUE(j.recover().empty());
    EXPECT_GT(j.append(row(1)), 0u);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  fs::current_path(cwd);
  EXPECT_TRUE(fs::exists(dir_ / "aiohub.db.usage-journal"));
}
