// SPDX-License-Identifier: MIT
// Tests of Task, sync_wait, spawn, sleep, with_timeout, run_blocking and gather.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/counted.hpp"
#include "support/loop_fixture.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::test::Counted;
using swoop::test::eventually;

namespace {

Task<int> value(int x) { co_return x; }
Task<int> add_one(int x) { co_return co_await value(x) + 1; }
Task<void> thrower() {
  throw std::runtime_error("boom");
  co_return;
}
Task<int> chain(int depth) {
  int sum = 0;
  for (int i = 0; i < depth; ++i) sum += co_await value(1);
  co_return sum;
}
Task<int> hold(Counted c, int x) {
  static_cast<void>(c);
  co_await swoop::sleep(1ms);
  co_return x;
}
Task<int> slow(int x, std::chrono::milliseconds d) {
  co_await swoop::sleep(d);
  co_return x;
}
Task<int> fail_after(std::chrono::milliseconds d) {
  co_await swoop::sleep(d);
  throw std::invalid_argument("child failed");
}

}  // namespace

TEST_SUITE("task") {
  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "a task is lazy and runs when awaited") {
    bool ran = false;
    auto t = [](bool& flag) -> Task<int> {
      flag = true;
      co_return 7;
    }(ran);
    CHECK_FALSE(ran);
    CHECK(swoop::sync_wait(loop, std::move(t)) == 7);
    CHECK(ran);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "exceptions are rethrown in the awaiter") {
    CHECK_THROWS_WITH_AS(swoop::sync_wait(loop, thrower()), "boom", std::runtime_error);
    CHECK(swoop::sync_wait(loop, add_one(41)) == 42);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "100000 synchronously completing awaits do not grow the stack") {
    CHECK(swoop::sync_wait(loop, chain(100000)) == 100000);
  }

  TEST_CASE("a task destroyed unstarted releases its arguments") {
    Counted::reset();
    {
      auto t = hold(Counted{}, 1);
      CHECK(Counted::alive == 1);
    }
    CHECK(Counted::alive == 0);
  }

  TEST_CASE("a task destroyed half-run releases its frame and arguments") {
    Counted::reset();
    {
      auto inner = [](Counted c) -> Task<void> {
        static_cast<void>(c);
        co_await std::suspend_always{};  // parks without any libuv request
      };
      auto outer = [](Counted c, auto make) -> Task<void> {
        static_cast<void>(c);
        co_await make(Counted{});
      }(Counted{}, inner);
      outer.native_handle().resume();
      CHECK(Counted::alive == 3);  // outer's and inner's parameters, and the argument temporary
      CHECK_FALSE(outer.is_done());
    }
    CHECK(Counted::alive == 0);
  }

  TEST_CASE("coroutine frames are recycled through the thread's free list") {
#if defined(__SANITIZE_ADDRESS__)
    MESSAGE("pooling is off under AddressSanitizer so that it sees every frame's lifetime");
#else
    void* a = swoop::detail::frame_allocate(200);
    swoop::detail::frame_deallocate(a, 200);
    void* b = swoop::detail::frame_allocate(250);  // same size class (193..256 bytes)
    CHECK(a == b);
    swoop::detail::frame_deallocate(b, 250);
#endif
  }

  TEST_CASE("tasks are move-only") {
    static_assert(!std::is_copy_constructible_v<Task<int>>);
    static_assert(std::is_nothrow_move_constructible_v<Task<int>>);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "sleep waits at least the duration") {
    auto start = std::chrono::steady_clock::now();
    swoop::sync_wait(loop, swoop::sleep(20ms));
    CHECK(std::chrono::steady_clock::now() - start >= 19ms);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "with_timeout returns the value of a quick task") {
    CHECK(swoop::sync_wait(loop, swoop::with_timeout(1s, slow(5, 1ms))) == 5);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "with_timeout cancels a slow task and throws Timeout") {
    Counted::reset();
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(swoop::sync_wait(loop, swoop::with_timeout(20ms, slow(5, 10s))),
                    swoop::Timeout);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(Counted::alive == 0);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "run_blocking returns the result from the pool") {
    auto loop_thread = std::this_thread::get_id();
    auto [id, n] = swoop::sync_wait(loop, swoop::run_blocking([] {
                                      return std::pair{std::this_thread::get_id(), 9};
                                    }));
    CHECK(id != loop_thread);
    CHECK(n == 9);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "run_blocking rethrows the function's exception") {
    CHECK_THROWS_WITH_AS(swoop::sync_wait(loop, swoop::run_blocking([]() -> int {
                                            throw std::out_of_range("pool");
                                          })),
                         "pool", std::out_of_range);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "gather returns results in order") {
    auto [a, b, c] =
        swoop::sync_wait(loop, swoop::gather(slow(1, 30ms), slow(2, 1ms), swoop::sleep(5ms)));
    CHECK(a == 1);
    CHECK(b == 2);
    CHECK(c == swoop::Unit{});
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "gather over a vector runs tasks concurrently") {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 50; ++i) tasks.push_back(slow(i, 20ms));
    auto start = std::chrono::steady_clock::now();
    auto out = swoop::sync_wait(loop, swoop::gather(std::move(tasks)));
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
    REQUIRE(out.size() == 50);
    for (int i = 0; i < 50; ++i) CHECK(out[static_cast<std::size_t>(i)] == i);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "gather cancels the others and rethrows the first error") {
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(
        swoop::sync_wait(loop, swoop::gather(slow(1, 10s), fail_after(5ms), slow(3, 10s))),
        "child failed", std::invalid_argument);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "gather of nothing completes at once") {
    auto out = swoop::sync_wait(loop, swoop::gather(std::vector<Task<int>>{}));
    CHECK(out.empty());
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "a timeout around gather cancels every child") {
    CHECK_THROWS_AS(swoop::sync_wait(
                        loop, swoop::with_timeout(10ms, swoop::gather(slow(1, 10s), slow(2, 10s)))),
                    swoop::Timeout);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "spawn runs a task detached on the loop") {
    int result = 0;
    swoop::spawn([&result]() -> Task<void> {
      return [](int& out) -> Task<void> {
        co_await swoop::sleep(1ms);
        out = 42;
      }(result);
    });
    CHECK(result == 0);
    swoop::sync_wait(loop, eventually([&result] { return result == 42; }, 10s));
    CHECK(result == 42);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "an exception escaping a spawned task is contained") {
    static std::string logged;
    logged.clear();
    swoop::set_log_writer([](std::string_view line) noexcept { logged += line; });
    swoop::spawn(thrower());
    swoop::sync_wait(loop, eventually([] { return !logged.empty(); }, 10s));
    swoop::set_log_writer(nullptr);
    CHECK(logged.find("[ERROR] exception escaped spawned task: boom") != std::string::npos);
    CHECK(swoop::sync_wait(loop, add_one(41)) == 42);  // the loop goes on
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "a spawned task can be cancelled through its handle") {
    bool started = false, saw_cancel = false;
    auto handle = swoop::spawn([&started, &saw_cancel]() -> Task<void> {
      return [](bool& running, bool& flag) -> Task<void> {
        running = true;
        try {
          co_await swoop::sleep(10s);
        } catch (const swoop::Cancelled&) {
          flag = true;
          throw;
        }
      }(started, saw_cancel);
    });
    // Cancelled in its sleep, not before its start: that would be another path.
    swoop::sync_wait(loop, eventually([&started] { return started; }, 10s));
    CHECK_FALSE(handle.is_done());
    handle.cancel();
    swoop::sync_wait(loop, eventually([&handle] { return handle.is_done(); }, 10s));
    CHECK(saw_cancel);
    CHECK(handle.is_done());
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "post runs a function from another thread") {
    bool ran = false;
    std::thread t{[&] { loop.post([&] { ran = true; }); }};
    t.join();
    swoop::sync_wait(loop, eventually([&ran] { return ran; }, 10s));
    CHECK(ran);
  }
}
