// SPDX-License-Identifier: MIT
// sleep and with_timeout's timer, on libuv timers.
#include "swoop/time.hpp"

#include <uv.h>

#include "runtime/cancellable_awaiter.hpp"
#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

/// A heap-owned uv_timer_t; freed only in its close callback.
struct TimerBox {
  uv_timer_t timer{};
  void* owner = nullptr;
  static TimerBox* create(void* owner) {
    auto* box = new TimerBox;
    uv_timer_init(Loop::current().native(), &box->timer);
    box->timer.data = box;
    box->owner = owner;
    return box;
  }
  void close() noexcept {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { delete static_cast<TimerBox*>(h->data); });
  }
};

/// Awaiter for sleep: the timer fires (or is restarted at zero by cancellation), then resumes.
struct SleepAwaiter : CancellableAwaiter<SleepAwaiter> {
  std::uint64_t ms;
  TimerBox* box = nullptr;

  explicit SleepAwaiter(std::uint64_t ms) : ms(ms) {}

  bool start() {
    box = TimerBox::create(this);
    // libuv counts from the loop's cached time, which lags behind the clock by however long
    // the loop has been busy since it last polled: without this, sleep(20ms) may end sooner.
    uv_update_time(box->timer.loop);
    uv_timer_start(&box->timer, &on_timer, ms, 0);
    return true;
  }
  void stop() noexcept { uv_timer_start(&box->timer, &on_timer, 0, 0); }
  void await_resume() const {
    if (cancelled) throw Cancelled{};
  }

  static void on_timer(uv_timer_t* t) noexcept {
    auto* self = static_cast<SleepAwaiter*>(static_cast<TimerBox*>(t->data)->owner);
    self->box->close();
    self->complete();
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
  t->box = TimerBox::create(t);
  uv_update_time(t->box->timer.loop);  // a deadline counts from now, not the loop's cached time
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
