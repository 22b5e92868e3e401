// SPDX-License-Identifier: MIT
// Counted: an instance counter that proves coroutine frames released their arguments.
#pragma once

namespace swoop::test {

/// Counts live instances (copies and moves included).
struct Counted {
  static inline int alive = 0;
  static inline int constructed = 0;
  Counted() noexcept { ++alive, ++constructed; }
  Counted(const Counted&) noexcept { ++alive, ++constructed; }
  Counted(Counted&&) noexcept { ++alive, ++constructed; }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() { --alive; }
  static void reset() noexcept { alive = 0, constructed = 0; }
};

}  // namespace swoop::test
