#pragma once
// Runs a blocking function (disk I/O) on a thread pool and resumes the
// awaiting coroutine on its own executor with the result. Written without a
// coroutine frame of its own (GCC 12 coroutine bugs, see STYLE.md).
#include <utility>

#include "server/asio.hpp"

namespace aiohub {

// `f` must not throw; R is its result type.
template <class R, class F>
awaitable<R> off_thread(asio::thread_pool& pool, F f) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      [&pool](auto handler, F fn) {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        asio::post(pool, [handler = std::move(handler), fn = std::move(fn),
                          work = std::move(work)]() mutable {
          R result = fn();
          auto executor = work.get_executor();
          asio::post(executor,
                     [handler = std::move(handler), result = std::move(result)]() mutable {
                       std::move(handler)(std::move(result));
                     });
        });
      },
      asio::use_awaitable, std::move(f));
}

}  // namespace aiohub
