#include "images/file_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <vector>

#include "util/crypto.hpp"
#include "util/files.hpp"

namespace aiohub {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kIdChars = 32;  // x 6 bits = 192 bits
constexpr auto kSweepEvery = std::chrono::seconds(30);
}  // namespace

ImageFileStore::ImageFileStore(fs::path dir, std::chrono::seconds retention,
                               std::uint64_t max_bytes)
    : dir_(std::move(dir)), retention_(retention), max_bytes_(max_bytes) {}

bool ImageFileStore::valid_name(std::string_view name) {
  auto dot = name.find('.');
  if (dot != kIdChars) return false;
  for (char c : name.substr(0, dot))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  auto ext = name.substr(dot + 1);
  return ext == "png" || ext == "jpeg" || ext == "webp";
}

ImageFileStore::Saved ImageFileStore::save(std::string_view bytes, std::string_view extension) {
  Saved out = write(bytes, extension);
  bool due = false;
  {
    std::lock_guard lock(mutex_);
    if (!out.name.empty()) bytes_since_sweep_ += bytes.size();
    due = std::chrono::steady_clock::now() - last_sweep_ > kSweepEvery ||
          bytes_at_sweep_ + bytes_since_sweep_ > max_bytes_;
  }
  if (due) sweep();
  return out;
}

ImageFileStore::Saved ImageFileStore::write(std::string_view bytes, std::string_view extension) {
  Saved out;
  std::error_code ec;
  create_private_directories(dir_, ec);
  if (ec) {
    out.error = "cannot create " + dir_.string() + ": " + ec.message();
    return out;
  }
  std::string name = random_urlsafe(kIdChars) + "." + std::string(extension);
  const fs::path final_path = dir_ / name;
  const fs::path temp_path = dir_ / ("." + name + ".tmp");
  {
    std::ofstream f(temp_path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
      fs::remove(temp_path, ec);
      out.error = "cannot write " + temp_path.string();
      return out;
    }
  }
  fs::rename(temp_path, final_path, ec);
  if (ec) {
    fs::remove(temp_path, ec);
    out.error = "cannot rename into " + final_path.string() + ": " + ec.message();
    return out;
  }
  out.name = std::move(name);
  return out;
}

std::optional<std::string> ImageFileStore::load(std::string_view name) {
  if (!valid_name(name)) return std::nullopt;
  const fs::path path = dir_ / std::string(name);
  std::error_code ec;
  auto mtime = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;
  if (fs::file_time_type::clock::now() - mtime > retention_) return std::nullopt;
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return bytes;
}

void ImageFileStore::sweep() {
  std::lock_guard lock(mutex_);
  struct Entry {
    fs::file_time_type mtime;
    std::uint64_t size;
    fs::path path;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  std::uint64_t total = 0;
  std::size_t expired = 0;
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (!valid_name(file)) continue;
    std::error_code e2;
    auto mtime = it->last_write_time(e2);
    auto size = it->file_size(e2);
    if (e2) continue;
    if (now - mtime > retention_) {
      fs::remove(it->path(), e2);
      ++expired;
      continue;
    }
    entries.push_back({mtime, size, it->path()});
    total += size;
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  std::size_t evicted = 0;
  for (auto& e : entries) {
    if (total <= max_bytes_) break;
    std::error_code e2;
    fs::remove(e.path, e2);
    total -= e.size;
    ++evicted;
  }
  if (expired || evicted)
    spdlog::info("images: removed {} expired and {} over-budget files; {} bytes kept", expired,
                 evicted, total);
  bytes_at_sweep_ = total;
  bytes_since_sweep_ = 0;
  last_sweep_ = std::chrono::steady_clock::now();
}

}  // namespace aiohub
