#include "util/files.hpp"

#include <vector>

namespace aiohub {

namespace fs = std::filesystem;

void create_private_directories(const fs::path& dir, std::error_code& ec) {
  ec.clear();
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) break;
    if (ec) return;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const bool created = fs::create_directory(*it, ec);
    if (ec) return;
    if (created) fs::permissions(*it, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return;
  }
}

void create_private_directories(const fs::path& dir) {
  std::error_code ec;
  create_private_directories(dir, ec);
  if (ec) throw fs::filesystem_error("cannot create directory", dir, ec);
}

std::optional<fs::perms> restrict_to_owner(const fs::path& file) {
  std::error_code ec;
  const auto st = fs::status(file, ec);
  if (ec || !fs::is_regular_file(st)) return std::nullopt;
  const fs::perms mode = st.permissions();
  if ((mode & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none)
    return std::nullopt;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                  ec);
  if (ec) return std::nullopt;
  return mode;
}

}  // namespace aiohub
