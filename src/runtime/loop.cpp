// SPDX-License-Identifier: MIT
// Loop: a uv_loop_t with a ready queue for coroutines and a thread-safe post queue.
#include "swoop/loop.hpp"

#include <uv.h>

#include <mutex>
#include <utility>
#include <vector>

#include "swoop/config.hpp"
#include "swoop/log.hpp"
#include "swoop/sync_wait.hpp"

namespace swoop {

namespace {
thread_local Loop* current_loop = nullptr;
}

struct Loop::Impl {
  uv_loop_t loop{};
  // Ready queue: coroutines to resume at the next iteration. The idle handle is active only
  // while the queue is non-empty, which both keeps the loop alive and makes it poll without
  // blocking.
  uv_idle_t idle{};
  std::vector<std::coroutine_handle<>> ready;
  std::vector<std::coroutine_handle<>> running;
  // Post queue: functions from other threads, woken through an unreferenced async handle.
  uv_async_t async{};
  std::mutex mutex;
  std::vector<std::function<void()>> posted;

  static void on_idle(uv_idle_t* h) noexcept {
    auto* self = static_cast<Impl*>(h->data);
    self->running.swap(self->ready);
    for (auto c : self->running) c.resume();
    self->running.clear();
    if (self->ready.empty()) uv_idle_stop(&self->idle);
  }

  static void on_async(uv_async_t* h) noexcept {
    auto* self = static_cast<Impl*>(h->data);
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock{self->mutex};
      batch.swap(self->posted);
    }
    for (auto& fn : batch) {
      try {
        fn();
      } catch (...) {
        detail::log_escaped("posted function", std::current_exception());
      }
    }
  }
};

Loop::Loop() : impl_(std::make_unique<Impl>()) {
  SWOOP_ASSERT(current_loop == nullptr, "a thread may run one Loop at a time");
  int r = uv_loop_init(&impl_->loop);
  if (r != 0) throw SystemError(uv_error(r), "uv_loop_init");
  impl_->loop.data = this;
  uv_idle_init(&impl_->loop, &impl_->idle);
  impl_->idle.data = impl_.get();
  uv_async_init(&impl_->loop, &impl_->async, &Impl::on_async);
  impl_->async.data = impl_.get();
  uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->async));
  current_loop = this;
}

Loop::~Loop() {
  // Drain work that is still queued, then close every handle and wait for the callbacks.
  uv_run(&impl_->loop, UV_RUN_NOWAIT);
  uv_walk(
      &impl_->loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&impl_->loop, UV_RUN_DEFAULT);
  int r = uv_loop_close(&impl_->loop);
  SWOOP_ASSERT(r == 0, "the loop still had open handles after closing them");
  static_cast<void>(r);
  if (current_loop == this) current_loop = nullptr;
}

void Loop::run() { uv_run(&impl_->loop, UV_RUN_DEFAULT); }

void Loop::stop() noexcept { uv_stop(&impl_->loop); }

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock{impl_->mutex};
    impl_->posted.push_back(std::move(fn));
  }
  uv_async_send(&impl_->async);
}

void Loop::call_soon(std::coroutine_handle<> h) {
  if (impl_->ready.empty() && !uv_is_active(reinterpret_cast<uv_handle_t*>(&impl_->idle))) {
    uv_idle_start(&impl_->idle, &Impl::on_idle);
  }
  impl_->ready.push_back(h);
}

uv_loop_s* Loop::native() noexcept { return &impl_->loop; }

Loop& Loop::current() noexcept {
  SWOOP_ASSERT(current_loop != nullptr, "no swoop::Loop on this thread");
  return *current_loop;
}

Loop* Loop::current_or_null() noexcept { return current_loop; }

namespace detail {

void run_until(Loop& loop, const bool* done) {
  while (!*done) {
    int alive = uv_run(loop.native(), UV_RUN_ONCE);
    if (!alive && !*done) {
      SWOOP_ASSERT(false, "sync_wait: the task waits on nothing (the loop ran dry)");
      throw std::logic_error("sync_wait: the task waits on nothing");
    }
  }
}

}  // namespace detail
}  // namespace swoop
