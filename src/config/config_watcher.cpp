#include "config/config_watcher.hpp"

#include "config/snapshot_builder.hpp"

#include <spdlog/spdlog.h>

#include "store/store.hpp"

namespace aiohub {

ConfigWatcher::ConfigWatcher(std::string database_url, std::chrono::milliseconds poll_every)
    : database_url_(std::move(database_url)), poll_every_(poll_every) {}

ConfigWatcher::~ConfigWatcher() {
  stop();
}

void ConfigWatcher::start() {
  auto store = open_store(database_url_);
  current_.store(build_snapshot(*store, nullptr), std::memory_order_release);
  thread_ = std::thread([this] { run(); });
  notices_ = listen_for_config_changes(database_url_, [this] { poke(); });
}

void ConfigWatcher::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

void ConfigWatcher::stop() {
  notices_.reset();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ConfigWatcher::run() {
  std::unique_ptr<Store> store;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, poll_every_, [&] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
    }
    try {
      if (!store) store = open_store(database_url_);
      auto previous = current();
      if (store->config_revision() == previous->revision) continue;
      current_.store(build_snapshot(*store, previous.get()), std::memory_order_release);
      spdlog::info("configuration reloaded (revision {})", current()->revision);
      if (on_reload) on_reload(current()->revision);
    } catch (const std::exception& e) {
      spdlog::warn("configuration reload failed, keeping the current one: {}", e.what());
      store.reset();
    }
  }
}

}  // namespace aiohub
