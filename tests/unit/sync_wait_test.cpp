// SPDX-License-Identifier: MIT
// Tests of swoop/sync_wait.hpp: sync_wait runs a task on a loop and returns or rethrows.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "support/loop_fixture.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;

namespace {

struct NoDefault {
  explicit NoDefault(int v) : value(v) {}
  int value;
};

Task<int> now(int x) { co_return x; }
Task<int> after_sleep(int x) {
  co_await swoop::sleep(2ms);
  co_return x * 2;
}
Task<std::string> sum_later() {
  int a = co_await after_sleep(1);
  int b = co_await now(40);
  co_return std::to_string(a + b);
}
Task<void> set_later(int& out, int value) {
  co_await swoop::sleep(1ms);
  out = value;
}
Task<int> throw_now() {
  throw std::out_of_range("now");
  co_return 0;
}
Task<void> throw_later() {
  co_await swoop::sleep(1ms);
  throw swoop::NotFound{"gone later"};
}

}  // namespace

TEST_SUITE("sync_wait") {
  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "returns the value of a task that never suspends") {
    CHECK(swoop::sync_wait(loop, now(7)) == 7);
    CHECK(swoop::sync_wait(loop, now(-1)) == -1);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "runs the loop until a suspended task finishes and returns its value") {
    CHECK(swoop::sync_wait(loop, after_sleep(21)) == 42);
    CHECK(swoop::sync_wait(loop, sum_later()) == "42");
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "a void task has run to its end when it returns") {
    int out = 0;
    swoop::sync_wait(loop, set_later(out, 5));
    CHECK(out == 5);
    static_assert(std::is_void_v<decltype(swoop::sync_wait(loop, set_later(out, 1)))>);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "returns move-only and not default-constructible results") {
    auto boxed = swoop::sync_wait(loop, []() -> Task<std::unique_ptr<int>> {
      co_await swoop::sleep(1ms);
      co_return std::make_unique<int>(9);
    }());
    REQUIRE(boxed != nullptr);
    CHECK(*boxed == 9);
    auto nd = swoop::sync_wait(loop, []() -> Task<NoDefault> { co_return NoDefault{3}; }());
    CHECK(nd.value == 3);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "rethrows the exception of a task that throws before suspending") {
    CHECK_THROWS_WITH_AS(swoop::sync_wait(loop, throw_now()), "now", std::out_of_range);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "rethrows the exception of a task that throws after suspending, type kept") {
    try {
      swoop::sync_wait(loop, throw_later());
      FAIL("sync_wait returned");
    } catch (const swoop::NotFound& e) {
      CHECK(e.status() == 404);
      CHECK(std::string{e.what()} == "gone later");
    }
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "the loop is usable again after a task threw") {
    CHECK_THROWS_AS(swoop::sync_wait(loop, throw_later()), swoop::HttpError);
    CHECK(swoop::sync_wait(loop, after_sleep(5)) == 10);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "other work on the loop runs while it waits") {
    bool posted = false;
    loop.post([&posted] { posted = true; });
    CHECK_FALSE(posted);
    CHECK(swoop::sync_wait(loop, swoop::test::eventually([&posted] { return posted; }, 10s)));
    CHECK(posted);
  }
}
