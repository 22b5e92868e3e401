// SPDX-License-Identifier: MIT
// Internal: one accepted socket: reads requests, runs handlers, writes responses in order.
#pragma once

#include <uv.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/request_parser.hpp"
#include "server/response_writer.hpp"
#include "server/service.hpp"
#include "server/worker.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "websocket/session.hpp"

namespace swoop::detail {

class TlsStream;
class Worker;
class WsSession;

/// What a connection holds only while it has a request: the parser and the Request. Pooled
/// by the worker, so that an idle keep-alive connection stays small.
struct Exchange {
  explicit Exchange(const RunOptions& options);
  RequestParser parser;
  Request req;
  Match match;                          // what answers req, once matched
  bool matched = false;                 // match is req's (the head was matched: once per request)
  std::optional<Response> sync_result;  // an async handler that finished inside dispatch()
  std::string body_in;       // a streamed request body: parsed bytes the handler has not read yet
  bool req_is_reset = true;  // req holds nothing of an earlier request (new or given back)
  // An idle connection's output storage, lent to whichever connection takes this exchange
  // next: keep-alive requests reuse it instead of a malloc and free each.
  std::string spare_output;
  static constexpr std::size_t spare_output_max = 16 * 1024;
};

/// A server-side HTTP/1.1 connection.
///
/// Lifetime: created by the Worker on accept, linked into its list; dies only in the close
/// callback of its socket (start_close() begins that; it waits for a running handler first,
/// because the handler holds a reference to the connection's Request). While a streamed body
/// (BodySource) is sent, the connection is its BodySink and counts as running a handler.
class Connection final : public WsTransport, private BodySink, private BodyReader {
 public:
  explicit Connection(Worker& worker);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Accepts a pending connection from server and starts reading; false if that failed.
  bool accept(uv_stream_t* server);
  /// Checks this connection's deadline against now (ms, loop time).
  void on_tick(std::uint64_t now);
  /// Worker shutdown: finish what is in flight, then close; close at once when idle.
  void shut_down();
  /// Grace period over: cancel the handler and drop the connection.
  void force_close();
  /// Between requests with nothing in flight, queued or half-read: an idle keep-alive
  /// connection, which the worker may close to admit a new client at the connection cap.
  bool is_idle() const noexcept {
    return phase_ == Phase::idle && !parsing_ && !handler_running_ && !write_pending_ &&
           out_.empty() && in_end_ == in_start_ && !closing_ && ws_ == nullptr;
  }
  /// The loop time (ms) at which the connection times out; among idle connections, the one
  /// idle longest has the earliest.
  std::uint64_t deadline() const noexcept { return deadline_; }

  // ---- websocket mode (src/websocket/): the connection carries frames for a WsSession ----
  /// Switches to websocket mode from inside the route's handler: queues head (the 101
  /// response), moves the request out of the read buffer and feeds later input to session.
  void ws_upgrade(std::string_view head, WsSession* session);
  /// The session is going away; input is discarded from now on.
  void ws_detach() noexcept override;
  /// Where the session appends frames; ws_flush() starts writing them.
  std::string& ws_out() noexcept override { return out_; }
  /// Writes what the session appended: now, or (the default) before the worker's loop next
  /// waits for I/O, so that the frames sent during one callback (an echo loop over the
  /// queued messages) leave in one write.
  void ws_flush(bool now = false) override;
  /// The worker runs a flush that ws_flush() or on_budget_returned() deferred.
  void run_deferred_flush();
  /// The worker's buffered body budget, which this connection waits for, has bytes again:
  /// ask again before the loop next waits for I/O.
  void on_budget_returned() noexcept;
  /// Bytes queued or being written.
  std::size_t ws_buffered() const noexcept override { return out_.size() + writing_.size(); }
  /// Stop reading and close the sending side once everything queued is written.
  void ws_close_transport() override;
  /// Drops the connection at once (no close handshake).
  void ws_abort() override { start_close(); }
  /// Input may be wanted again (a message was taken): feed held input, read again.
  void ws_resume() override;
  std::uint64_t ws_now() const noexcept override;

  Connection* prev = nullptr;  ///< intrusive list of the worker's connections
  Connection* next = nullptr;

 private:
  enum class Phase { idle, reading, handling, streaming, draining, websocket, closed };

  // Body bytes parsed for a handler that reads them as they arrive; beyond this the parser
  // waits for the handler to read (and then reading from the socket stops).
  static constexpr std::size_t body_in_high_water = 64 * 1024;
  // Responses waiting to be written beyond this stop the parsing of pipelined requests (and
  // then reading), so a client that does not read cannot make the server buffer without
  // bound.
  static constexpr std::size_t write_high_water = 256 * 1024;

  struct StreamWait;
  struct ReadWait;
  friend RootTask run_root(Connection* c, Task<Response> task);
  friend RootTask run_stream(Connection* c, std::shared_ptr<BodySource> source);

  static void on_alloc(uv_handle_t* h, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void on_write(uv_write_t* w, int status) noexcept;
  static void on_shutdown(uv_shutdown_t* r, int status) noexcept;
  static void on_close(uv_handle_t* h) noexcept;

  void on_data();
  void on_peer_closed();
  bool wants_input() const noexcept;
  void ws_on_eof();
  void on_tls_read(const char* data, std::size_t len);
  bool tls_fill();
  void tls_fail();
  void tls_close_notify();
  void wake_body_waiter();
  void process_input();
  const Match& route() noexcept;
  void dispatch();
  void finish(Response& res);
  void end_request(bool keep_alive);
  void start_stream(std::shared_ptr<BodySource> source, bool keep_alive);
  void on_stream_done(bool ok);
  void complete_stream(bool ok);
  bool is_below(std::size_t mark) const noexcept;
  bool is_stream_broken() const noexcept;
  static bool probe_streamed_body(void* self) noexcept;
  void feed_streamed_body();
  std::size_t compact_streamed_body();
  bool is_body_ready() const noexcept;
  Task<std::string> read() override;
  void write(std::string_view data) override;
  Task<void> wait_below(std::size_t mark) override;
  Task<std::size_t> send_file(int fd, std::uint64_t offset, std::size_t len) override;
  void finish_error(int status, std::string_view message, bool close);
  void on_async_done(std::optional<Response> res, std::exception_ptr error);
  void start_async(Task<Response> task);
  ResponseWriter writer() noexcept { return {out_, worker_.server_and_date_lines()}; }
  void flush();
  void pump();
  void update_reading();
  void start_linger();
  bool half_close();
  void start_close();
  bool make_room();
  void cancel_handler() noexcept;
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  uv_handle_t* handle() noexcept { return reinterpret_cast<uv_handle_t*>(&tcp_); }
  void release_buffer_if_idle();
  void take_exchange();
  void drop_read_buffer() noexcept;
  void set_deadline(std::uint64_t ms);
  void ws_read(ssize_t nread);
  void ws_process();
  void ws_pump();

  Worker& worker_;
  uv_tcp_t tcp_{};
  int fd_ = -1;  // the socket, for send(2)
  uv_write_t write_req_{};
  std::unique_ptr<Exchange> ex_;  // while a request is parsed, handled or upgraded

  std::unique_ptr<char[]> in_;
  std::size_t in_cap_ = 0, in_start_ = 0, in_end_ = 0;
  std::string out_;      // responses not yet handed to libuv
  std::string writing_;  // bytes owned by the write in flight
  std::size_t written_ = 0;

  Phase phase_ = Phase::idle;
  std::uint64_t deadline_ = 0;
  std::string remote_addr_;
  std::uint16_t remote_port_ = 0;
  std::uint64_t request_started_ = 0;
  bool parsing_ = false;          // a request has begun in the parser
  bool handler_running_ = false;  // an async handler holds req_
  bool dispatching_ = false;      // inside dispatch(): an async completion is stored, not run
  bool write_pending_ = false;
  bool flush_deferred_ = false;  // on the worker's list of flushes to run
  bool budget_wait_ = false;     // reading waits for the worker's buffered body budget
  bool reading_ = false;
  bool close_after_write_ = false;  // the last response is queued; then shut down
  bool abandon_ = false;            // the response of the running handler is not wanted
  bool close_when_done_ = false;    // close as soon as the running handler finishes
  bool peer_eof_ = false;           // the peer will send nothing more
  bool closing_ = false;            // uv_close was called
  bool shutting_down_ = false;      // worker shutdown asked us to finish
  bool ws_close_ = false;           // websocket: shut down sending once drained
  bool ws_shutdown_sent_ = false;
  std::unique_ptr<TlsStream> tls_;      // HTTPS: the session between the socket and the buffers
  bool tls_unread_ = false;             // TLS: ciphertext was fed that may hold more input
  bool tls_peer_closed_ = false;        // TLS: the peer's close_notify arrived
  WsSession* ws_ = nullptr;             // websocket mode, until the session detaches
  std::unique_ptr<char[]> ws_request_;  // the upgrade request, moved out of the read buffer

  // A streamed body being sent (handler_running_ is true meanwhile).
  StreamWait* stream_wait_ = nullptr;         // the body's writer, waiting for the socket
  std::optional<std::uint64_t> stream_left_;  // declared length not yet sent
  bool stream_chunked_ = false;               // framed with chunked transfer coding
  bool stream_keep_ = false;                  // keep-alive once the body is complete
  bool stream_starting_ = false;              // inside start_stream(): completion is deferred
  bool stream_done_inline_ = false;           // the body completed inside start_stream()
  bool stream_ok_inline_ = false;

  // A request body read by its handler as it arrives (RouteOptions::stream_body).
  ReadWait* read_wait_ = nullptr;  // the handler, waiting for body bytes
  bool body_streaming_ = false;    // the current request's handler runs while its body arrives
  bool body_error_ = false;        // the streamed body was malformed
};

}  // namespace swoop::detail
