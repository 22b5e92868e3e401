// SPDX-License-Identifier: MIT
// run() and client_error(): drive one task to completion on a Loop of its own.
#pragma once

#include <doctest/doctest.h>

#include <utility>

#include "swoop/client.hpp"
#include "swoop/loop.hpp"
#include "swoop/sync_wait.hpp"
#include "swoop/task.hpp"

namespace swoop::test {

/// Runs task on a new Loop until it finishes; returns its result or rethrows its exception.
template <typename T>
T run(Task<T> task) {
  Loop loop;
  return sync_wait(loop, std::move(task));
}

/// The http::ClientError a task throws (fails the test when it throws none).
inline http::ClientError client_error(Task<void> task) {
  try {
    run(std::move(task));
  } catch (const http::ClientError& e) {
    return e;
  }
  FAIL("no ClientError");
  return http::ClientError(http::ClientErrorKind::protocol, "unreachable");
}

}  // namespace swoop::test
