// SPDX-License-Identifier: MIT
// Http1Connection's streamed bodies: responses written over time (and files sent with sendfile),
// and request bodies read by their handler as they arrive.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "runtime/cancellable_awaiter.hpp"
#include "server/body_writer.hpp"
#include "server/http1_connection.hpp"
#include "server/worker.hpp"
#include "swoop/error.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

// One uv_fs_sendfile from a file to the socket on libuv's thread pool.
struct SendFileAwaiter : CancellableAwaiter<SendFileAwaiter> {
  uv_fs_t req{};
  uv_loop_t* loop;
  int out_fd, in_fd;
  std::uint64_t offset;
  std::size_t len;
  ssize_t result = 0;

  SendFileAwaiter(uv_loop_t* loop, int out_fd, int in_fd, std::uint64_t offset, std::size_t len)
      : loop(loop), out_fd(out_fd), in_fd(in_fd), offset(offset), len(len) {}

  bool start() {
    req.data = this;
    const int r =
        uv_fs_sendfile(loop, &req, out_fd, in_fd, static_cast<std::int64_t>(offset), len, &on_done);
    if (r < 0) result = r;
    return r >= 0;
  }
  // uv_cancel works only before the thread pool picked the request; on_done runs either way.
  void stop() noexcept { uv_cancel(reinterpret_cast<uv_req_t*>(&req)); }
  std::size_t await_resume() const {
    if (cancelled || result == UV_ECANCELED) throw Cancelled{};
    if (result == UV_EAGAIN) return 0;
    if (result < 0) throw SystemError(uv_error(static_cast<int>(result)), "sendfile");
    return static_cast<std::size_t>(result);
  }
  static void on_done(uv_fs_t* r) noexcept {
    auto* self = static_cast<SendFileAwaiter*>(r->data);
    self->result = r->result;
    uv_fs_req_cleanup(r);
    self->complete();
  }
};

}  // namespace

// Waits until the socket took enough of a streamed body; cancellation resumes it from the
// loop (never inline, CancelState's rule).
struct Http1Connection::StreamWait : CancellableAwaiter<StreamWait> {
  Http1Connection* c;
  std::size_t mark;

  StreamWait(Http1Connection* c, std::size_t mark) : c(c), mark(mark) {}

  bool start() {
    if (c->is_below(mark) || c->is_stream_broken()) return false;
    c->stream_wait_ = this;
    c->set_deadline(c->worker_.options().response_timeout->count());
    return true;
  }
  void stop() noexcept {
    c->stream_wait_ = nullptr;
    Loop::current().call_soon(waiter);
  }
  void await_resume() const {
    if (cancelled || c->is_stream_broken()) throw Cancelled{};
  }
};

// ---- streamed request bodies -------------------------------------------------------------

// Waits until body bytes arrived, the body ended or failed; cancellation resumes it from the
// loop (never inline, CancelState's rule).
struct Http1Connection::ReadWait : CancellableAwaiter<ReadWait> {
  Http1Connection* c;

  explicit ReadWait(Http1Connection* c) : c(c) {}

  bool start() {
    if (c->is_body_ready()) return false;
    c->read_wait_ = this;
    return true;
  }
  void stop() noexcept {
    c->read_wait_ = nullptr;
    Loop::current().call_soon(waiter);
  }
  void await_resume() const {
    if (cancelled) throw Cancelled{};
  }
};

bool Http1Connection::probe_streamed_body(void* self) noexcept {
  auto* c = static_cast<Http1Connection*>(self);
  const Service& service = c->worker_.service();
  return service.any_stream_body() && c->ex_->route(service).route->stream_body;
}

void Http1Connection::feed_streamed_body() {
  // A malformed body leaves the parser in State::error: read() reports it.
  if (ex_->parser.state() != RequestParser::State::body) return;
  if (ex_->body_in.size() >= body_in_high_water) return;  // the handler reads first
  const RequestParser::State state = ex_->parser.feed(transport_.input(), transport_.input_size());
  if (state == RequestParser::State::error) return;
  const std::size_t arrived = compact_streamed_body();
  // A streamed upload lives as long as its bytes keep coming (request_timeout is the longest
  // wait for the next ones); the handler's own response_timeout starts when the body ends.
  if (ex_->parser.state() != RequestParser::State::body) {
    set_deadline(worker_.options().response_timeout->count());
  } else if (arrived > 0) {
    set_deadline(worker_.options().request_timeout->count());
  }
}

std::size_t Http1Connection::compact_streamed_body() {
  const std::size_t n = ex_->parser.drop_streamed();
  if (n == 0) return 0;
  // The head stays (the Request views it); the parsed body bytes are cut out after it.
  transport_.cut_input(ex_->parser.body_offset(), n);
  return n;
}

bool Http1Connection::is_body_ready() const noexcept {
  return !ex_->body_in.empty() || ex_->parser.state() != RequestParser::State::body ||
         is_stream_broken();
}

Task<std::string> Http1Connection::read() {
  co_await ReadWait{this};
  if (!ex_->body_in.empty()) {
    std::string piece = std::move(ex_->body_in);
    ex_->body_in.clear();
    feed_streamed_body();  // room again: parse what waits in the buffer
    if (transport_.has_held_input())
      pump();  // TLS: what the session holds is not in the socket any more
    else
      transport_.update_reading();
    co_return piece;
  }
  if (ex_->parser.state() == RequestParser::State::error) {
    throw HttpError{400, "malformed request body"};
  }
  if (ex_->parser.state() == RequestParser::State::complete) co_return std::string{};
  throw Cancelled{};
}

// ---- streamed bodies ---------------------------------------------------------------------

void Http1Connection::start_stream(std::shared_ptr<BodySource> source, bool keep) {
  handler_running_ = true;  // the body's writer may still read the request
  phase_ = Phase::streaming;
  stream_keep_ = keep;
  stream_left_ = source->length;
  transport_.flush();  // the head goes out now: event streams want it before the first event
  inline_ = Inline::starting_stream;
  write_body(this, std::move(source)).with_cancel(&RequestBuilder::cancel_state(ex_->req)).start();
  const Inline ended = std::exchange(inline_, Inline::none);
  if (ended != Inline::starting_stream) complete_stream(ended == Inline::stream_ended);
}

void Http1Connection::on_stream_done(bool ok) {
  if (inline_ == Inline::starting_stream) {
    inline_ = ok ? Inline::stream_ended : Inline::stream_cut;
    return;
  }
  complete_stream(ok);
  pump();
}

void Http1Connection::complete_stream(bool ok) {
  handler_running_ = false;
  stream_wait_ = nullptr;
  if (ex_->take_outcome() == Outcome::drop_and_close) {
    start_close();
    return;
  }
  // A body shorter than its Content-Length cannot be framed: the connection must end.
  if (stream_left_ && *stream_left_ != 0) ok = false;
  if (ok && is_chunked()) writer().last_chunk();
  // A cut body is left unterminated, so the client sees it was incomplete.
  end_request(ok && stream_keep_ && !shutting_down_);
}

bool Http1Connection::is_below(std::size_t mark) const noexcept {
  if (mark == 0) return transport_.is_drained();
  return transport_.buffered() < mark;
}

bool Http1Connection::is_stream_broken() const noexcept {
  return transport_.is_closing() || ex_->outcome() != Outcome::send || transport_.peer_closed() ||
         ex_->req.is_cancelled();
}

bool Http1Connection::is_chunked() const noexcept {
  return is_chunked_body(stream_left_, ex_->req.version());
}

void Http1Connection::write(std::string_view data) {
  if (is_stream_broken()) throw Cancelled{};
  if (data.empty()) return;  // an empty chunk would end a chunked body
  if (stream_left_) {
    if (data.size() > *stream_left_) {
      throw std::logic_error("streamed body longer than its declared length");
    }
    *stream_left_ -= data.size();
  }
  if (is_chunked())
    writer().chunk(data);
  else
    transport_.output() += data;
  transport_.flush();
}

Task<void> Http1Connection::wait_below(std::size_t mark) { co_await StreamWait{this, mark}; }

Task<std::size_t> Http1Connection::send_file(int fd, std::uint64_t offset, std::size_t len) {
  if (is_stream_broken()) throw Cancelled{};
  SWOOP_ASSERT(is_below(0), "send_file with bytes still queued");
  if (transport_.is_tls()) co_return 0;  // the bytes must be encrypted: the caller writes pieces
  if (stream_left_) len = static_cast<std::size_t>(std::min<std::uint64_t>(len, *stream_left_));
  const std::size_t sent =
      co_await SendFileAwaiter{worker_.uv_loop(), transport_.fd(), fd, offset, len};
  if (stream_left_) *stream_left_ -= sent;
  co_return sent;
}

void Http1Connection::wake_body_waiter() {
  if (stream_wait_ != nullptr && is_below(stream_wait_->mark)) {
    std::exchange(stream_wait_, nullptr)->complete();
  } else if (read_wait_ != nullptr && is_body_ready()) {
    std::exchange(read_wait_, nullptr)->complete();
  }
}

}  // namespace swoop::detail
