// SPDX-License-Identifier: MIT
// Tests of swoop/spawn.hpp: detached tasks, contained exceptions, cancellation.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "support/loop_fixture.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::test::eventually;

namespace {

Task<int> value(int x) { co_return x; }
Task<int> add_one(int x) { co_return co_await value(x) + 1; }
Task<void> thrower() {
  throw std::runtime_error("boom");
  co_return;
}

}  // namespace

TEST_SUITE("spawn") {
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
}
