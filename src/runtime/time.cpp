// SPDX-License-Identifier: MIT
// sleep and with_timeout's timer, on libuv timers.
#include "swoop/time.hpp"

#include <uv.h>

#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

/// A heap-owned uv_timer_t; freed only in its close callback.
struct TimerBox {
  uv_timer_t timer{};
  void* owner = nullptr;
  static TimerBox* create(uv_timer_cb cb, void* owner) {
    auto* box = new TimerBox;
    uv_timer_init(Loop::current().native(), &box->timer);
    box->timer.data = box;
    box->owner = owner;
    static_cast<void>(cb);
    return box;
  }
  void close() noexcept {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { delete static_cast<TimerBox*>(h->data); });
  }
};

/// Awaiter for sleep: the timer fires (or is cut short by cancellation), then resumes.
struct SleepAwaiter {
  std::uint64_t ms;
  TimerBox* box = nullptr;
  CancelState* cancel = nullptr;
  CancelRegistration reg;
  std::coroutine_handle<> waiter;
  bool cancelled = false;

  SleepAwaiter(std::uint64_t ms) : ms(ms) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) {
    cancel = cancel_state_of(h);
    if (cancel != nullptr && cancel->is_cancelled()) {
      cancelled = true;
      return false;
    }
    waiter = h;
    box = TimerBox::create(nullptr, this);
    uv_timer_start(&box->timer, &on_timer, ms, 0);
    if (cancel != nullptr) {
      reg.fn = &on_cancel;
      reg.ctx = this;
      cancel->add(reg);
    }
    return true;
  }
  void await_resume() const {
    if (cancelled) throw Cancelled{};
  }

  static void on_timer(uv_timer_t* t) noexcept {
    auto* self = static_cast<SleepAwaiter*>(static_cast<TimerBox*>(t->data)->owner);
    if (self->cancel != nullptr) self->cancel->remove(self->reg);
    self->box->close();
    self->waiter.resume();
  }
  static void on_cancel(void* ctx) noexcept {
    // Never resume inline: restart the timer at zero so the loop resumes the waiter.
    auto* self = static_cast<SleepAwaiter*>(ctx);
    self->cancelled = true;
    uv_timer_start(&self->box->timer, &on_timer, 0, 0);
  }
};

}  // namespace

Task<void> sleep_ms(std::uint64_t ms) { co_await SleepAwaiter{ms}; }

struct TimeoutTimer {
  TimerBox* box;
  CancelState* target;
  bool fired = false;
};

TimeoutTimer* timeout_start(std::uint64_t ms, CancelState& target) {
  auto* t = new TimeoutTimer{nullptr, &target};
  t->box = TimerBox::create(nullptr, t);
  uv_timer_start(
      &t->box->timer,
      [](uv_timer_t* h) noexcept {
        auto* self = static_cast<TimeoutTimer*>(static_cast<TimerBox*>(h->data)->owner);
        self->fired = true;
        self->target->cancel();
      },
      ms, 0);
  return t;
}

bool timeout_finish(TimeoutTimer* t) noexcept {
  const bool fired = t->fired;
  t->box->close();
  delete t;
  return fired;
}

}  // namespace swoop::detail
