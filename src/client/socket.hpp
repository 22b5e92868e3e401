// SPDX-License-Identifier: MIT
// Internal: the client's TCP socket (a heap-owned uv_tcp_t) and its DNS/connect/read/write steps.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "swoop/task.hpp"

namespace swoop::http::detail {

/// One resolved address (sockaddr_in or sockaddr_in6) and its printable form.
struct Address {
  sockaddr_storage storage{};
  std::string text;  // "127.0.0.1" or "::1"
};

/// Resolves host (a name or a literal) with uv_getaddrinfo, in the resolver's order.
/// Throws ClientError{dns}; swoop::Cancelled when cancelled (the lookup is uv_cancel'ed).
Task<std::vector<Address>> resolve(std::string host, std::uint16_t port);

struct ReadWaiter;

/// A TCP socket of the client. Heap-only; freed by its close callback, never by delete.
///
/// Reading starts after connect and stays on while the socket is open, so EOF or stray bytes
/// on an idle pooled connection are noticed (is_usable() becomes false). It pauses while
/// max_buffered bytes wait unread (say, while a request body is still being written) and
/// resumes when read() takes them, so a peer cannot make the socket buffer without bound.
class Socket {
 public:
  /// Unread bytes at which reading pauses (one full read's worth).
  static constexpr std::size_t max_buffered = 65536;

  /// Creates an unconnected socket on the current loop.
  static Socket* create();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// Connects to addr; returns 0 or a negative libuv status (UV_ECANCELED when cancelled,
  /// and the socket is closed then). Throws swoop::Cancelled if cancelled before starting.
  Task<int> connect(const Address& addr);
  /// Writes all of data; returns 0 or a negative libuv status. Cancelling closes the socket.
  Task<int> write(std::string data);
  /// Returns the next bytes received; empty at EOF. Throws SystemError on a read error,
  /// swoop::Cancelled when cancelled (the socket is closed then).
  Task<std::string> read();

  /// Makes *slot null when the socket is freed, so its owner never holds a dangling pointer.
  void set_owner(Socket** slot) noexcept { owner_ = slot; }
  /// Marks the socket idle in a pool: EOF or bytes arriving then close it at once.
  void set_idle(bool idle) noexcept { idle_ = idle; }
  /// Closes the handle (idempotent); the object is freed by the close callback.
  void close() noexcept;
  /// Whether close() was called.
  bool is_closing() const noexcept { return closing_; }
  /// Whether the socket is open, saw no EOF, no error and holds no unread bytes.
  bool is_usable() const noexcept { return !closing_ && status_ == 0 && in_.empty(); }

 private:
  friend struct ReadWaiter;
  friend struct ConnectWaiter;
  Socket() = default;
  ~Socket() = default;
  static void on_alloc(uv_handle_t* h, std::size_t size, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) noexcept;
  static void on_close(uv_handle_t* h) noexcept;
  void start_reading() noexcept;
  std::string take_input() noexcept;

  uv_tcp_t tcp_{};
  std::string in_;  // bytes received and not read yet
  int status_ = 0;  // UV_EOF or a read error, once seen
  ReadWaiter* reader_ = nullptr;
  Socket** owner_ = nullptr;
  bool closing_ = false;
  bool idle_ = false;
  bool paused_ = false;  // reading stopped at max_buffered
  char buf_[max_buffered];
};

}  // namespace swoop::http::detail
