#pragma once
// Store work off the I/O threads: a small thread pool whose threads each
// use their own Store connection, and a way for a request coroutine to
// co_await the result of a function run there.
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "server/asio.hpp"
#include "store/store.hpp"

namespace aiohub::admin {

class StorePool {
 public:
  StorePool(std::string database_url, std::size_t threads);
  ~StorePool();
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  // Runs fn(Store&) on a pool thread; the awaiting coroutine resumes on its
  // own executor with the result (or the exception fn threw).
  template <class F>
  auto run(F fn) -> awaitable<std::invoke_result_t<F&, Store&>> {
    using R = std::invoke_result_t<F&, Store&>;
    // Not a coroutine itself: the lambda object, which co_spawn keeps alive
    // until it finishes, owns `fn`.
    return asio::co_spawn(
        pool_.get_executor(),
        [this, fn = std::move(fn)]() mutable -> awaitable<R> { co_return with_store(fn); },
        asio::use_awaitable);
  }

  void stop();

 private:
  template <class F>
  auto with_store(F& fn) {
    Lease lease(*this);
    try {
      return fn(*lease.store);
    } catch (const StoreError&) {
      lease.broken = true;  // reopen next time: the connection may be what failed
      throw;
    }
  }

  struct Lease {
    explicit Lease(StorePool& p);
    ~Lease();
    StorePool& pool;
    std::unique_ptr<Store> store;
    bool broken = false;
  };

  std::string database_url_;
  asio::thread_pool pool_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Store>> idle_;
};

}  // namespace aiohub::admin
