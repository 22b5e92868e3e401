// SPDX-License-Identifier: MIT
// Tests of swoop/loop.hpp: a Loop and post from another thread.
#include <doctest/doctest.h>

#include <thread>

#include "support/loop_fixture.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::test::eventually;

TEST_SUITE("loop") {
  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "post runs a function from another thread") {
    bool ran = false;
    std::thread t{[&] { loop.post([&] { ran = true; }); }};
    t.join();
    swoop::sync_wait(loop, eventually([&ran] { return ran; }, 10s));
    CHECK(ran);
  }
}
