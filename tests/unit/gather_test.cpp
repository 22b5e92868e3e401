// SPDX-License-Identifier: MIT
// Tests of swoop/gather.hpp: gather over tasks and vectors, errors and cancellation.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <vector>

#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;

namespace {

Task<int> slow(int x, std::chrono::milliseconds d) {
  co_await swoop::sleep(d);
  co_return x;
}
Task<int> fail_after(std::chrono::milliseconds d) {
  co_await swoop::sleep(d);
  throw std::invalid_argument("child failed");
}

}  // namespace

TEST_SUITE("gather") {
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
}
