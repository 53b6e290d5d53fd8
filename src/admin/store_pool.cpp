#include "admin/store_pool.hpp"

namespace aiohub::admin {

StorePool::StorePool(std::string database_url, std::size_t threads)
    : database_url_(std::move(database_url)), pool_(threads) {}

StorePool::~StorePool() {
  stop();
}

void StorePool::stop() {
  pool_.join();
}

StorePool::Lease::Lease(StorePool& p) : pool(p) {
  {
    std::lock_guard lock(pool.mutex_);
    if (!pool.idle_.empty()) {
      store = std::move(pool.idle_.back());
      pool.idle_.pop_back();
    }
  }
  if (!store) store = open_store(pool.database_url_);
}

StorePool::Lease::~Lease() {
  if (broken || !store) return;
  std::lock_guard lock(pool.mutex_);
  pool.idle_.push_back(std::move(store));
}

}  // namespace aiohub::admin
