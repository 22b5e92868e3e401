// SPDX-License-Identifier: MIT
// Server: serves an App on worker threads, one libuv loop each; start, stop, wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "swoop/options.hpp"

namespace swoop {

class App;

/// Runs an App on `options.workers` threads, each with its own loop and SO_REUSEPORT socket.
///
/// App::run() is a Server plus signal handling; tests and embedders use a Server directly.
/// Lifetime: the App must outlive the Server. The destructor stops and waits.
/// Thread safety: stop() may be called from any thread (and from a signal-handling loop).
/// Example:
///     swoop::Server server{app, {.port = 0}};
///     server.start();
///     auto port = server.port();
///     ...
///     server.stop();
///     server.wait();
class Server {
 public:
  /// Prepares a server; nothing is bound until start().
  Server(App& app, RunOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listening sockets, freezes the app and starts the workers.
  ///
  /// Throws SystemError when binding fails, std::invalid_argument for a bad host.
  void start();
  /// The port the server listens on (the chosen one when options.port was 0).
  std::uint16_t port() const noexcept;
  /// The number of open client connections across workers (a snapshot). Thread-safe.
  std::size_t connections() const noexcept;
  /// Bytes of large request heads and bodies the workers hold in memory now (a snapshot; each
  /// worker keeps its share near RunOptions::buffered_body_budget). Thread-safe.
  std::size_t buffered_bytes() const noexcept;
  /// Begins a graceful shutdown: stop accepting, finish in-flight requests within the grace
  /// period, close idle connections. Returns at once. Thread-safe and idempotent.
  void stop() noexcept;
  /// Blocks until every worker has finished; rethrows what a before_server_start listener
  /// threw, if one did.
  void wait();
  /// Calls fn (on a worker thread) once every worker has ended, or at once if they have;
  /// nullptr removes it. Used by App::run to wake its signal loop.
  void on_all_stopped(std::function<void()> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swoop
