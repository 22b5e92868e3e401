// SPDX-License-Identifier: MIT
// A Task that is dropped never runs: Task is [[nodiscard]] (a warning; the test makes it an
// error with -Werror=unused-result, as a project that wants it should).
#include <swoop/swoop.hpp>

swoop::Task<void> work() { co_return; }

int main() {
#if defined(SWOOP_WRONG)
  work();
#else
  swoop::Loop loop;
  swoop::sync_wait(loop, work());
#endif
}
