#pragma once
// Holds the current Snapshot and rebuilds it when the database's
// configuration revision moves (a shell command or another process changed a
// key, channel, group or price).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "domain/snapshot.hpp"
#include "store/change_listener.hpp"

namespace aiohub {

class ConfigWatcher {
 public:
  ConfigWatcher(std::string database_url, std::chrono::milliseconds poll_every);
  ~ConfigWatcher();

  // Builds the first snapshot (throws on a database error) and starts polling.
  void start();
  void stop();

  // Look at the revision now rather than at the next poll (a change notice).
  void poke();

  // Called (on the watcher's thread) after each reload with the new
  // revision; set before start().
  std::function<void(std::int64_t)> on_reload;

  std::shared_ptr<const Snapshot> current() const {
    return current_.load(std::memory_order_acquire);
  }

 private:
  void run();

  std::string database_url_;
  std::chrono::milliseconds poll_every_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poked_ = false;
  std::thread thread_;
  std::unique_ptr<ChangeListener> notices_;
};

}  // namespace aiohub
