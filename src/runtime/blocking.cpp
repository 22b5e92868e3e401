// SPDX-License-Identifier: MIT
// run_in_pool: the uv_queue_work awaiter behind run_blocking.
#include "swoop/blocking.hpp"

#include <uv.h>

#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

struct WorkAwaiter {
  void (*call)(void*) noexcept;
  void* arg;
  uv_work_t work{};
  CancelState* cancel = nullptr;
  CancelRegistration reg;
  std::coroutine_handle<> waiter;
  bool cancelled = false;
  int status = 0;

  WorkAwaiter(void (*call)(void*) noexcept, void* arg) : call(call), arg(arg) {}
  WorkAwaiter(const WorkAwaiter&) = delete;
  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) {
    cancel = cancel_state_of(h);
    if (cancel != nullptr && cancel->is_cancelled()) {
      cancelled = true;
      return false;
    }
    waiter = h;
    work.data = this;
    status = uv_queue_work(Loop::current().native(), &work, &on_work, &on_after);
    if (status != 0) return false;
    if (cancel != nullptr) {
      reg.fn = &on_cancel;
      reg.ctx = this;
      cancel->add(reg);
    }
    return true;
  }
  void await_resume() const {
    if (cancelled || status == UV_ECANCELED) throw Cancelled{};
    if (status != 0) throw SystemError(uv_error(status), "uv_queue_work");
  }

  static void on_work(uv_work_t* w) noexcept {
    auto* self = static_cast<WorkAwaiter*>(w->data);
    self->call(self->arg);
  }
  static void on_after(uv_work_t* w, int status) noexcept {
    auto* self = static_cast<WorkAwaiter*>(w->data);
    if (self->cancel != nullptr) self->cancel->remove(self->reg);
    self->status = status;
    self->waiter.resume();
  }
  static void on_cancel(void* ctx) noexcept {
    // uv_cancel succeeds only before the work started; either way on_after runs later.
    auto* self = static_cast<WorkAwaiter*>(ctx);
    self->cancelled = true;
    uv_cancel(reinterpret_cast<uv_req_t*>(&self->work));
  }
};

}  // namespace

Task<void> run_in_pool(void (*call)(void*) noexcept, void* arg) { co_await WorkAwaiter{call, arg}; }

}  // namespace swoop::detail
