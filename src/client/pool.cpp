// SPDX-License-Identifier: MIT
// HostPool: per-origin keep-alive connections, the per-host limit and the queue of waiters.
#include "client/pool.hpp"

#include <algorithm>

#include "runtime/cancellable_awaiter.hpp"
#include "swoop/loop.hpp"

namespace swoop::http::detail {

struct PoolWaiter : swoop::detail::CancellableAwaiter<PoolWaiter> {
  HostPool* pool;
  explicit PoolWaiter(HostPool& p) : pool(&p) {}
  bool start() {
    pool->waiters.push_back(this);
    return true;
  }
  // The loop resumes the waiter later: cancel callbacks never resume inline.
  void stop() noexcept {
    auto it = std::find(pool->waiters.begin(), pool->waiters.end(), this);
    if (it != pool->waiters.end()) pool->waiters.erase(it);
    Loop::current().call_soon(waiter);
  }
  void await_resume() const {
    if (cancelled) throw Cancelled{};
  }
};

void HostPool::wake_one() noexcept {
  if (waiters.empty()) return;
  PoolWaiter* w = waiters.front();
  waiters.pop_front();
  // Unregister now, so a cancel between the wake and the resume cannot resume it twice.
  if (w->cancel != nullptr) w->cancel->remove(w->reg);
  Loop::current().call_soon(w->waiter);
}

void Lease::give_back() noexcept {
  if (pool_ == nullptr) return;
  conn_->idle_since = std::chrono::steady_clock::now();
  conn_->reused = true;
  conn_->set_idle(true);
  pool_->idle.push_back(std::move(conn_));
  std::exchange(pool_, nullptr)->wake_one();
}

void Lease::discard() noexcept {
  if (pool_ == nullptr) return;
  conn_.reset();
  --pool_->open;
  std::exchange(pool_, nullptr)->wake_one();
}

Task<Lease> acquire(HostPool& pool) {
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    while (!pool.idle.empty()) {
      std::unique_ptr<Connection> conn = std::move(pool.idle.back());
      pool.idle.pop_back();
      // A connection the server closed (EOF while idle) or one idle too long is dropped.
      if (conn->is_usable() && now - conn->idle_since < pool.idle_timeout) {
        conn->set_idle(false);
        co_return Lease{pool, std::move(conn)};
      }
      --pool.open;
    }
    if (pool.open < pool.max) {
      ++pool.open;
      co_return Lease{pool, nullptr};
    }
    try {
      co_await PoolWaiter{pool};
    } catch (...) {
      pool.wake_one();  // pass on a wake-up this waiter may have consumed
      throw;
    }
  }
}

}  // namespace swoop::http::detail
