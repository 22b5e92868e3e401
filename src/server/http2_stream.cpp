// SPDX-License-Identifier: MIT
// Http2Stream: an HTTP/2 request rebuilt as an HTTP/1.1 head for the head validator, its
// dispatch through the Service, and its answer as HEADERS and DATA frames.
#include <nghttp2/nghttp2.h>

#include <charconv>
#include <vector>

#include "http/grammar.hpp"
#include "runtime/cancellable_awaiter.hpp"
#include "server/access_log.hpp"
#include "server/body_writer.hpp"
#include "server/head_validator.hpp"
#include "server/http2_session.hpp"
#include "server/response_writer.hpp"
#include "server/worker.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {

// Http2Stream::refused_ after the stream was reset for a header list far past the limit.
constexpr int reset_sent = -1;

// Response fields HTTP/2 does not carry (RFC 9113 8.2.2), and those the server writes itself.
bool is_dropped_field(std::string_view name) noexcept {
  return iequals(name, "connection") || iequals(name, "keep-alive") ||
         iequals(name, "proxy-connection") || iequals(name, "transfer-encoding") ||
         iequals(name, "upgrade") || iequals(name, "content-length");
}

nghttp2_nv field(std::string_view name, std::string_view value) noexcept {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

ssize_t read_answer(nghttp2_session*, std::int32_t, std::uint8_t*, std::size_t len,
                    std::uint32_t* flags, nghttp2_data_source* source, void*) {
  return static_cast<Http2Stream*>(source->ptr)->read_body(len, flags);
}

}  // namespace

Http2Stream::Http2Stream(Http2Session& session, std::int32_t id) : session_(session), id_(id) {
  RequestBuilder::set_host(req, this);
  begin();
  started_ = session.worker().now();
  deadline_ =
      started_ + static_cast<std::uint64_t>(session.worker().options().request_timeout->count());
}

// ---- the request -------------------------------------------------------------------------

void Http2Stream::add_field(std::string_view name, std::string_view value) {
  if (refused_ == reset_sent) return;
  head_size_ += name.size() + value.size() + 32;
  const std::size_t limit = session_.worker().options().max_header_size;
  if (head_size_ > 4 * limit) {
    // An HPACK bomb (a few bytes referring to a large table entry many times): nghttp2 keeps
    // decoding the block, which its size bounds, and nothing more of it is looked at.
    refused_ = reset_sent;
    nghttp2_submit_rst_stream(session_.native(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_ENHANCE_YOUR_CALM);
    session_.count_reset();
    return;
  }
  if (head_size_ > limit) refused_ = 431;
  if (refused_ != 0) return;  // nothing more is kept (a header list past the limit)
  if (name.starts_with(':')) {
    if (name == ":method") method_ = value;
    if (name == ":path") path_ = value;
    if (name == ":authority") authority_ = value;
    return;  // :scheme is checked by nghttp2 and not needed here
  }
  if (!line_written_) start_line();
  if (name == "cookie") {  // crumbs are joined into one field (RFC 9113 8.2.3)
    if (!cookies_.empty()) cookies_ += "; ";
    cookies_ += value;
    return;
  }
  if (name == "host" && !authority_.empty()) return;  // :authority stands for it (8.3.1)
  buf_.append(name).append(": ").append(value).append("\r\n");
}

void Http2Stream::start_line() {
  line_written_ = true;
  buf_.reserve(method_.size() + path_.size() + authority_.size() + head_size_ + 256);
  buf_.append(method_).append(" ").append(path_).append(" HTTP/1.1\r\n");
  if (!authority_.empty()) buf_.append("host: ").append(authority_).append("\r\n");
}

bool Http2Stream::end_head(bool ended) {
  const RunOptions& o = session_.worker().options();
  if (refused_ == reset_sent) return false;
  if (refused_ != 0) {
    refuse(refused_, "request head too large");
    return false;
  }
  if (!line_written_) start_line();
  if (!cookies_.empty()) buf_.append("cookie: ").append(cookies_).append("\r\n");
  buf_.append("\r\n");
  head_len_ = buf_.size();
  HeadLayout layout;
  RequestHeaders& fields = RequestBuilder::headers(req);
  Access::clear(fields);
  const HeadError e = validate_head(
      buf_.data(), head_len_, {.max_target = o.max_target_size, .max_fields = o.max_header_count},
      layout, fields);
  if (e.status != 0) {
    refuse(e.status, e.reason);
    return false;
  }
  RequestBuilder::set_base(req, buf_.data());
  RequestBuilder::set_head(req, layout, 20);
  RequestBuilder::set_keep_alive(req, true);
  if (!RequestBuilder::decode_path(req)) {
    refuse(400, "malformed request target");
    return false;
  }
  const Service& service = session_.worker().service();
  // On a stream_body route the handler runs at once and reads the body as it arrives
  // (max_body_size does not apply); elsewhere a declared length past it is refused first.
  const bool streams = service.any_stream_body() && route(service).route->stream_body;
  const auto length = req.headers().get("content-length");
  std::uint64_t declared = 0;
  if (!streams && length &&
      std::from_chars(length->data(), length->data() + length->size(), declared).ec ==
          std::errc{} &&
      declared > o.max_body_size) {
    refuse(413, "request body too large");
    return false;
  }
  if (!answers_continue(ended)) return false;
  if (streams) {
    streaming_ = true;
    body_ended_ = ended;
    RequestBuilder::set_body_reader(req, this);
    RequestBuilder::set_body_span(req, static_cast<std::uint32_t>(head_len_), 0);
    state_ = State::ready;
    session_.on_ready(id_);
    return true;
  }
  state_ = State::body;
  return true;
}

// Expect: 100-continue (RFC 9110 10.1.1) is answered with an interim 100 once the head is
// accepted and a body is still to come; any other expectation with 417.
bool Http2Stream::answers_continue(bool ended) {
  const auto expect = req.headers().get("expect");
  if (!expect) return true;
  if (!iequals(*expect, "100-continue")) {
    refuse(417, "unsupported expectation");
    return false;
  }
  if (!ended) {
    const nghttp2_nv status = field(":status", "100");
    nghttp2_submit_headers(session_.native(), NGHTTP2_FLAG_NONE, id_, nullptr, &status, 1, nullptr);
  }
  return true;
}

void Http2Stream::add_body(std::string_view data) {
  if (streaming_) {
    body_in_.append(data);
    const Worker& w = session_.worker();
    deadline_ = w.now() + static_cast<std::uint64_t>(w.options().request_timeout->count());
    return;
  }
  if (state_ == State::body &&
      buf_.size() - head_len_ + data.size() > session_.worker().options().max_body_size) {
    refuse(413, "request body too large");
  }
  if (state_ != State::body) {  // refused: the rest is not kept
    session_.take_body(*this, data.size(), false);
    return;
  }
  buf_.append(data);
  session_.take_body(*this, data.size(), true);
}

void Http2Stream::end_request() {
  if (streaming_ && !body_ended_) {
    body_ended_ = true;
    if (state_ == State::handling) {  // the handler's own time starts when the body ended
      const Worker& w = session_.worker();
      deadline_ = w.now() + static_cast<std::uint64_t>(w.options().response_timeout->count());
    }
    return;
  }
  if (state_ != State::body) return;
  RequestBuilder::set_base(req, buf_.data());  // the body may have moved the buffer
  RequestBuilder::set_body_span(req, static_cast<std::uint32_t>(head_len_),
                                static_cast<std::uint32_t>(buf_.size() - head_len_));
  state_ = State::ready;
  session_.on_ready(id_);
}

void Http2Stream::start() {
  const net::Transport& t = session_.transport();
  RequestBuilder::set_peer(req, t.remote_addr(), t.remote_port(), t.is_tls());
  state_ = State::handling;
  // While a streamed upload arrives, the deadline is the wait for its next bytes.
  const RunOptions& o = session_.worker().options();
  const bool uploading = streaming_ && !body_ended_;
  deadline_ =
      session_.worker().now() +
      static_cast<std::uint64_t>((uploading ? o.request_timeout : o.response_timeout)->count());
  dispatch(session_.worker().service(), *this);
}

// ---- the answer --------------------------------------------------------------------------

void Http2Stream::send_answer(Response& res, bool later) {
  end_reading();
  if (state_ == State::closed) return;  // reset meanwhile: nobody wants it
  submit(res);
  if (later) session_.wake();
}

void Http2Stream::on_answer_dropped(Outcome) {
  end_reading();
  session_.wake();
}

void Http2Stream::refuse(int status, std::string_view reason) {
  Response r{status};
  r.set_body(std::string{reason}, "text/plain; charset=utf-8");
  submit(r);
}

void Http2Stream::submit(Response& res) {
  state_ = State::sending;
  answer_.emplace(std::move(res));
  const Response& r = *answer_;
  const Worker& worker = session_.worker();
  const bool head = req.method() == "HEAD";
  char status[4];
  std::to_chars(status, status + 3, r.status());
  char length[24];
  std::string_view length_value;
  const auto& source = Access::body_source(r);
  if (allows_body(r.status()) && (!r.is_streamed() || source->length)) {
    const std::uint64_t n = r.is_streamed() ? *source->length : r.body().size();
    auto [end, ec] = std::to_chars(length, length + sizeof length, n);
    length_value = {length, static_cast<std::size_t>(end - length)};
  }
  // Field names go lowercase (RFC 9113 8.2.1); nghttp2 copies names and values, so the
  // session's scratch buffers serve every response.
  std::string& names = session_.scratch_names();
  std::vector<nghttp2_nv>& nv = session_.scratch_fields();
  names.clear();
  nv.clear();
  nv.push_back(field(":status", {status, 3}));
  const std::string_view pending = Access::pending_content_type(r);
  if (!pending.empty()) nv.push_back(field("content-type", pending));
  static const Headers no_fields;
  const Headers& fields = pending.empty() ? r.headers() : no_fields;
  std::size_t name_bytes = 0;
  for (const auto& f : fields) name_bytes += f.name.size();
  names.reserve(name_bytes);
  bool has_server = false, has_date = false;
  for (const auto& f : fields) {
    if (is_dropped_field(f.name)) continue;
    const std::size_t at = names.size();
    for (char c : f.name) names += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const std::string_view name{names.data() + at, f.name.size()};
    has_server = has_server || name == "server";
    has_date = has_date || name == "date";
    nv.push_back(field(name, f.value));
  }
  if (!length_value.empty()) nv.push_back(field("content-length", length_value));
  if (!has_server) nv.push_back(field("server", "swoop"));
  if (!has_date) nv.push_back(field("date", worker.date()));
  const bool body = sends_body(r.status(), head) && (r.is_streamed() || !r.body().empty());
  sends_body_ = body;
  deadline_ = worker.now() + static_cast<std::uint64_t>(worker.options().response_timeout->count());
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = &read_answer;
  const int rv = nghttp2_submit_response(session_.native(), id_, nv.data(), nv.size(),
                                         body ? &provider : nullptr);
  if (rv != 0) {
    nghttp2_submit_rst_stream(session_.native(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  if (worker.options().access_log != AccessLog::off) {
    write_access(worker.options().access_log, answer_record(session_.transport().remote_addr(), req,
                                                            r, body, worker.now() - started_));
  }
  if (body && r.is_streamed()) {
    writing_ = true;
    left_ = source->length;
    write_body(this, source).with_cancel(&RequestBuilder::cancel_state(req)).start();
  }
}

std::ptrdiff_t Http2Stream::read_body(std::size_t len, std::uint32_t* flags) {
  const Worker& w = session_.worker();  // progress: the stall deadline moves on
  deadline_ = w.now() + static_cast<std::uint64_t>(w.options().response_timeout->count());
  // The bytes are not copied here: nghttp2 calls send_body() with the frame (NO_COPY).
  *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (answer_->is_streamed()) {
    if (cut_) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // RST_STREAM INTERNAL_ERROR
    const std::size_t n = std::min(len, queued());
    if (n == 0 && writing_) return NGHTTP2_ERR_DEFERRED;  // resumed by the next write
    if (!writing_ && queued() == n) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<std::ptrdiff_t>(n);
  }
  const std::size_t left = answer_->body().size() - body_sent_;
  const std::size_t n = std::min(len, left);
  if (n == left) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<std::ptrdiff_t>(n);
}

void Http2Stream::send_body(std::string& out, std::size_t n) {
  if (!lent_.empty()) {
    out.append(lent_.data(), n);
    lent_.remove_prefix(n);
    return;
  }
  if (answer_->is_streamed()) {
    out.append(queue_, queue_at_, n);
    queue_at_ += n;
    if (queue_at_ == queue_.size()) {
      queue_at_ = 0;
      queue_.clear();
    }
    return;
  }
  out.append(answer_->body(), body_sent_, n);
  body_sent_ += n;
}

void Http2Stream::on_closed() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  if (!is_running()) end_reading();                      // else the handler's end does it
  if (is_running() || writing_) give_up(Outcome::drop);  // the handler sees Cancelled
}

// ---- streamed bodies -----------------------------------------------------------------------

// Waits until nghttp2 took enough of the queue (as the flow-control windows allow);
// cancellation resumes it from the loop (never inline, CancelState's rule).
struct Http2Stream::WriterWait : CancellableAwaiter<WriterWait> {
  Http2Stream* st;
  std::size_t mark;

  WriterWait(Http2Stream* st, std::size_t mark) : st(st), mark(mark) {}

  bool ready() const noexcept { return mark == 0 ? st->queued() == 0 : st->queued() < mark; }
  bool start() {
    if (ready() || st->is_stream_broken()) return false;
    st->wait_ = this;
    const Worker& w = st->session_.worker();
    st->deadline_ = w.now() + static_cast<std::uint64_t>(w.options().response_timeout->count());
    return true;
  }
  void stop() noexcept {
    st->wait_ = nullptr;
    Loop::current().call_soon(waiter);
  }
  void await_resume() const {
    if (cancelled || st->is_stream_broken()) throw Cancelled{};
  }
};

void Http2Stream::on_stream_done(bool ok) {
  writing_ = false;
  wait_ = nullptr;
  // A body shorter than its Content-Length is cut too: the client must not take it as whole.
  cut_ = !ok || (left_ && *left_ != 0);
  if (cut_) lent_ = {};  // never sent: the writer may have let go of them
  if (state_ != State::closed) {
    if (cut_) {  // reset now: with the window closed nghttp2 would not read the body again
      nghttp2_submit_rst_stream(session_.native(), NGHTTP2_FLAG_NONE, id_,
                                stalled_ ? NGHTTP2_CANCEL : NGHTTP2_INTERNAL_ERROR);
    } else {
      nghttp2_session_resume_data(session_.native(), id_);
    }
  }
  session_.wake();
}

bool Http2Stream::is_send_blocked() const noexcept {
  if (!sends_body_) return false;
  return answer_->is_streamed() ? queued() != 0 : body_sent_ < answer_->body().size();
}

bool Http2Stream::is_stream_broken() const noexcept {
  return state_ == State::closed || outcome() != Outcome::send || req.is_cancelled();
}

void Http2Stream::count_written(std::size_t n) {
  if (is_stream_broken()) throw Cancelled{};
  if (left_) {
    if (n > *left_) throw std::logic_error("streamed body longer than its declared length");
    *left_ -= n;
  }
  if (queued() == 0) {  // the stall deadline counts from the first byte waiting
    const Worker& w = session_.worker();
    deadline_ = w.now() + static_cast<std::uint64_t>(w.options().response_timeout->count());
  }
  nghttp2_session_resume_data(session_.native(), id_);
  session_.wake();
}

void Http2Stream::write(std::string_view data) {
  if (data.empty()) {
    if (is_stream_broken()) throw Cancelled{};
    return;
  }
  count_written(data.size());
  if (!lent_.empty()) queue_.append(std::exchange(lent_, {}));  // its owner may reuse it
  queue_.append(data);
}

bool Http2Stream::write_lent(std::string_view data) {
  if (queued() != 0 || data.empty()) {
    write(data);
    return false;
  }
  count_written(data.size());
  lent_ = data;  // sent from there, the writer waits for it (wait_below(0))
  return true;
}

Task<void> Http2Stream::wait_below(std::size_t mark) { co_await WriterWait{this, mark}; }

Task<std::size_t> Http2Stream::send_file(int, std::uint64_t, std::size_t) {
  if (is_stream_broken()) throw Cancelled{};
  co_return 0;  // sendfile cannot go between frames: the caller writes pieces
}

void Http2Stream::on_tick(std::uint64_t now) {
  if (now < deadline_) return;
  switch (state_) {
    case State::head:
    case State::body:
      refuse(408, "request timeout");
      return;
    case State::handling:
      if (!is_running() || outcome() != Outcome::send) return;
      give_up(Outcome::drop);
      if (streaming_ && !body_ended_) {
        refuse(408, "request timeout");  // a streamed upload stopped coming
      } else {
        refuse(503, "response timeout");
      }
      return;
    case State::sending:
      // A stream may be quiet between writes (server-sent events) as long as it likes; one
      // whose bytes wait for a window the client does not open is cut: RST_STREAM CANCEL.
      if (!is_send_blocked() || stalled_) return;
      stalled_ = true;
      if (writing_) {
        if (outcome() == Outcome::send) give_up(Outcome::drop);  // on_stream_done resets
      } else {
        nghttp2_submit_rst_stream(session_.native(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_CANCEL);
      }
      return;
    case State::ready:
    case State::closed:
      return;
  }
}

// ---- streamed request bodies -------------------------------------------------------------

// Waits until body bytes arrived or the body ended; a reset stream cancels the handler, which
// resumes it from the loop (never inline, CancelState's rule).
struct Http2Stream::ReadWait : CancellableAwaiter<ReadWait> {
  Http2Stream* st;

  explicit ReadWait(Http2Stream* st) : st(st) {}

  bool ready() const noexcept {
    return !st->body_in_.empty() || st->body_ended_ || !st->streaming_ ||
           st->state_ == State::closed;
  }
  bool start() {
    if (ready()) return false;
    st->read_wait_ = this;
    return true;
  }
  void stop() noexcept {
    st->read_wait_ = nullptr;
    Loop::current().call_soon(waiter);
  }
  void await_resume() const {
    if (cancelled) throw Cancelled{};
  }
};

void Http2Stream::resume_waiters() {
  if (wait_ != nullptr && wait_->ready()) std::exchange(wait_, nullptr)->complete();
  if (read_wait_ != nullptr && read_wait_->ready()) std::exchange(read_wait_, nullptr)->complete();
}

Task<std::string> Http2Stream::read() {
  co_await ReadWait{this};
  if (!body_in_.empty()) {
    std::string piece = std::move(body_in_);
    body_in_.clear();
    session_.credit(*this, piece.size());  // the client may send as much again
    session_.wake();
    co_return piece;
  }
  if (body_ended_) co_return std::string{};
  throw Cancelled{};  // the stream was reset, or the handler answered already
}

void Http2Stream::end_reading() {
  // The handler answered (or the stream closed) before reading the whole body: what came is
  // dropped and the rest too as it arrives (add_body), giving the client its credit back.
  if (!streaming_) return;
  streaming_ = false;
  session_.credit(*this, body_in_.size());
  std::string{}.swap(body_in_);
}

// ---- RequestHost -------------------------------------------------------------------------

const FormLimits& Http2Stream::form_limits() const noexcept {
  return session_.worker().options().form_limits;
}

bool Http2Stream::json_any_content_type() const noexcept {
  return session_.worker().options().json_any_content_type;
}

net::Transport& Http2Stream::switch_protocols(const Response&) {
  // RFC 8441 (websockets over HTTP/2) is not offered: SETTINGS_ENABLE_CONNECT_PROTOCOL is off.
  throw HttpError{400, "a protocol switch needs HTTP/1.1"};
}

}  // namespace swoop::detail
