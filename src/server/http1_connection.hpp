// SPDX-License-Identifier: MIT
// Internal: one HTTP/1.1 connection: reads requests, runs handlers, writes responses in order.
#pragma once

#include <uv.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/transport.hpp"
#include "server/exchange.hpp"
#include "server/http2_session.hpp"
#include "server/request_parser.hpp"
#include "server/response_writer.hpp"
#include "server/service.hpp"
#include "server/worker.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"

namespace swoop::detail {

class Worker;

/// What a connection holds only while it has a request: the parser and the exchange. Pooled
/// by the worker, so that an idle keep-alive connection stays small.
struct Http1Exchange : Exchange {
  explicit Http1Exchange(const RunOptions& options);
  RequestParser parser;
  std::string body_in;  // a streamed request body: parsed bytes the handler has not read yet
  // An idle connection's output storage, lent to whichever connection takes this exchange
  // next: keep-alive requests reuse it instead of a malloc and free each.
  std::string spare_output;
  static constexpr std::size_t spare_output_max = 16 * 1024;
};

/// A server-side HTTP/1.1 connection: the parse, dispatch and write cycle on a Transport,
/// with pipelining; streamed bodies both ways (body_stream.cpp); the switch to another
/// protocol that takes the transport over: a websocket, or HTTP/2 when the first bytes are its
/// preface (or TLS agreed on "h2").
///
/// Lifetime: created by the Worker on accept, linked into its list; dies only in the close
/// callback of its transport (start_close() begins that; it waits for a running handler
/// first, because the handler holds a reference to the connection's Request). While a
/// streamed body (BodySource) is sent, the connection is its BodySink and counts as running a
/// handler; after a protocol switch it holds the handler (and its Request) until it ends.
class Http1Connection final : private net::Protocol,
                              private ExchangeHost,
                              private RequestHost,
                              private BodySink,
                              private BodyReader {
 public:
  explicit Http1Connection(Worker& worker) noexcept;
  ~Http1Connection();
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  /// Accepts a pending connection from server and starts reading; false if that failed.
  bool accept(uv_stream_t* server);
  /// Checks this connection's deadline against now (ms, loop time).
  void on_tick(std::uint64_t now) override;
  /// Worker shutdown: finish what is in flight, then close; close at once when idle.
  void shut_down() override;
  /// Grace period over: cancel the handler and drop the connection.
  void force_close();
  /// Between requests with nothing in flight, queued or half-read: an idle keep-alive
  /// connection, which the worker may close to admit a new client at the connection cap.
  /// An HTTP/2 connection is idle with no stream open.
  bool is_idle() const noexcept {
    if (phase_ == Phase::h2) return is_idle_h2();
    return phase_ == Phase::idle && !parsing_ && !handler_running_ && transport_.is_drained() &&
           !transport_.has_input() && !transport_.is_closing();
  }
  /// The loop time (ms) at which the connection times out; among idle connections, the one
  /// idle longest has the earliest.
  std::uint64_t deadline() const noexcept;
  /// Closes an idle connection to admit a new client (an HTTP/2 one says GOAWAY first).
  void evict();

  Http1Connection* prev = nullptr;  ///< intrusive list of the worker's connections
  Http1Connection* next = nullptr;

 private:
  enum class Phase : std::uint8_t {
    idle,       // between requests
    reading,    // a request head or body arrives
    handling,   // its handler runs
    streaming,  // a streamed response body is sent
    lingering,  // the last response went out; the transport lingers before closing
    upgraded,   // another protocol has the transport (or had it, until the handler ends)
    h2,         // an HTTP/2 session has the transport, until the connection ends
    closed,
  };
  // What the first bytes of a connection say it speaks.
  enum class Speaks : std::uint8_t { unknown, http1, http2 };

  // A streamed body's end that happened inside the call that started it, kept for that call
  // to finish.
  enum class Inline : std::uint8_t { none, starting_stream, stream_ended, stream_cut };

  // Body bytes parsed for a handler that reads them as they arrive; beyond this the parser
  // waits for the handler to read (and then reading from the socket stops).
  static constexpr std::size_t body_in_high_water = 64 * 1024;
  // Responses waiting to be written beyond this stop the parsing of pipelined requests (and
  // then reading), so a client that does not read cannot make the server buffer without
  // bound.
  static constexpr std::size_t write_high_water = 256 * 1024;

  struct StreamWait;
  struct ReadWait;
  template <typename Sink>
  friend RootTask write_body(Sink* sink, std::shared_ptr<BodySource> source);

  // net::Protocol
  bool wants_input() const noexcept override;
  void on_input() override;
  void on_input_full() override;
  void on_peer_closed() override;
  void on_written() override;
  bool input_movable() const noexcept override;
  std::size_t input_wanted() const noexcept override;
  void on_plain_text() override;
  void on_failed() override;
  void on_closed() noexcept override;
  // ExchangeHost
  void on_handler_start() override;
  void send_answer(Response& res, bool later) override;
  void on_answer_dropped(Outcome outcome) override;
  // RequestHost
  const FormLimits& form_limits() const noexcept override;
  bool json_any_content_type() const noexcept override;
  net::Transport& switch_protocols(const Response& response) override;

  void process_input();
  Speaks sniff(std::size_t avail) noexcept;
  bool is_idle_h2() const noexcept;
  void start_http2();
  void dispatch();
  void finish(Response& res);
  void end_request(bool keep_alive);
  void start_stream(std::shared_ptr<BodySource> source, bool keep_alive);
  void on_stream_done(bool ok);
  void complete_stream(bool ok);
  bool is_below(std::size_t mark) const noexcept;
  bool is_stream_broken() const noexcept;
  bool is_chunked() const noexcept;
  static bool probe_streamed_body(void* self) noexcept;
  void feed_streamed_body();
  std::size_t compact_streamed_body();
  bool is_body_ready() const noexcept;
  Task<std::string> read() override;
  void write(std::string_view data) override;
  Task<void> wait_below(std::size_t mark) override;
  Task<std::size_t> send_file(int fd, std::uint64_t offset, std::size_t len) override;
  void wake_body_waiter();
  void finish_error(int status, std::string_view message, bool close);
  void end_upgraded(Outcome outcome);
  ResponseWriter writer() noexcept;
  void pump();
  void pump_upgraded();
  void start_close();
  void release_if_idle();
  void take_exchange();
  void set_deadline(std::uint64_t ms);

  Worker& worker_;
  net::Transport transport_;
  std::unique_ptr<Http1Exchange> ex_;         // while a request is parsed, handled or upgraded
  std::unique_ptr<char[]> upgraded_request_;  // the upgrade request, moved out of the buffer
  std::unique_ptr<Http2Session> h2_;          // the HTTP/2 session the transport went to

  Phase phase_ = Phase::idle;
  Inline inline_ = Inline::none;
  bool fresh_ = true;               // no request has begun yet (HTTP/2 may start instead)
  bool parsing_ = false;            // a request has begun in the parser
  bool handler_running_ = false;    // a handler (or a streamed body's writer) holds ex_->req
  bool close_after_write_ = false;  // the last response is queued; then the connection ends
  bool shutting_down_ = false;      // worker shutdown asked us to finish
  bool body_streaming_ = false;     // the handler runs while its request body arrives
  bool stream_keep_ = false;        // a streamed response: keep-alive once it is complete
  std::uint64_t deadline_ = 0;
  std::uint64_t request_started_ = 0;

  // A streamed response body being sent (handler_running_ is true meanwhile).
  StreamWait* stream_wait_ = nullptr;         // the body's writer, waiting for the socket
  std::optional<std::uint64_t> stream_left_;  // declared length not yet sent
  // A request body read by its handler as it arrives (RouteOptions::stream_body).
  ReadWait* read_wait_ = nullptr;  // the handler, waiting for body bytes
};

}  // namespace swoop::detail
