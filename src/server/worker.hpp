// SPDX-License-Identifier: MIT
// Internal: one worker thread's loop, listening socket, connections and timers.
#pragma once

#include <openssl/types.h>
#include <uv.h>

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "net/transport.hpp"
#include "swoop/context.hpp"
#include "swoop/detail/cancel.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/loop.hpp"
#include "swoop/options.hpp"
#include "swoop/registry.hpp"

namespace swoop::detail {

class Http1Connection;
struct Http1Exchange;
class PubSubNode;
class Service;

/// Serves one listening socket on its own loop, on the thread that calls run().
///
/// Lifetime: owned by the Server; run() returns only after every handle it opened was closed,
/// so the handles that are members here never outlive it.
class Worker final : public net::TransportHost {
 public:
  /// index 0 is the worker that runs `once` background tasks.
  /// tls: the server's TLS context (shared by the workers), nullptr for plain HTTP.
  Worker(const Service& service, const RunOptions& options, int listen_fd, int index, SSL_CTX* tls);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Runs the loop until shutdown completes. Call once, on the worker's thread.
  void run();
  /// Asks for a graceful shutdown. Thread-safe; returns at once.
  void stop() noexcept;

  /// The application served, through the seam.
  const Service& service() const noexcept { return service_; }
  /// What a before_server_start listener threw (then the worker did not serve).
  std::exception_ptr start_error() const noexcept { return start_error_; }
  const RunOptions& options() const noexcept { return options_; }
  /// The current Date header value (RFC 9110 IMF-fixdate), refreshed once a second.
  std::string_view date() const noexcept { return {stamp_ + date_at, 29}; }
  /// "Server: swoop\r\nDate: <date()>\r\n": the lines most responses carry, in one piece.
  std::string_view server_and_date_lines() const noexcept { return {stamp_, sizeof stamp_ - 1}; }
  /// The loop's clock in milliseconds.
  std::uint64_t now() const noexcept override;
  uv_loop_t* uv_loop() noexcept override { return loop_->native(); }

  // ---- net::TransportHost: what the worker's connections share ----
  /// A read buffer of buffer_size bytes from this worker's pool.
  std::unique_ptr<char[]> acquire_buffer() override;
  /// Returns a buffer of size buffer_size to the pool.
  void release_buffer(std::unique_ptr<char[]> buffer) noexcept override;
  /// A request's head and body (and their framing) fit: max_header_size + 2 max_body_size.
  std::size_t input_limit() const noexcept override;
  /// Read buffers grown past buffer_size (large heads and bodies) draw on the worker's
  /// RunOptions::buffered_body_budget. A transport holding `held` bytes asks for `more`;
  /// false when that would overspend the budget while other transports hold some: t is then
  /// queued, and t.on_budget_returned() is called once bytes come back. A transport alone
  /// always gets what it asks, so one request of any allowed size can proceed.
  bool draw_budget(net::Transport& t, std::size_t held, std::size_t more) override;
  /// Gives back bytes drawn earlier, waking the queued transports.
  void return_budget(std::size_t bytes) noexcept override;
  /// Takes a queued transport that is going away off the queue.
  void leave_budget_queue(net::Transport& t) noexcept override;
  /// Bytes drawn on the budget now; readable from any thread.
  std::size_t buffered_bytes() const noexcept {
    return buffered_published_.load(std::memory_order_relaxed);
  }

  /// A connection's request state (parser and Request) from this worker's pool.
  std::unique_ptr<Http1Exchange> acquire_exchange();
  /// Returns a connection's request state to the pool (its Request is reset first).
  void release_exchange(std::unique_ptr<Http1Exchange> exchange) noexcept;

  /// The TLS context connections use, or nullptr (plain HTTP).
  SSL_CTX* tls_context() const noexcept { return tls_; }
  /// Scratch space for ciphertext just read from a socket (a connection's TLS session takes
  /// it at once), cipher_buffer_size bytes.
  char* cipher_buffer() override;

  /// Shutdown has begun and the drain delay runs or is over (responses close their connections).
  bool is_draining() const noexcept { return stage_ >= Stage::draining; }

  /// Open connections; readable from any thread.
  std::size_t open_connections() const noexcept { return open_.load(std::memory_order_relaxed); }

  /// Called by a connection from its close callback, just before it is deleted.
  void on_connection_closed(Http1Connection* c) noexcept;

  /// Has t.run_deferred() called before the loop next waits for I/O; false when it cannot be
  /// (the worker is past its shutdown, or out of memory): flush at once then.
  bool defer_flush(net::Transport& t) noexcept override;
  /// Forgets a deferred flush of a transport that is going away.
  void cancel_flush(net::Transport& t) noexcept override;

 private:
  static void on_connection(uv_stream_t* server, int status) noexcept;
  static void on_tick(uv_timer_t* t) noexcept;
  static void on_flush_prepare(uv_prepare_t* h) noexcept;
  friend RootTask worker_after_start(Worker* w);
  friend RootTask worker_shutdown(Worker* w);
  friend RootTask worker_task(Worker* w, std::size_t slot, std::size_t task);

  /// Suspends the calling coroutine until poke() (used while draining and stopping tasks).
  struct Park {
    Worker* w;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { w->parked_ = h; }
    void await_resume() const noexcept {}
  };

  void accept_one();
  void close_longest_idle();
  void begin_shutdown();
  void poke() noexcept;
  void start_tasks();
  Task<void> run_listeners(ListenerEvent event, bool reverse) const;
  void update_date() noexcept;

  const Service& service_;
  const RunOptions& options_;
  int listen_fd_;
  int index_;
  SSL_CTX* tls_;
  std::unique_ptr<char[]> cipher_buffer_;
  Context ctx_;  // App::worker_ctx() on this worker's thread
  std::exception_ptr start_error_;
  enum class Stage : std::uint8_t {
    starting,       // before_server_start listeners run
    serving,        // accepting and serving
    shutting_down,  // the shutdown sequence began
    draining,       // the drain delay runs: responses close their connections
    stopping,       // accepting has ended; connections finish, then tasks and listeners
  };
  Stage stage_ = Stage::starting;
  std::coroutine_handle<> parked_;
  struct TaskSlot {
    CancelState cancel;
    bool done = false;
  };
  std::vector<std::unique_ptr<TaskSlot>> tasks_;
  std::size_t running_tasks_ = 0;
  Loop* loop_ = nullptr;
  PubSubNode* pubsub_ = nullptr;  // this worker's topics (owned by run())
  uv_tcp_t listener_{};
  uv_timer_t tick_{};
  // Deferred flushes: a prepare handle runs them just before the loop polls for I/O. (An idle
  // handle would make that poll return at once, one more epoll_wait per round trip, when
  // started from the idle phase where coroutines resumed by call_soon run.)
  uv_prepare_t flush_prepare_{};
  bool flush_prepare_open_ = false;
  std::vector<net::Transport*> flush_list_, flushing_;
  std::uint64_t tick_ms_ = 1000;
  Http1Connection* head_ = nullptr;
  std::size_t count_ = 0;
  std::atomic<std::size_t> open_{0};  // count_, published for Server::connections()
  bool accept_pending_ = false;
  std::uint64_t evictions_ = 0;  // idle connections closed to admit new ones at the cap
  bool listener_open_ = false;   // initialized and not yet closed
  bool listening_ = false;       // uv_listen succeeded
  std::uint64_t shutdown_deadline_ = 0;
  std::mutex stop_mutex_;  // guards loop_ against stop() from other threads
  bool stop_requested_ = false;
  std::vector<std::unique_ptr<char[]>> buffers_;
  std::size_t buffered_ = 0;                        // drawn on the buffered body budget
  std::atomic<std::size_t> buffered_published_{0};  // buffered_, for Server::buffered_bytes()
  std::vector<net::Transport*> budget_queue_;       // waiting for budget, oldest first
  std::vector<std::unique_ptr<Http1Exchange>> exchanges_;
  static constexpr std::size_t date_at = 21;  // where the date starts in stamp_
  char stamp_[53] = "Server: swoop\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n";
  std::int64_t date_second_ = -1;
};

}  // namespace swoop::detail
