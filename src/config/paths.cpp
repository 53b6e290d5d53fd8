#include "config/paths.hpp"

#include <unistd.h>

#include <fstream>

#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/files.hpp"

namespace aiohub::paths {

namespace fs = std::filesystem;

namespace {

// The SQLite file's directory; "." for a bare file name.
std::optional<fs::path> sqlite_dir(const ServerConfig& s) {
  auto file = sqlite_path_of(s.database);
  if (!file) return std::nullopt;
  fs::path parent = fs::path(*file).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

fs::path data_dir(const ServerConfig& s) {
  if (!s.data_dir.empty()) return s.data_dir;
  if (auto dir = sqlite_dir(s)) return *dir;
  return "data";
}

fs::path usage_journal_file(const ServerConfig& s) {
  if (s.data_dir.empty())
    if (auto file = sqlite_path_of(s.database)) return *file + ".usage-journal";
  return data_dir(s) / "usage-journal";
}

fs::path usage_queue_dir(const ServerConfig& s) {
  return data_dir(s) / "usage-queue";
}

fs::path instance_id_file(const ServerConfig& s) {
  return data_dir(s) / "instance-id";
}

fs::path images_dir(const Config& c) {
  if (!c.images.dir.empty()) return c.images.dir;
  if (auto dir = sqlite_dir(c.server)) return *dir / "images";
  return data_dir(c.server) / "images";
}

std::vector<fs::path> private_files(const ServerConfig& s) {
  std::vector<fs::path> files{usage_journal_file(s), instance_id_file(s)};
  if (auto db = sqlite_path_of(s.database))
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) files.emplace_back(*db + suffix);
  return files;
}

std::string instance_id(const ServerConfig& s, bool create) {
  if (!s.instance_id.empty()) return s.instance_id;
  const fs::path file = instance_id_file(s);
  std::string id;
  if (std::ifstream in(file); in) std::getline(in, id);
  if (!id.empty() || !create) return id;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  id = std::string(host) + "-" + random_urlsafe(6);
  create_private_directories(file.parent_path());
  std::ofstream(file) << id << "\n";
  return id;
}

}  // namespace aiohub::paths
