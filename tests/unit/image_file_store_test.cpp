#include "images/file_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("aiohub-images-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(ImageFileStore, SavesUnderUnguessableNamesAndLoadsBack) {
  TempDir dir;
  ImageFileStore store(dir.path / "images", std::chrono::hours(1), 1 << 20);
  auto a = store.save("first", "png");
  auto b = store.save("second", "webp");
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_TRUE(ImageFileStore::valid_name(a.name));
  EXPECT_NE(a.name, b.name);
  EXPECT_EQ(a.name.size(), 32u + 4u);
  EXPECT_EQ(b.name.substr(b.name.size() - 5), ".webp");
  EXPECT_EQ(store.load(a.name), "first");
  EXPECT_EQ(store.load(b.name), "second");
  EXPECT_FALSE(store.load("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png"));
}

TEST(ImageFileStore, RefusesNamesThatCouldLeaveTheFolder) {
  for (const char* name :
       {"../x.png", "a/b.png", "", ".png", "x.png", "x.gif", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/.png",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png/", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png.tmp"})
    EXPECT_FALSE(ImageFileStore::valid_name(name)) << name;
  EXPECT_TRUE(ImageFileStore::valid_name("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpeg"));
}

TEST(ImageFileStore, ExpiredFilesAreGoneAndSweptAway) {
  TempDir dir;
  ImageFileStore store(dir.path, std::chrono::hours(1), 1 << 20);
  auto old_one = store.save("old", "png");
  auto fresh = store.save("fresh", "png");
  fs::last_write_time(dir.path / old_one.name,
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_FALSE(store.load(old_one.name));
  store.sweep();
  EXPECT_FALSE(fs::exists(dir.path / old_one.name));
  EXPECT_EQ(store.load(fresh.name), "fresh");
}

TEST(ImageFileStore, OldestGoFirstWhenOverTheByteBudget) {
  TempDir dir;
  ImageFileStore store(dir.path, std::chrono::hours(1), 25);
  const auto now = fs::file_time_type::clock::now();
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    names.push_back(store.save(std::string(10, char('a' + i)), "png").name);
    fs::last_write_time(dir.path / names.back(), now - std::chrono::minutes(10 - i));
  }
  store.sweep();
  EXPECT_FALSE(store.load(names[0]));  // 30 bytes > 25: the oldest goes
  EXPECT_EQ(store.load(names[1]), std::string(10, 'b'));
  EXPECT_EQ(store.load(names[2]), std::string(10, 'c'));
}
