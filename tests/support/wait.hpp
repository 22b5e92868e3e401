// SPDX-License-Identifier: MIT
// wait_for() and eventually(): wait for what a test can observe instead of sleeping on a guess.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "swoop/task.hpp"
#include "swoop/time.hpp"

namespace swoop::test {

/// Polls cond from a thread that runs no loop of its own until it holds or limit passes;
/// returns whether it held. Limits only bound a failing test, so they are generous: a loaded
/// machine makes the wait longer, never the test red.
inline bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

/// wait_for() inside a task: sleeps on the loop between polls, so the loop keeps running the
/// work being waited for.
inline Task<bool> eventually(std::function<bool()> cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) co_return false;
    co_await swoop::sleep(std::chrono::milliseconds{1});
  }
  co_return true;
}

}  // namespace swoop::test
