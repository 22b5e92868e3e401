// SPDX-License-Identifier: MIT
// Internal: HTTP/2 (RFC 9113) on a transport, with nghttp2 for framing, HPACK and flow control:
// each stream is one exchange through the same Service as HTTP/1.1.
#pragma once

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/transport.hpp"
#include "server/exchange.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"

namespace swoop::detail {

class Worker;
class Http2Session;

/// One HTTP/2 stream: its request, rebuilt as an HTTP/1.1-style head in `buf` (so that the
/// HTTP/1.1 head validator checks it and the Request views it as usual) followed by its body,
/// and its answer until the stream closes. On a stream_body route the handler starts once
/// the head is complete and reads the body as it arrives: the client gets credit for the bytes
/// the handler took (WINDOW_UPDATE), so the stream window bounds what waits unread.
///
/// Lifetime: owned by its session; lives until nghttp2 closed the stream and its handler ended.
class Http2Stream final : public Exchange,
                          private ExchangeHost,
                          private RequestHost,
                          private BodySink,
                          private BodyReader {
 public:
  Http2Stream(Http2Session& session, std::int32_t id);

  /// A request header field (nghttp2 checked the field and the pseudo-header rules).
  void add_field(std::string_view name, std::string_view value);
  /// The header block ended (with the request when `ended`): the head is complete; false
  /// when it was refused (answered).
  bool end_head(bool ended);
  /// Request body bytes.
  void add_body(std::string_view data);
  /// The request is complete: ready to dispatch.
  void end_request();
  /// Runs the handler (after the read that completed the request).
  void start();
  /// nghttp2 closed the stream (answered, reset by either side, or the connection ended).
  void on_closed();
  /// nghttp2's data source read: how many body bytes (up to len) the next DATA frame carries,
  /// or that the body is deferred (a streamed body waits for its writer), ended (flags), or
  /// cut. The bytes are not copied (NGHTTP2_DATA_FLAG_NO_COPY): send_body() appends them.
  std::ptrdiff_t read_body(std::size_t len, std::uint32_t* flags);
  /// Appends the n body bytes the last read_body() announced to out (after the frame's head).
  void send_body(std::string& out, std::size_t n);
  /// Resumes a streamed body's writer once what it waits for was sent, and a handler reading
  /// its body once bytes arrived (outside nghttp2's callbacks).
  void resume_waiters();
  /// Checks the stream's deadline: a request that does not arrive in time gets 408, a handler
  /// that does not answer in time 503 (and is cancelled), an answer whose bytes wait that long
  /// for a window the client does not open is reset (CANCEL; its writer is cancelled).
  void on_tick(std::uint64_t now);

  std::int32_t id() const noexcept { return id_; }
  std::size_t held = 0;    ///< body bytes drawn on the worker's budget
  std::size_t unpaid = 0;  ///< body bytes kept that the budget did not cover yet
  bool is_ready() const noexcept { return state_ == State::ready; }
  /// Whether nothing holds the stream any more: it may be destroyed.
  /// Whether a streamed body's writer runs (it holds the stream and reads req).
  bool is_writing() const noexcept { return writing_; }
  bool is_done() const noexcept { return state_ == State::closed && !is_running() && !writing_; }

 private:
  enum class State : std::uint8_t {
    head,      // header fields arrive
    body,      // body bytes arrive
    ready,     // the request is complete, its dispatch waits for the read to end
    handling,  // its handler runs
    sending,   // the answer is submitted
    closed,    // nghttp2 is done with the stream
  };

  // ExchangeHost
  void on_handler_start() override {}
  void send_answer(Response& res, bool later) override;
  void on_answer_dropped(Outcome outcome) override;
  // BodySink
  void write(std::string_view data) override;
  bool write_lent(std::string_view data) override;
  Task<void> wait_below(std::size_t mark) override;
  Task<std::size_t> send_file(int fd, std::uint64_t offset, std::size_t len) override;
  // BodyReader
  Task<std::string> read() override;
  // RequestHost
  const FormLimits& form_limits() const noexcept override;
  bool json_any_content_type() const noexcept override;
  net::Transport& switch_protocols(const Response& response) override;

  struct WriterWait;
  struct ReadWait;
  template <typename Sink>
  friend RootTask write_body(Sink* sink, std::shared_ptr<BodySource> source);

  void start_line();
  bool answers_continue(bool ended);
  void end_reading();
  void refuse(int status, std::string_view reason);
  void submit(Response& res);
  void on_stream_done(bool ok);
  bool is_stream_broken() const noexcept;
  bool is_send_blocked() const noexcept;
  void count_written(std::size_t n);
  std::size_t queued() const noexcept { return queue_.size() - queue_at_ + lent_.size(); }

  Http2Session& session_;
  std::int32_t id_;
  State state_ = State::head;
  std::string buf_;  // the head as HTTP/1.1 text, then the body
  std::string method_, path_, authority_, cookies_;
  std::size_t head_size_ = 0;       // decoded field bytes (RFC 9113 6.5.2: name + value + 32 each)
  std::size_t head_len_ = 0;        // the head's length in buf_ once complete
  int refused_ = 0;                 // a status the head earned before it ended (431), or reset_sent
  bool line_written_ = false;       // the request line is in buf_
  std::optional<Response> answer_;  // what is being sent, until the stream closes
  std::size_t body_sent_ = 0;
  std::uint64_t started_ = 0;
  std::uint64_t deadline_ = 0;
  // A streamed body: what its writer queued and nghttp2 did not take yet (never both queue_
  // and lent_ at once).
  std::string queue_;
  std::size_t queue_at_ = 0;
  std::string_view lent_;              // or bytes its writer keeps until the queue drained
  std::optional<std::uint64_t> left_;  // declared length not yet written
  WriterWait* wait_ = nullptr;         // the writer, waiting for the queue to drain
  bool writing_ = false;               // the writer runs (it may read req)
  bool cut_ = false;                   // the writer failed: the stream is reset
  bool sends_body_ = false;            // the answer has a body (not HEAD, 204, 304...)
  bool stalled_ = false;               // its bytes waited response_timeout for the client's window
  // A body read as it arrives (stream_body): what came and the handler did not read yet.
  std::string body_in_;
  ReadWait* read_wait_ = nullptr;  // the handler, waiting for body bytes
  bool streaming_ = false;         // the handler reads the body (until its answer)
  bool body_ended_ = false;        // the client ended the request (END_STREAM)
};

/// Allows `burst` events at once and `per_second` more each second: how often a client may
/// reset streams or send control frames before the session calls it an attack.
class TokenBucket {
 public:
  TokenBucket(std::uint32_t burst, std::uint32_t per_second, std::uint64_t now) noexcept
      : burst_(std::uint64_t{burst} * 1000), rate_(per_second), milli_(burst_), at_(now) {}
  /// Takes a token; false when none is left.
  bool take(std::uint64_t now) noexcept {
    milli_ = std::min(burst_, milli_ + (now - at_) * rate_);
    at_ = now;
    if (milli_ < 1000) return false;
    milli_ -= 1000;
    return true;
  }

 private:
  std::uint64_t burst_, rate_, milli_, at_;  // thousandths of a token; ms loop time
};

/// An HTTP/2 connection after the switch from the HTTP/1.1 connection that accepted it (the
/// client preface was seen, or TLS agreed on "h2"): the transport's input goes to nghttp2, its
/// frames to the transport; streams are dispatched once their request is complete.
///
/// Lifetime: owned by that connection, which stays the transport's owner; the session tells it
/// to close (Transport::fail) when done, and it may close only once has_running() is false.
class Http2Session final : private net::Protocol {
 public:
  Http2Session(Worker& worker, net::Transport& transport);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  /// Takes the transport over, sends the server's SETTINGS and reads what the transport holds.
  void start();
  /// Whether a handler or a streamed body's writer still holds a stream.
  bool has_running() const noexcept;
  /// No stream, nothing to send or read, no GOAWAY yet: the worker may close it (evict()) to
  /// admit a new client at the connection cap; idle_deadline() orders such sessions.
  bool is_idle() const noexcept;
  std::uint64_t idle_deadline() const noexcept;
  /// Ends an idle session: GOAWAY, then the connection closes.
  void evict();
  /// The owner wants the connection closed (it failed, or the grace period is over) and
  /// waits for the running handlers: once they ended, the session asks again at once, without
  /// waiting for its output to drain or lingering.
  void close_when_done() noexcept { close_wanted_ = true; }

  Worker& worker() const noexcept { return worker_; }
  net::Transport& transport() const noexcept { return transport_; }
  nghttp2_session* native() const noexcept { return session_; }
  /// A stream's request is complete: it is dispatched once the current read ends.
  void on_ready(std::int32_t id);
  /// A stream received n body bytes: the client gets credit for them (WINDOW_UPDATE) once the
  /// worker's buffered-body budget holds them, kept (true) or not.
  void take_body(Http2Stream& st, std::size_t n, bool kept);
  /// n body bytes of a stream are read or dropped: the client may send as many again.
  void credit(Http2Stream& st, std::size_t n);
  /// The server reset a stream because of what the client sent: counts against the client's
  /// reset budget (the connection ends with ENHANCE_YOUR_CALM when it is spent).
  void count_reset();
  /// Something changed outside nghttp2's callbacks (an answer, a handler's end): the session
  /// sends and tidies up before the loop next waits for I/O.
  void wake();
  /// Buffers a response's header fields are built in (nghttp2 copies them).
  std::string& scratch_names() noexcept { return names_; }
  std::vector<nghttp2_nv>& scratch_fields() noexcept { return fields_; }

 private:
  friend struct Http2Callbacks;

  // net::Protocol
  bool wants_input() const noexcept override;
  void on_input() override;
  void on_input_full() override;
  void on_peer_closed() override;
  void on_written() override;
  void on_tick(std::uint64_t now) override;
  void shut_down() override;
  void abort() noexcept override;

  void process();
  bool check_frame(std::uint8_t type, std::uint8_t flags, std::int32_t id, std::size_t length);
  void fail_fatally(int error);
  void send_notice();
  void send_last_goaway();
  void send();
  void dispatch_ready();
  void collect();
  void grant(Http2Stream& st);
  void end();
  Http2Stream* find(std::int32_t id) const noexcept;

  Worker& worker_;
  net::Transport& transport_;
  nghttp2_session* session_ = nullptr;
  std::vector<std::unique_ptr<Http2Stream>> streams_;
  std::vector<std::int32_t> ready_;  // streams whose request completed during this read
  std::string names_;                // see scratch_names()
  std::vector<nghttp2_nv> fields_;
  TokenBucket resets_;   // RST_STREAM from the client, and resets it provoked
  TokenBucket control_;  // PING, SETTINGS, PRIORITY, empty DATA
  std::vector<std::pair<std::int32_t, std::int64_t>> windows_;  // see check_windows
  std::int64_t peer_window_ = 65535;  // the client's SETTINGS_INITIAL_WINDOW_SIZE
  std::size_t block_bytes_ = 0;       // the header block being received: its size so far
  std::uint32_t block_frames_ = 0;    // and its frames (HEADERS, then CONTINUATION)
  std::size_t body_held_ = 0;         // request body bytes drawn on the worker's budget
  std::uint64_t idle_since_ = 0;  // the last stream ended, the session began ending or lingering
  // The server's GOAWAY (RFC 9113 6.8): at shutdown (and during the drain) first a notice with
  // the highest stream id and a PING, then, once the PING came back (a round trip, so requests
  // already on their way are counted), the last one with the last stream id processed.
  enum class Goaway : std::uint8_t { none, notice, last };
  Goaway goaway_ = Goaway::none;
  bool notice_acked_ = false;  // the notice's PING came back
  bool stopping_ = false;      // the worker shuts down: the last GOAWAY follows the notice
  bool evicted_ = false;       // closed at the connection cap: no linger after the GOAWAY
  bool close_wanted_ = false;  // see close_when_done()
  bool paused_ = false;        // send_data paused mem_send with a batch of output (send())
  std::uint64_t notice_at_ = 0;
  bool ending_ = false;  // nghttp2 is done (or the connection failed): close once no handler runs
};

}  // namespace swoop::detail
