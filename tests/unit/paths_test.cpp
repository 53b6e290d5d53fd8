// Where an instance keeps its files (config/paths.hpp).
#include "config/paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

namespace {

ServerConfig server(std::string database, std::string data_dir = "") {
  ServerConfig s;
  s.database = std::move(database);
  s.data_dir = std::move(data_dir);
  return s;
}

bool has(const std::vector<fs::path>& list, const fs::path& p) {
  return std::find(list.begin(), list.end(), p) != list.end();
}

}  // namespace

TEST(Paths, SqliteKeepsEverythingBesideTheDatabase) {
  auto s = server("sqlite://./data/aiohub.db");
  EXPECT_EQ(paths::data_dir(s), fs::path("./data"));
  EXPECT_EQ(paths::usage_journal_file(s), fs::path("./data/aiohub.db.usage-journal"));
  EXPECT_EQ(paths::usage_queue_dir(s), fs::path("./data/usage-queue"));
  EXPECT_EQ(paths::instance_id_file(s), fs::path("./data/instance-id"));
  Config c;
  c.server = s;
  EXPECT_EQ(paths::images_dir(c), fs::path("./data/images"));

  auto absolute = server("sqlite:///var/lib/aiohub/gw.db");
  EXPECT_EQ(paths::data_dir(absolute), fs::path("/var/lib/aiohub"));
  EXPECT_EQ(paths::usage_journal_file(absolute), fs::path("/var/lib/aiohub/gw.db.usage-journal"));
}

TEST(Paths, ABareSqliteFileNameMeansTheCurrentDirectory) {
  auto s = server("sqlite://aiohub.db");
  EXPECT_EQ(paths::data_dir(s), fs::path("."));
  EXPECT_EQ(paths::usage_journal_file(s), fs::path("aiohub.db.usage-journal"));
  EXPECT_EQ(paths::usage_queue_dir(s), fs::path("./usage-queue"));
  Config c;
  c.server = s;
  EXPECT_EQ(paths::images_dir(c), fs::path("./images"));
}

TEST(Paths, DataDirMovesTheInstanceFilesButNotTheImages) {
  auto s = server("sqlite:///db/aiohub.db", "/srv/gw1");
  EXPECT_EQ(paths::data_dir(s), fs::path("/srv/gw1"));
  EXPECT_EQ(paths::usage_journal_file(s), fs::path("/srv/gw1/usage-journal"));
  EXPECT_EQ(paths::usage_queue_dir(s), fs::path("/srv/gw1/usage-queue"));
  EXPECT_EQ(paths::instance_id_file(s), fs::path("/srv/gw1/instance-id"));
  Config c;
  c.server = s;
  EXPECT_EQ(paths::images_dir(c), fs::path("/db/images"));  // beside the SQLite file
  c.images.dir = "/var/images";
  EXPECT_EQ(paths::images_dir(c), fs::path("/var/images"));
}

TEST(Paths, PostgresUsesDataDirOrDotData) {
  auto s = server("postgres://u:p@db:5432/aiohub");
  EXPECT_EQ(paths::data_dir(s), fs::path("data"));
  EXPECT_EQ(paths::usage_journal_file(s), fs::path("data/usage-journal"));
  EXPECT_EQ(paths::usage_queue_dir(s), fs::path("data/usage-queue"));
  Config c;
  c.server = s;
  EXPECT_EQ(paths::images_dir(c), fs::path("data/images"));
  c.server.data_dir = "/srv/gw2";
  EXPECT_EQ(paths::usage_journal_file(c.server), fs::path("/srv/gw2/usage-journal"));
  EXPECT_EQ(paths::images_dir(c), fs::path("/srv/gw2/images"));
}

TEST(Paths, PrivateFilesNameTheDatabaseItsCompanionsAndTheInstanceFiles) {
  auto files = paths::private_files(server("sqlite:///d/a.db"));
  for (auto f : {"/d/a.db", "/d/a.db-wal", "/d/a.db-shm", "/d/a.db-journal",
                 "/d/a.db.usage-journal", "/d/instance-id"})
    EXPECT_TRUE(has(files, f)) << f;
  auto pg = paths::private_files(server("postgresql:///aiohub?host=/run", "/srv/x"));
  EXPECT_EQ(pg.size(), 2u);
  EXPECT_TRUE(has(pg, "/srv/x/usage-journal"));
  EXPECT_TRUE(has(pg, "/srv/x/instance-id"));
}

TEST(Paths, InstanceIdIsConfiguredOrGeneratedOnceAndKept) {
  const fs::path dir = fs::temp_directory_path() / ("aiohub-paths-" + random_urlsafe(8));
  auto s = server("sqlite://" + (dir / "db" / "a.db").string(), (dir / "data").string());
  EXPECT_EQ(paths::instance_id(s, false), "");  // none yet, and not made
  EXPECT_FALSE(fs::exists(paths::instance_id_file(s)));
  const std::string id = paths::instance_id(s, true);
  EXPECT_FALSE(id.empty());
  EXPECT_TRUE(fs::exists(dir / "data" / "instance-id"));
  EXPECT_EQ(paths::instance_id(s, true), id);
  EXPECT_EQ(paths::instance_id(s, false), id);
  s.instance_id = "gw-7";
  EXPECT_EQ(paths::instance_id(s, true), "gw-7");
  fs::remove_all(dir);
}
