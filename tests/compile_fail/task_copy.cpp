// SPDX-License-Identifier: MIT
// A Task owns its coroutine: it moves, it does not copy.
#include <swoop/swoop.hpp>

swoop::Task<int> answer() { co_return 42; }

int main() {
  swoop::Task<int> task = answer();
#if defined(SWOOP_WRONG)
  swoop::Task<int> copy = task;
#else
  swoop::Task<int> copy = std::move(task);
#endif
  swoop::Loop loop;
  return swoop::sync_wait(loop, std::move(copy)) == 42 ? 0 : 1;
}
