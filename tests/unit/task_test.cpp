// SPDX-License-Identifier: MIT
// Tests of swoop/task.hpp: Task, its lifetime and frames, awaited with sync_wait.
#include <doctest/doctest.h>

#include <coroutine>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/counted.hpp"
#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::test::Counted;

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

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "co_return takes a braced list of the result") {
    auto empty = []() -> Task<std::vector<int>> { co_return {}; };
    auto three = []() -> Task<std::vector<int>> { co_return {1, 2, 3}; };
    auto pair = []() -> Task<std::pair<int, std::string>> { co_return {7, "seven"}; };
    CHECK(swoop::sync_wait(loop, empty()).empty());
    CHECK(swoop::sync_wait(loop, three()) == std::vector<int>{1, 2, 3});
    CHECK(swoop::sync_wait(loop, pair()) == std::pair<int, std::string>{7, "seven"});
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
}
