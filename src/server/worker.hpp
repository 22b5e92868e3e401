// SPDX-License-Identifier: MIT
// Internal: one worker thread's loop, listening socket, connections and timers.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "swoop/loop.hpp"
#include "swoop/options.hpp"

namespace swoop {
class App;
}

namespace swoop::detail {

class Connection;

/// Serves one listening socket on its own loop, on the thread that calls run().
///
/// Lifetime: owned by the Server; run() returns only after every handle it opened was closed,
/// so the handles that are members here never outlive it.
class Worker {
 public:
  Worker(const App& app, const RunOptions& options, int listen_fd);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Runs the loop until shutdown completes. Call once, on the worker's thread.
  void run();
  /// Asks for a graceful shutdown. Thread-safe; returns at once.
  void stop() noexcept;

  const App& app() const noexcept { return app_; }
  const RunOptions& options() const noexcept { return options_; }
  /// The current Date header value (RFC 9110 IMF-fixdate), refreshed once a second.
  std::string_view date() const noexcept { return {date_, 29}; }
  /// The loop's clock in milliseconds.
  std::uint64_t now() const noexcept;
  uv_loop_t* uv_loop() noexcept { return loop_->native(); }

  /// A 16 KiB read buffer from this worker's pool.
  std::unique_ptr<char[]> acquire_buffer();
  /// Returns a buffer of size buffer_size to the pool.
  void release_buffer(std::unique_ptr<char[]> buffer) noexcept;
  static constexpr std::size_t buffer_size = 16 * 1024;

  /// Called by a connection from its close callback, just before it is deleted.
  void on_connection_closed(Connection* c) noexcept;

 private:
  static void on_connection(uv_stream_t* server, int status) noexcept;
  static void on_tick(uv_timer_t* t) noexcept;
  void accept_one();
  void begin_shutdown();
  void maybe_finish();
  void update_date() noexcept;

  const App& app_;
  const RunOptions& options_;
  int listen_fd_;
  Loop* loop_ = nullptr;
  uv_tcp_t listener_{};
  uv_timer_t tick_{};
  std::uint64_t tick_ms_ = 1000;
  Connection* head_ = nullptr;
  std::size_t count_ = 0;
  bool accept_pending_ = false;
  bool stopping_ = false;
  bool listener_open_ = false;
  std::uint64_t shutdown_deadline_ = 0;
  std::mutex stop_mutex_;  // guards loop_ against stop() from other threads
  bool stop_requested_ = false;
  std::vector<std::unique_ptr<char[]>> buffers_;
  char date_[30] = "Thu, 01 Jan 1970 00:00:00 GMT";
  std::int64_t date_second_ = -1;
};

}  // namespace swoop::detail
