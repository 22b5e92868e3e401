// SPDX-License-Identifier: MIT
// run_in_pool: the uv_queue_work awaiter behind run_blocking.
#include "swoop/blocking.hpp"

#include <uv.h>

#include "runtime/cancellable_awaiter.hpp"
#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

struct WorkAwaiter : CancellableAwaiter<WorkAwaiter> {
  void (*call)(void*) noexcept;
  void* arg;
  uv_work_t work{};
  int status = 0;

  WorkAwaiter(void (*call)(void*) noexcept, void* arg) : call(call), arg(arg) {}

  bool start() {
    work.data = this;
    status = uv_queue_work(Loop::current().native(), &work, &on_work, &on_after);
    return status == 0;
  }
  void stop() noexcept {
    // uv_cancel succeeds only before the work started; either way on_after runs later.
    uv_cancel(reinterpret_cast<uv_req_t*>(&work));
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
    self->status = status;
    self->complete();
  }
};

}  // namespace

Task<void> run_in_pool(void (*call)(void*) noexcept, void* arg) { co_await WorkAwaiter{call, arg}; }

}  // namespace swoop::detail
