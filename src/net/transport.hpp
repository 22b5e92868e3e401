// SPDX-License-Identifier: MIT
// Internal: one accepted TCP socket, plain or TLS, with its buffers: what the server's
// protocols (HTTP/1.1, a websocket after an upgrade) run on. Protocol code never touches
// libuv handles; it reads input(), appends to output() and says when to flush.
#pragma once

#include <openssl/types.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace swoop::net {

class TlsStream;
class Transport;

/// What runs on a Transport. The transport calls it when something happened on the socket:
/// one virtual call per event, never per byte.
///
/// Input and output events go to the protocol the transport was handed to; a failure and the
/// close always go to its owner (the protocol it was made with), which decides when the
/// connection may end (a handler may still hold its request).
class Protocol {
 public:
  /// Whether to read more now; reading stops while not (backpressure).
  virtual bool wants_input() const noexcept = 0;
  /// Input arrived in Transport::input(), or input held back may be taken now (after a
  /// deferred flush, or when buffer budget came back).
  virtual void on_input() = 0;
  /// The input buffer is full and may not grow (over the size limit): answer, or drop the
  /// connection. Not called while input_movable() is false or budget is awaited.
  virtual void on_input_full() = 0;
  /// The peer sends nothing more: end of stream, reset, or its TLS close_notify.
  virtual void on_peer_closed() = 0;
  /// The write in flight finished.
  virtual void on_written() = 0;
  /// Whether the input may be moved or regrown (false while views into it are held).
  virtual bool input_movable() const noexcept { return true; }
  /// Bytes wanted in one piece (a head or body in progress): a hint for growing the buffer.
  virtual std::size_t input_wanted() const noexcept { return 0; }
  /// TLS: the client spoke plain text to the TLS port before any handshake; the session is
  /// gone and output() now goes out unencrypted, once. Answer in plain text, or not.
  virtual void on_plain_text() {}
  /// The loop's periodic tick (the protocol's own timeouts), from the owner.
  virtual void on_tick(std::uint64_t /*now*/) {}
  /// Server shutdown, from the owner: finish gracefully.
  virtual void shut_down() {}
  /// The owner drops the connection: nothing more is read or written.
  virtual void abort() noexcept {}

  // ---- to the owner only ----
  /// The socket or the TLS session failed: close the transport once nothing uses it.
  virtual void on_failed() {}
  /// The handle is closed: the last call. The transport may be destroyed inside it.
  virtual void on_closed() noexcept {}

 protected:
  ~Protocol() = default;
};

/// What transports on one loop share (the worker implements it): read buffers from a pool,
/// a budget for buffers grown past the pool's size, and flushes deferred until the loop next
/// waits for I/O.
class TransportHost {
 public:
  /// The size of a pooled read buffer.
  static constexpr std::size_t buffer_size = 16 * 1024;
  /// The size of cipher_buffer().
  static constexpr std::size_t cipher_buffer_size = 64 * 1024;

  virtual uv_loop_t* uv_loop() noexcept = 0;
  /// The loop's clock in milliseconds.
  virtual std::uint64_t now() const noexcept = 0;
  /// A buffer of buffer_size bytes from the pool.
  virtual std::unique_ptr<char[]> acquire_buffer() = 0;
  /// Gives a buffer of buffer_size bytes back to the pool.
  virtual void release_buffer(std::unique_ptr<char[]> buffer) noexcept = 0;
  /// Scratch space for ciphertext just read (a TLS session takes it at once).
  virtual char* cipher_buffer() = 0;
  /// The largest a read buffer may grow.
  virtual std::size_t input_limit() const noexcept = 0;
  /// Draws `more` bytes for t's buffer, which holds `held`; false when t must wait (then
  /// t.on_budget_returned() is called once bytes come back).
  virtual bool draw_budget(Transport& t, std::size_t held, std::size_t more) = 0;
  /// Gives back bytes drawn earlier.
  virtual void return_budget(std::size_t bytes) noexcept = 0;
  /// Takes a transport that is going away off the budget queue.
  virtual void leave_budget_queue(Transport& t) noexcept = 0;
  /// Has t.run_deferred() called before the loop next waits for I/O; false when it cannot
  /// be (shutdown is over, or out of memory).
  virtual bool defer_flush(Transport& t) noexcept = 0;
  /// Forgets a deferred flush of a transport that is going away.
  virtual void cancel_flush(Transport& t) noexcept = 0;

 protected:
  ~TransportHost() = default;
};

/// One accepted socket: reading into a pooled buffer (grown on demand within the host's
/// budget), writing with send(2) and libuv's write for the rest, TLS between the two when the
/// listener has it, half-close, the lingering close and the close.
///
/// Lifetime: a member of its owner, which dies only in on_closed(). Loop-affine.
class Transport {
 public:
  Transport(TransportHost& host, Protocol& owner) noexcept;
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Accepts a pending connection from server (TLS when tls is set) and starts reading;
  /// false if that failed (the transport closes itself).
  bool accept(uv_stream_t* server, SSL_CTX* tls);

  // ---- the protocol on top ----
  /// Input and output events go to p from now on (a protocol switch).
  void hand_over(Protocol& p) noexcept { protocol_ = &p; }
  /// Events go back to the owner; input from now on is discarded.
  void hand_back() noexcept;
  Protocol& protocol() const noexcept { return *protocol_; }
  bool is_handed_over() const noexcept { return protocol_ != &owner_; }

  std::string_view remote_addr() const noexcept { return remote_addr_; }
  std::uint16_t remote_port() const noexcept { return remote_port_; }
  bool is_tls() const noexcept { return tls_ != nullptr; }
  /// TLS: the protocol agreed on through ALPN ("h2", "http/1.1"), empty if none.
  std::string_view alpn() const noexcept;
  TransportHost& host() const noexcept { return host_; }
  /// The socket, for sendfile(2) (plain connections only).
  int fd() const noexcept { return fd_; }

  // ---- input ----
  /// Received bytes not consumed yet.
  char* input() noexcept { return in_.get() + in_start_; }
  std::size_t input_size() const noexcept { return in_end_ - in_start_; }
  bool has_input() const noexcept { return in_end_ != in_start_; }
  /// The buffer has no room left (it may still be moved or grown).
  bool is_input_full() const noexcept { return in_ && in_end_ == in_cap_; }
  void consume(std::size_t n) noexcept { in_start_ += n; }
  /// Removes n bytes at input() + at (parsed body bytes cut out after a head).
  void cut_input(std::size_t at, std::size_t n) noexcept;
  /// Forgets all input.
  void discard_input() noexcept { in_start_ = in_end_ = 0; }
  /// Gives the buffer back when it holds no input (an idle connection keeps none).
  void release_input() noexcept;
  /// TLS: decrypts what the session holds into the buffer while the protocol wants input;
  /// whether bytes were added. Plain: false.
  bool fill();
  /// TLS: the session may hold input not decrypted yet (fill() would add it).
  bool has_held_input() const noexcept { return tls_unread_; }
  /// TLS: whether the peer's close_notify arrived and was not yet reported; reports it
  /// (reading stops). Call after fill(): the protocol then handles the end of input.
  bool take_tls_close() noexcept;
  /// Whether reading is wanted now: the protocol wants input and nothing holds reading back
  /// (the end of input, the buffer budget, the close).
  bool wants_input() const noexcept;
  /// Starts or stops reading as wants_input() says.
  void update_reading();
  bool peer_closed() const noexcept { return peer_eof_; }

  // ---- output ----
  /// Where the protocol appends bytes to send; flush() sends them.
  std::string& output() noexcept { return out_; }
  /// Bytes queued or being written.
  std::size_t buffered() const noexcept { return out_.size() + writing_.size(); }
  /// Nothing is queued or being written.
  bool is_drained() const noexcept { return out_.empty() && !write_pending_; }
  /// Sends what output() holds; what the socket does not take now is written by libuv.
  void flush();
  /// Flushes before the loop next waits for I/O (one write for what a callback sent); the
  /// protocol's on_input() then runs too.
  void defer_flush();
  bool is_flush_deferred() const noexcept { return flush_deferred_; }
  /// Frees the output storage when nothing is queued.
  void release_output() noexcept;

  // ---- the end ----
  /// Sends TLS close_notify and shuts down the sending side; false if that failed (then
  /// the owner was told, on_failed()).
  bool half_close();
  /// RFC 9112 9.6: half-closes, then reads and discards what the peer still sends, until it
  /// closes (the owner closes the transport then, or at its linger deadline).
  void linger();
  bool is_lingering() const noexcept { return state_ == State::lingering; }
  /// Reports a failure to the owner (a protocol gives up on the connection).
  void fail() { owner_.on_failed(); }
  /// Closes the socket; on_closed() follows from the loop.
  void close() noexcept;
  bool is_closing() const noexcept { return state_ == State::closing; }

  // ---- from the host ----
  /// Runs a flush deferred by defer_flush().
  void run_deferred();
  /// The budget this transport waits for has bytes again.
  void on_budget_returned() noexcept;

 private:
  enum class State : std::uint8_t { open, lingering, closing };

  static void on_alloc(uv_handle_t* h, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void on_write(uv_write_t* w, int status) noexcept;
  static void on_shutdown(uv_shutdown_t* r, int status) noexcept;
  static void on_close(uv_handle_t* h) noexcept;

  bool make_room();
  void drop_buffer() noexcept;
  void end_input() noexcept;
  void on_cipher(const char* data, std::size_t len);
  void tls_fail();
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  uv_handle_t* handle() noexcept { return reinterpret_cast<uv_handle_t*>(&tcp_); }

  TransportHost& host_;
  Protocol& owner_;
  Protocol* protocol_;
  uv_tcp_t tcp_{};
  int fd_ = -1;
  uv_write_t write_req_{};
  std::unique_ptr<char[]> in_;
  std::size_t in_cap_ = 0, in_start_ = 0, in_end_ = 0;
  std::string out_;      // bytes not yet handed to the socket (plaintext under TLS)
  std::string writing_;  // bytes owned by the write in flight
  std::unique_ptr<TlsStream> tls_;
  std::string remote_addr_;
  std::uint16_t remote_port_ = 0;
  State state_ = State::open;
  bool reading_ = false;
  bool write_pending_ = false;
  bool peer_eof_ = false;         // the peer will send nothing more
  bool budget_wait_ = false;      // reading waits for the host's buffer budget
  bool flush_deferred_ = false;   // on the host's list of flushes to run
  bool tls_unread_ = false;       // TLS: ciphertext was fed that may hold more input
  bool tls_peer_closed_ = false;  // TLS: the peer's close_notify arrived
};

}  // namespace swoop::net
