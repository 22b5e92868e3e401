// SPDX-License-Identifier: MIT
// Connection: the read-parse-dispatch-write cycle of one HTTP/1.1 socket.
#include "server/connection.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "http/status_line.hpp"
#include "runtime/cancellable_awaiter.hpp"
#include "server/access_log.hpp"
#include "server/worker.hpp"
#include "swoop/app.hpp"
#include "swoop/detail/body_buffer.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"
#include "tls/tls_stream.hpp"
#include "websocket/session.hpp"

namespace swoop::detail {

RootTask run_root(Connection* c, Task<Response> task) {
  std::optional<Response> res;
  std::exception_ptr error;
  try {
    res.emplace(co_await std::move(task));
  } catch (...) {
    error = std::current_exception();
  }
  c->on_async_done(std::move(res), error);
}

Exchange::Exchange(const RunOptions& options) : parser(options) {
  RequestBuilder::set_form_limits(req, &options.form_limits);
  RequestBuilder::set_json_any_content_type(req, options.json_any_content_type);
}

Connection::Connection(Worker& worker) : worker_(worker) {
  uv_tcp_init(worker.uv_loop(), &tcp_);
  tcp_.data = this;
}

Connection::~Connection() = default;

void Connection::take_exchange() {
  if (ex_) return;
  ex_ = worker_.acquire_exchange();
  if (out_.empty() && out_.capacity() < ex_->spare_output.capacity()) out_.swap(ex_->spare_output);
  RequestBuilder::set_connection(ex_->req, this);
  ex_->parser.set_streaming(&probe_streamed_body, this, &ex_->body_in);
}

bool Connection::accept(uv_stream_t* server) {
  if (uv_accept(server, stream()) != 0) {
    start_close();
    return false;
  }
  uv_tcp_nodelay(&tcp_, 1);
  uv_os_fd_t fd = -1;
  uv_fileno(handle(), &fd);
  fd_ = fd;
  if (SSL_CTX* ctx = worker_.tls_context()) {
    try {
      tls_ = std::make_unique<TlsStream>(ctx, TlsStream::Role::server);
    } catch (const std::exception& e) {
      log(LogLevel::error, "TLS: {}", e.what());
      start_close();
      return false;
    }
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  char ip[64] = "";
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
      uv_ip6_name(a, ip, sizeof ip);
      remote_port_ = ntohs(a->sin6_port);
    } else {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
      uv_ip4_name(a, ip, sizeof ip);
      remote_port_ = ntohs(a->sin_port);
    }
  }
  remote_addr_ = ip;
  set_deadline(worker_.options().keep_alive_timeout.count());
  update_reading();
  return true;
}

void Connection::set_deadline(std::uint64_t ms) { deadline_ = worker_.now() + ms; }

// ---- reading ---------------------------------------------------------------------------

void Connection::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) noexcept {
  auto* c = static_cast<Connection*>(h->data);
  if (c->tls_) {  // ciphertext goes to the session at once, from the worker's scratch space
    *buf = uv_buf_init(c->worker_.cipher_buffer(), Worker::cipher_buffer_size);
    return;
  }
  if (!c->in_) {
    c->in_ = c->worker_.acquire_buffer();
    c->in_cap_ = Worker::buffer_size;
  }
  if (c->in_end_ == c->in_cap_ && !c->make_room()) {
    *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS; on_read stops reading
    return;
  }
  *buf = uv_buf_init(c->in_.get() + c->in_end_, static_cast<unsigned>(c->in_cap_ - c->in_end_));
}

bool Connection::make_room() {
  // The running handler holds views into the buffer (a websocket's request was moved out).
  if (handler_running_ && phase_ != Phase::websocket) return false;
  if (in_start_ > 0) {
    std::memmove(in_.get(), in_.get() + in_start_, in_end_ - in_start_);
    in_end_ -= in_start_;
    in_start_ = 0;
    return true;
  }
  const RunOptions& o = worker_.options();
  const std::size_t limit = o.max_header_size + 2 * o.max_body_size + 4096;
  if (in_cap_ >= limit) return false;
  const std::size_t cap = std::min(limit, std::max(in_cap_ * 2, ex_ ? ex_->parser.needed() : 0));
  const std::size_t held = in_cap_ == Worker::buffer_size ? 0 : in_cap_;
  if (!worker_.draw_budget(this, held, cap - held)) {
    budget_wait_ = true;  // reading stops (wants_input) until on_budget_returned()
    return false;
  }
  auto bigger = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(bigger.get(), in_.get(), in_end_);
  if (in_cap_ == Worker::buffer_size) worker_.release_buffer(std::move(in_));
  in_ = std::move(bigger);
  in_cap_ = cap;
  return true;
}

void Connection::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* c = static_cast<Connection*>(s->data);
  if (c->tls_ && nread > 0) {
    c->on_tls_read(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (c->phase_ == Phase::websocket) {
    c->ws_read(nread);
    return;
  }
  if (nread > 0) {
    c->in_end_ += static_cast<std::size_t>(nread);
    c->on_data();
  } else if (nread == UV_ENOBUFS) {
    if (c->parsing_ && !c->handler_running_ && !c->budget_wait_) {
      c->finish_error(413, "request too large", true);
    }
    c->pump();
  } else if (nread < 0) {
    c->on_peer_closed();
  }
}

void Connection::on_data() {
  if (phase_ == Phase::draining || close_after_write_) {
    in_start_ = in_end_ = 0;  // nothing more is parsed on this connection
    release_buffer_if_idle();
    return;
  }
  pump();
}

void Connection::on_peer_closed() {
  uv_read_stop(stream());
  reading_ = false;
  peer_eof_ = true;
  if (phase_ == Phase::draining) {
    start_close();
    return;
  }
  if (handler_running_) {
    // The client went away (Sanic and asyncio treat EOF the same way): cancel the handler.
    abandon_ = true;
    close_when_done_ = true;
    cancel_handler();
    return;
  }
  pump();
}

// ---- parsing and dispatch ---------------------------------------------------------------

void Connection::process_input() {
  if (body_streaming_) {
    if (handler_running_) feed_streamed_body();
    return;
  }
  while (!handler_running_ && !close_after_write_ && !closing_) {
    if (out_.size() + writing_.size() >= write_high_water) break;
    const std::size_t avail = in_end_ - in_start_;
    if (!parsing_) {
      if (avail == 0) {
        if (phase_ != Phase::idle) {
          phase_ = Phase::idle;
          set_deadline(worker_.options().keep_alive_timeout.count());
        }
        in_start_ = in_end_ = 0;
        break;
      }
      take_exchange();
      ex_->parser.begin(ex_->req, ex_->req_is_reset);
      ex_->req_is_reset = false;
      ex_->matched = false;
      parsing_ = true;
      phase_ = Phase::reading;
      request_started_ = worker_.now();
      set_deadline(worker_.options().request_timeout.count());
    }
    const RequestParser::State state = ex_->parser.feed(in_.get() + in_start_, avail);
    if (state == RequestParser::State::error) {
      finish_error(ex_->parser.error().status, ex_->parser.error().reason, true);
      break;
    }
    if (ex_->parser.is_streaming() && state != RequestParser::State::head) {
      // The handler runs now and reads the body as it arrives.
      compact_streamed_body();
      if (ex_->parser.take_continue()) writer().continue_100();
      body_streaming_ = true;
      RequestBuilder::set_body_reader(ex_->req, this);
      dispatch();
      if (body_streaming_) break;  // the handler still runs
      continue;
    }
    if (state != RequestParser::State::complete) {
      if (ex_->parser.take_continue()) writer().continue_100();
      break;
    }
    dispatch();
  }
}

const Match& Connection::route() noexcept {
  if (!ex_->matched) {
    worker_.service().match(ex_->req, ex_->match);
    ex_->matched = true;
  }
  return ex_->match;
}

void Connection::dispatch() {
  RequestBuilder::set_peer(ex_->req, remote_addr_, remote_port_, tls_ != nullptr);
  const Match& match = route();
  const Service& service = worker_.service();
  // The fast path: no middleware and a sync handler (or the router's own answer) run inline.
  if (match.route->runs_inline) {
    try {
      Response res = service.respond(match, ex_->req);
      finish(res);
    } catch (...) {
      if (match.route->handles_errors) {
        start_async(service.handle_error(match, ex_->req, std::current_exception()));
      } else {
        Response error = service.render_error(&match, ex_->req, std::current_exception());
        finish(error);
      }
    }
    return;
  }
  start_async(service.run(match, ex_->req));
}

void Connection::start_async(Task<Response> task) {
  handler_running_ = true;
  phase_ = Phase::handling;
  // While a streamed upload arrives, the deadline is the wait for its next bytes.
  const bool uploading = body_streaming_ && ex_->parser.state() == RequestParser::State::body;
  set_deadline(uploading ? worker_.options().request_timeout.count()
                         : worker_.options().response_timeout.count());
  dispatching_ = true;
  run_root(this, std::move(task)).with_cancel(&RequestBuilder::cancel_state(ex_->req)).start();
  dispatching_ = false;
  if (ex_->sync_result) {
    finish(*ex_->sync_result);
    ex_->sync_result.reset();
  }
}

void Connection::on_async_done(std::optional<Response> res, std::exception_ptr error) {
  handler_running_ = false;
  if (phase_ == Phase::websocket) {  // the upgraded handler ended; its response is not sent
    abandon_ = false;
    if (close_when_done_) {
      start_close();
      return;
    }
    set_deadline(worker_.options().linger_timeout.count());
    ws_pump();
    return;
  }
  if (abandon_) {
    abandon_ = false;
    if (close_when_done_)
      start_close();
    else
      pump();
    return;
  }
  Response r = error ? worker_.service().render_error(nullptr, ex_->req, error) : std::move(*res);
  if (dispatching_) {
    ex_->sync_result.emplace(std::move(r));
    return;
  }
  finish(r);
  pump();
}

void Connection::cancel_handler() noexcept { RequestBuilder::cancel_state(ex_->req).cancel(); }

// ---- responses ---------------------------------------------------------------------------

void Connection::finish(Response& res) {
  // A handler that answers before its streamed body ended: the rest cannot be skipped safely.
  const bool upload_done =
      !body_streaming_ || ex_->parser.state() == RequestParser::State::complete;
  const bool keep = keeps_alive(ex_->req, res) && upload_done && !ex_->parser.is_tunnel() &&
                    !shutting_down_ && !worker_.is_draining();
  const bool streamed = res.is_streamed();
  const bool body_sent = sends_body(res.status(), ex_->parser.is_head());
  writer().response(res, ex_->req.version(), ex_->parser.is_head(), keep);
  if (worker_.options().access_log != AccessLog::off) {
    const std::size_t size = streamed ? res.body_source()->length.value_or(0) : res.body().size();
    write_access(worker_.options().access_log, {.remote = remote_addr_,
                                                .method = ex_->req.method(),
                                                .target = ex_->req.target(),
                                                .version = ex_->req.version(),
                                                .status = res.status(),
                                                .bytes = body_sent ? size : 0,
                                                .duration_ms = worker_.now() - request_started_});
  }
  // The body's bytes are in the output by now; its storage can serve the next json() body
  // (one held in the string's own small buffer has none: skip the call).
  if (res.body().capacity() > std::string().capacity()) {
    detail::give_body_buffer(std::move(res.body()));
  }
  if (streamed && body_sent) {
    start_stream(res.body_source(), keep);
    return;
  }
  end_request(keep);
}

void Connection::end_request(bool keep) {
  if (body_streaming_ && ex_->parser.state() != RequestParser::State::complete) {
    // The handler answered before the whole body came: the rest cannot be skipped safely.
    keep = false;
    in_start_ = in_end_;
  } else {
    in_start_ += ex_->parser.consumed();
  }
  if (body_streaming_) {
    body_streaming_ = false;
    body_error_ = false;
    read_wait_ = nullptr;
    RequestBuilder::set_body_reader(ex_->req, nullptr);
    std::string{}.swap(ex_->body_in);
  }
  parsing_ = false;
  RequestBuilder::release(ex_->req);  // an idle keep-alive connection holds no JSON parser
  if (!keep) close_after_write_ = true;
}

void Connection::finish_error(int status, std::string_view message, bool close) {
  Response r{status};
  r.set_body(std::string{message}, "text/plain; charset=utf-8");
  writer().response(r, ex_ ? ex_->req.version() : 11, ex_ && ex_->parser.is_head(), !close);
  if (worker_.options().access_log != AccessLog::off) {
    write_access(worker_.options().access_log, {.remote = remote_addr_,
                                                .status = status,
                                                .bytes = message.size(),
                                                .duration_ms = worker_.now() - request_started_,
                                                .error = message});
  }
  parsing_ = false;
  if (close) close_after_write_ = true;
}

// ---- writing and closing -----------------------------------------------------------------

void Connection::flush() {
  if (write_pending_ || closing_) return;
  if (tls_) {  // out_ holds plaintext: it leaves as the session's ciphertext
    if (!out_.empty() && !tls_->send(out_)) {
      log(LogLevel::debug, "{}:{}: {}", remote_addr_, remote_port_, tls_->error());
      start_close();
      return;
    }
    out_.clear();
    tls_->take_output(out_);
  }
  if (out_.empty()) return;
  // send(2) rather than libuv's write(2): a socket call skips the file layer, and nothing is
  // queued in libuv while no write is pending.
  ssize_t n;
  do {
    n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
  if (n < 0) {
    start_close();
    return;
  }
  if (static_cast<std::size_t>(n) == out_.size()) {
    out_.clear();
    return;
  }
  writing_.swap(out_);
  out_.clear();
  uv_buf_t buf = uv_buf_init(writing_.data() + n, static_cast<unsigned>(writing_.size() - n));
  if (uv_write(&write_req_, stream(), &buf, 1, &on_write) != 0) {
    start_close();
    return;
  }
  write_req_.data = this;
  write_pending_ = true;
}

void Connection::on_write(uv_write_t* w, int status) noexcept {
  auto* c = static_cast<Connection*>(w->data);
  c->write_pending_ = false;
  c->writing_.clear();
  if (c->closing_) return;
  if (status < 0) {
    c->peer_eof_ = true;
    c->start_close();
    return;
  }
  if (c->phase_ == Phase::websocket)
    c->ws_pump();
  else
    c->pump();
}

void Connection::pump() {
  do {  // TLS: input the session holds is decrypted once it is wanted, then parsed
    if (closing_) return;
    process_input();
    flush();
  } while (tls_fill());
  if (closing_) return;
  if (tls_peer_closed_ && !peer_eof_) {
    on_peer_closed();
    return;
  }
  const bool drained = !write_pending_ && out_.empty();
  if (drained && !handler_running_ && phase_ != Phase::draining) {
    if (close_after_write_) {
      if (peer_eof_)
        start_close();
      else
        start_linger();
      return;
    }
    if (peer_eof_) {
      start_close();
      return;
    }
  }
  update_reading();
  release_buffer_if_idle();
  wake_body_waiter();  // last: the resumed writer or reader may re-enter pump() (and finish)
}

bool Connection::wants_input() const noexcept {
  if (closing_ || peer_eof_ || budget_wait_) return false;
  if (phase_ == Phase::websocket) {
    return ws_ != nullptr && !ws_close_ && ws_->wants_input() &&
           ws_buffered() < 4 * write_high_water;
  }
  if (phase_ == Phase::draining) return true;  // read and discard until the client closes
  if (close_after_write_ || out_.size() + writing_.size() >= write_high_water) return false;
  return !(handler_running_ && in_ && in_end_ == in_cap_);
}

void Connection::update_reading() {
  if (closing_) return;
  const bool want = wants_input();
  if (want && !reading_) {
    reading_ = uv_read_start(stream(), &on_alloc, &on_read) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void Connection::release_buffer_if_idle() {
  if (parsing_ || handler_running_ || in_start_ != in_end_ || phase_ == Phase::websocket) return;
  if (in_) drop_read_buffer();
  const bool output_idle = out_.empty() && !write_pending_;
  if (ex_) {
    if (output_idle && out_.capacity() <= Exchange::spare_output_max) ex_->spare_output.swap(out_);
    worker_.release_exchange(std::move(ex_));
  }
  if (output_idle) {  // an idle connection keeps no output storage either
    std::string{}.swap(out_);
    std::string{}.swap(writing_);
  }
}

void Connection::drop_read_buffer() noexcept {
  in_start_ = in_end_ = 0;
  if (in_cap_ == Worker::buffer_size) {
    worker_.release_buffer(std::move(in_));
  } else {
    in_.reset();
    worker_.return_budget(in_cap_);
  }
  in_cap_ = 0;
}

void Connection::on_budget_returned() noexcept {
  budget_wait_ = false;
  if (!flush_deferred_) flush_deferred_ = worker_.defer_flush(this);
  if (!flush_deferred_) update_reading();  // the worker is past its shutdown
}

void Connection::start_linger() {
  // RFC 9112 9.6: close the sending side first and drain what the client still sends, so it
  // receives the whole response instead of a reset.
  phase_ = Phase::draining;
  set_deadline(worker_.options().linger_timeout.count());
  if (!half_close()) return;
  update_reading();
}

bool Connection::half_close() {
  tls_close_notify();
  if (closing_) return false;
  // Allocated only now: an open connection does not carry a shutdown request.
  auto* r = new uv_shutdown_t;
  r->data = this;
  if (uv_shutdown(r, stream(), &on_shutdown) != 0) {
    delete r;
    start_close();
    return false;
  }
  return true;
}

void Connection::on_shutdown(uv_shutdown_t* r, int status) noexcept {
  // libuv calls this before the close callback, even when the handle closes first.
  auto* c = static_cast<Connection*>(r->data);
  delete r;
  if (status < 0 && !c->closing_) c->start_close();
}

void Connection::start_close() {
  if (closing_) return;
  if (ws_ != nullptr) ws_->on_transport_closed();
  if (handler_running_) {
    abandon_ = true;
    close_when_done_ = true;
    cancel_handler();
    return;
  }
  closing_ = true;
  phase_ = Phase::closed;
  uv_close(handle(), &on_close);
}

void Connection::on_close(uv_handle_t* h) noexcept {
  auto* c = static_cast<Connection*>(h->data);
  if (c->flush_deferred_) c->worker_.cancel_flush(c);
  if (c->budget_wait_) c->worker_.leave_budget_queue(c);
  c->worker_.on_connection_closed(c);
  if (c->in_) c->drop_read_buffer();
  if (c->ex_) c->worker_.release_exchange(std::move(c->ex_));
  delete c;
}

// ---- TLS -----------------------------------------------------------------------------------

void Connection::on_tls_read(const char* data, std::size_t len) {
  // As in plain mode, what arrives after the last request is read and dropped.
  if (phase_ == Phase::draining || close_after_write_ || tls_peer_closed_) return;
  if (!tls_->feed({data, len})) {
    tls_fail();
    return;
  }
  tls_unread_ = true;
  if (phase_ == Phase::websocket)
    ws_process();
  else
    pump();
}

bool Connection::tls_fill() {
  if (!tls_ || !tls_unread_ || closing_) return false;
  bool added = false;
  while (wants_input() && phase_ != Phase::draining) {
    if (!in_) {
      in_ = worker_.acquire_buffer();
      in_cap_ = Worker::buffer_size;
    }
    if (in_end_ == in_cap_ && !make_room()) {
      if (budget_wait_) break;  // on_budget_returned() resumes
      if (parsing_ && !handler_running_) {
        finish_error(413, "request too large", true);
      } else {
        start_close();
      }
      return added;
    }
    std::size_t n = 0;
    const TlsStream::Status status = tls_->read(in_.get() + in_end_, in_cap_ - in_end_, n);
    in_end_ += n;
    added = added || n > 0;
    if (status == TlsStream::Status::failed) {
      tls_fail();
      return false;
    }
    if (status == TlsStream::Status::closed) tls_peer_closed_ = true;
    if (n == 0) {
      tls_unread_ = false;
      break;
    }
  }
  flush();  // the handshake's answers, session tickets
  return added;
}

void Connection::tls_fail() {
  tls_unread_ = false;
  log(LogLevel::debug, "{}:{}: {}", remote_addr_, remote_port_, tls_->error());
  if (tls_->is_plain_http() && phase_ == Phase::idle && !parsing_ && is_below(0)) {
    // A client spoke plain HTTP to the TLS port (nginx answers it with its 497): tell it so
    // in plain HTTP, then close.
    tls_.reset();
    in_start_ = in_end_ = 0;
    Response r{400};
    r.set_body("This port speaks HTTPS: use an https:// URL.\n", "text/plain; charset=utf-8");
    writer().response(r, ex_ ? ex_->req.version() : 11, false, false);
    close_after_write_ = true;
    flush();
    return;
  }
  flush();  // the session's alert, if any
  start_close();
}

void Connection::tls_close_notify() {
  if (!tls_ || !tls_->is_established()) return;
  tls_->shutdown();
  flush();
}

// ---- timers and shutdown -----------------------------------------------------------------

void Connection::on_tick(std::uint64_t now) {
  if (ws_ != nullptr) {
    if (!closing_) ws_->on_tick(now);
    return;
  }
  if (closing_ || now < deadline_) return;
  switch (phase_) {
    case Phase::idle:
      if (write_pending_ && now < deadline_ + worker_.options().response_timeout.count()) return;
      start_close();
      return;
    case Phase::reading:
      finish_error(408, "request timeout", true);
      pump();
      return;
    case Phase::handling:
      if (abandon_) return;
      abandon_ = true;
      cancel_handler();
      if (body_streaming_ && ex_->parser.state() == RequestParser::State::body) {
        finish_error(408, "request body timeout", true);  // the upload stalled
      } else {
        finish_error(503, "response timeout", true);
      }
      flush();
      return;
    case Phase::websocket:  // the handler ends soon: the session is done
      if (handler_running_) return;
      start_close();
      return;
    case Phase::streaming:
      // Only a writer stuck behind a client that does not read is timed out; a stream may
      // be quiet between writes (server-sent events) as long as it likes.
      if (stream_wait_ == nullptr || abandon_) return;
      close_when_done_ = true;
      cancel_handler();
      return;
    case Phase::draining:
    case Phase::closed:
      start_close();
      return;
  }
}

void Connection::shut_down() {
  shutting_down_ = true;
  if (phase_ == Phase::websocket) {
    if (ws_ != nullptr) ws_->shut_down();
    return;
  }
  if (closing_ || phase_ == Phase::draining) return;
  if (parsing_ || handler_running_) return;  // finish() answers with Connection: close
  if (out_.empty() && !write_pending_) {
    start_close();  // idle keep-alive connection
    return;
  }
  close_after_write_ = true;  // a response is still being written: finish it, then close
  pump();
}

void Connection::force_close() {
  if (closing_) return;
  start_close();
}

}  // namespace swoop::detail
