#pragma once
// Generated images kept on disk for `response_format=url`, under names that
// cannot be guessed (192 random bits), deleted after the retention time or
// when the folder grows past its byte budget, oldest first. Every call
// blocks on the disk: run it off the I/O threads (server/off_thread.hpp).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace aiohub {

class ImageFileStore {
 public:
  ImageFileStore(std::filesystem::path dir, std::chrono::seconds retention,
                 std::uint64_t max_bytes);

  struct Saved {
    std::string name;   // "<random>.<ext>", empty on failure
    std::string error;  // why it failed, for the log
  };
  Saved save(std::string_view bytes, std::string_view extension);
  // The bytes of a stored, unexpired image; null otherwise.
  std::optional<std::string> load(std::string_view name);
  // Deletes expired files, then the oldest until the folder fits its budget.
  void sweep();

  // "<43 URL-safe characters>.png|jpeg|webp": nothing else reaches the disk.
  static bool valid_name(std::string_view name);
  const std::filesystem::path& dir() const { return dir_; }

 private:
  Saved write(std::string_view bytes, std::string_view extension);

  std::filesystem::path dir_;
  std::chrono::seconds retention_;
  std::uint64_t max_bytes_;
  std::mutex mutex_;
  std::uint64_t bytes_since_sweep_ = 0;
  std::uint64_t bytes_at_sweep_ = 0;
  std::chrono::steady_clock::time_point last_sweep_{};
};

}  // namespace aiohub
