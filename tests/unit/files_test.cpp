#include "util/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace aiohub;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/aiohub-files-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

}  // namespace

TEST(PrivateFiles, NewDirectoriesAreOwnerOnlyWhateverTheUmask) {
  TempDir tmp;
  const mode_t old = umask(0);
  create_private_directories(tmp.path / "a" / "b");
  umask(old);
  EXPECT_EQ(mode_of(tmp.path / "a"), 0700u);
  EXPECT_EQ(mode_of(tmp.path / "a" / "b"), 0700u);
  // An existing directory is left as the operator made it.
  std::filesystem::permissions(tmp.path / "a", std::filesystem::perms(0755));
  create_private_directories(tmp.path / "a" / "c");
  EXPECT_EQ(mode_of(tmp.path / "a"), 0755u);
  EXPECT_EQ(mode_of(tmp.path / "a" / "c"), 0700u);
}

TEST(PrivateFiles, AWiderFileIsNarrowedToTheOwner) {
  TempDir tmp;
  const auto file = tmp.path / "aiohub.db";
  std::ofstream(file) << "x";
  std::filesystem::permissions(file, std::filesystem::perms(0644));
  auto was = restrict_to_owner(file);
  ASSERT_TRUE(was);
  EXPECT_EQ(static_cast<unsigned>(*was), 0644u);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_FALSE(restrict_to_owner(file));               // already narrow
  EXPECT_FALSE(restrict_to_owner(tmp.path / "none"));  // absent
}
