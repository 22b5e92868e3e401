// SPDX-License-Identifier: MIT
// Http1Connection: the read-parse-dispatch-write cycle of HTTP/1.1 on one transport.
#include "server/http1_connection.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "server/access_log.hpp"
#include "server/worker.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/detail/body_buffer.hpp"
#include "swoop/options.hpp"

namespace swoop::detail {

Http1Exchange::Http1Exchange(const RunOptions& options) : parser(options) {}

Http1Connection::Http1Connection(Worker& worker) noexcept
    : worker_(worker), transport_(worker, *this) {}

Http1Connection::~Http1Connection() = default;

void Http1Connection::take_exchange() {
  if (ex_) return;
  ex_ = worker_.acquire_exchange();
  std::string& out = transport_.output();
  if (out.empty() && out.capacity() < ex_->spare_output.capacity()) out.swap(ex_->spare_output);
  RequestBuilder::set_host(ex_->req, this);
  ex_->parser.set_streaming(&probe_streamed_body, this, &ex_->body_in);
}

bool Http1Connection::accept(uv_stream_t* server) {
  set_deadline(worker_.options().keep_alive_timeout->count());
  return transport_.accept(server, worker_.tls_context());
}

void Http1Connection::set_deadline(std::uint64_t ms) { deadline_ = worker_.now() + ms; }

ResponseWriter Http1Connection::writer() noexcept {
  return {transport_.output(), worker_.server_and_date_lines()};
}

// ---- transport events --------------------------------------------------------------------

bool Http1Connection::wants_input() const noexcept {
  if (phase_ == Phase::upgraded) return false;  // the transport was given back: input ends
  if (close_after_write_ || transport_.buffered() >= write_high_water) return false;
  // A running handler holds views into the input: a full buffer cannot be moved or regrown.
  return !(handler_running_ && transport_.is_input_full());
}

void Http1Connection::on_input() {
  if (phase_ == Phase::upgraded) {
    transport_.discard_input();
    pump_upgraded();
    return;
  }
  if (close_after_write_) transport_.discard_input();  // nothing more is parsed here
  pump();
}

void Http1Connection::on_input_full() {
  if (parsing_ && !handler_running_) {
    finish_error(413, "request too large", true);
  } else {
    start_close();
  }
}

bool Http1Connection::input_movable() const noexcept { return !handler_running_; }

std::size_t Http1Connection::input_wanted() const noexcept {
  return ex_ ? ex_->parser.needed() : 0;
}

void Http1Connection::on_plain_text() {
  // A client spoke plain HTTP to the TLS port (nginx answers it with its 497): tell it so in
  // plain HTTP, then close.
  Response r{400};
  r.set_body("This port speaks HTTPS: use an https:// URL.\n", "text/plain; charset=utf-8");
  writer().response(r, 11, false, false);
  close_after_write_ = true;
}

void Http1Connection::on_peer_closed() {
  if (phase_ == Phase::lingering) {
    start_close();
    return;
  }
  if (phase_ == Phase::upgraded) {
    pump_upgraded();
    return;
  }
  if (handler_running_) {
    // The client went away (Sanic and asyncio treat EOF the same way): cancel the handler.
    ex_->give_up(Outcome::drop_and_close);
    return;
  }
  pump();
}

void Http1Connection::on_written() {
  if (phase_ == Phase::upgraded)
    pump_upgraded();
  else
    pump();
}

void Http1Connection::on_failed() { start_close(); }

void Http1Connection::on_closed() noexcept {
  worker_.on_connection_closed(this);
  if (ex_) worker_.release_exchange(std::move(ex_));
  delete this;
}

// ---- parsing and dispatch ---------------------------------------------------------------

void Http1Connection::process_input() {
  if (body_streaming_) {
    if (handler_running_) feed_streamed_body();
    return;
  }
  while (!handler_running_ && !close_after_write_ && !transport_.is_closing()) {
    if (transport_.buffered() >= write_high_water) break;
    const std::size_t avail = transport_.input_size();
    if (!parsing_) {
      if (avail == 0) {
        if (phase_ != Phase::idle) {
          phase_ = Phase::idle;
          set_deadline(worker_.options().keep_alive_timeout->count());
        }
        transport_.discard_input();
        break;
      }
      if (fresh_) {
        const Speaks speaks = sniff(avail);
        if (speaks == Speaks::unknown) break;  // a prefix of the HTTP/2 preface: read more
        fresh_ = false;
        if (speaks == Speaks::http2) {
          start_http2();
          return;
        }
      }
      take_exchange();
      ex_->parser.begin(ex_->req, ex_->req_is_reset);
      ex_->req_is_reset = false;
      ex_->begin();
      parsing_ = true;
      phase_ = Phase::reading;
      request_started_ = worker_.now();
      set_deadline(worker_.options().request_timeout->count());
    }
    const RequestParser::State state = ex_->parser.feed(transport_.input(), avail);
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

void Http1Connection::dispatch() {
  RequestBuilder::set_peer(ex_->req, transport_.remote_addr(), transport_.remote_port(),
                           transport_.is_tls());
  ex_->dispatch(worker_.service(), *this);
}

void Http1Connection::on_handler_start() {
  handler_running_ = true;
  phase_ = Phase::handling;
  // While a streamed upload arrives, the deadline is the wait for its next bytes.
  const bool uploading = body_streaming_ && ex_->parser.state() == RequestParser::State::body;
  set_deadline(uploading ? worker_.options().request_timeout->count()
                         : worker_.options().response_timeout->count());
}

void Http1Connection::send_answer(Response& res, bool later) {
  handler_running_ = false;
  if (phase_ == Phase::upgraded) {  // the upgraded handler ended; its response is not sent
    end_upgraded(Outcome::send);
    return;
  }
  finish(res);
  if (later) pump();
}

void Http1Connection::on_answer_dropped(Outcome outcome) {
  handler_running_ = false;
  if (phase_ == Phase::upgraded) {
    end_upgraded(outcome);
  } else if (outcome == Outcome::drop_and_close) {
    start_close();
  } else {
    pump();
  }
}

void Http1Connection::end_upgraded(Outcome outcome) {
  if (outcome == Outcome::drop_and_close) {
    start_close();
    return;
  }
  set_deadline(worker_.options().linger_timeout->count());
  pump_upgraded();
}

Http1Connection::Speaks Http1Connection::sniff(std::size_t avail) noexcept {
  if (!worker_.options().http2.enabled) return Speaks::http1;
  if (transport_.is_tls()) return transport_.alpn() == "h2" ? Speaks::http2 : Speaks::http1;
  // HTTP/2 with prior knowledge (RFC 9113 3.3) starts with the client connection preface.
  constexpr std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  const std::size_t n = std::min(avail, preface.size());
  if (std::memcmp(transport_.input(), preface.data(), n) != 0) return Speaks::http1;
  return n == preface.size() ? Speaks::http2 : Speaks::unknown;
}

void Http1Connection::start_http2() {
  h2_ = std::make_unique<Http2Session>(worker_, transport_);
  phase_ = Phase::h2;
  h2_->start();
}

// ---- responses ---------------------------------------------------------------------------

void Http1Connection::finish(Response& res) {
  // A handler that answers before its streamed body ended: the rest cannot be skipped safely.
  const bool upload_done =
      !body_streaming_ || ex_->parser.state() == RequestParser::State::complete;
  const bool keep = keeps_alive(ex_->req, res) && upload_done && !ex_->parser.is_tunnel() &&
                    !shutting_down_ && !worker_.is_draining();
  const bool streamed = res.is_streamed();
  const bool body_sent = sends_body(res.status(), ex_->parser.is_head());
  writer().response(res, ex_->req.version(), ex_->parser.is_head(), keep);
  if (worker_.options().access_log != AccessLog::off) {
    write_access(worker_.options().access_log,
                 answer_record(transport_.remote_addr(), ex_->req, res, body_sent,
                               worker_.now() - request_started_));
  }
  // The body's bytes are in the output by now; its storage can serve the next json() body
  // (one held in the string's own small buffer has none: skip the call).
  if (res.body().capacity() > std::string().capacity()) {
    detail::give_body_buffer(std::move(res.body()));
  }
  if (streamed && body_sent) {
    start_stream(Access::body_source(res), keep);
    return;
  }
  end_request(keep);
}

void Http1Connection::end_request(bool keep) {
  if (body_streaming_ && ex_->parser.state() != RequestParser::State::complete) {
    // The handler answered before the whole body came: the rest cannot be skipped safely.
    keep = false;
    transport_.discard_input();
  } else {
    transport_.consume(ex_->parser.consumed());
  }
  if (body_streaming_) {
    body_streaming_ = false;
    read_wait_ = nullptr;
    RequestBuilder::set_body_reader(ex_->req, nullptr);
    std::string{}.swap(ex_->body_in);
  }
  parsing_ = false;
  RequestBuilder::release(ex_->req);  // an idle keep-alive connection holds no JSON parser
  if (!keep) close_after_write_ = true;
}

void Http1Connection::finish_error(int status, std::string_view message, bool close) {
  Response r{status};
  r.set_body(std::string{message}, "text/plain; charset=utf-8");
  writer().response(r, ex_ ? ex_->req.version() : 11, ex_ && ex_->parser.is_head(), !close);
  if (worker_.options().access_log != AccessLog::off) {
    write_access(worker_.options().access_log, {.remote = transport_.remote_addr(),
                                                .status = status,
                                                .bytes = message.size(),
                                                .duration_ms = worker_.now() - request_started_,
                                                .error = message});
  }
  parsing_ = false;
  if (close) close_after_write_ = true;
}

const FormLimits& Http1Connection::form_limits() const noexcept {
  return worker_.options().form_limits;
}

bool Http1Connection::json_any_content_type() const noexcept {
  return worker_.options().json_any_content_type;
}

net::Transport& Http1Connection::switch_protocols(const Response& response) {
  // The handler keeps its Request& for the whole session: move the request's bytes out of the
  // read buffer so that the buffer can be reused (and given back while the socket is idle).
  const std::size_t len = ex_->parser.consumed();
  const char* start = transport_.input();
  upgraded_request_ = std::make_unique_for_overwrite<char[]>(len);
  std::memcpy(upgraded_request_.get(), start, len);
  const char* base = RequestBuilder::base(ex_->req);
  RequestBuilder::set_base(ex_->req, upgraded_request_.get() + (base - start));
  RequestBuilder::move_params(ex_->req, start, len, upgraded_request_.get());
  transport_.consume(len);
  parsing_ = false;
  phase_ = Phase::upgraded;
  writer().response(response, 11, false, true);
  transport_.flush();
  return transport_;
}

// ---- writing and closing -----------------------------------------------------------------

void Http1Connection::pump() {
  do {  // TLS: input the session holds is decrypted once it is wanted, then parsed
    if (transport_.is_closing()) return;
    process_input();
    if (phase_ == Phase::h2) return;  // the session took the transport over
    transport_.flush();
  } while (transport_.fill());
  if (transport_.is_closing()) return;
  if (transport_.take_tls_close()) {
    on_peer_closed();
    return;
  }
  if (transport_.is_drained() && !handler_running_ && phase_ != Phase::lingering) {
    if (close_after_write_ && !transport_.peer_closed()) {
      // RFC 9112 9.6: close the sending side first and drain what the client still sends,
      // so that it receives the whole response instead of a reset.
      phase_ = Phase::lingering;
      set_deadline(worker_.options().linger_timeout->count());
      transport_.linger();
      return;
    }
    if (close_after_write_ || transport_.peer_closed()) {
      start_close();
      return;
    }
  }
  transport_.update_reading();
  release_if_idle();
  wake_body_waiter();  // last: the resumed writer or reader may re-enter pump() (and finish)
}

void Http1Connection::pump_upgraded() {
  // The protocol that took the transport over is gone: what it queued goes out, then the
  // connection closes (when the handler that held the request ended too).
  if (transport_.is_handed_over()) return;
  transport_.flush();
  if (transport_.is_closing()) return;
  if (transport_.is_drained() && !handler_running_) {
    start_close();
    return;
  }
  transport_.update_reading();
}

void Http1Connection::release_if_idle() {
  if (parsing_ || handler_running_ || transport_.has_input()) return;
  transport_.release_input();
  const bool output_idle = transport_.is_drained();
  if (ex_) {
    std::string& out = transport_.output();
    if (output_idle && out.capacity() <= Http1Exchange::spare_output_max)
      ex_->spare_output.swap(out);
    worker_.release_exchange(std::move(ex_));
  }
  transport_.release_output();  // an idle connection keeps no output storage either
}

void Http1Connection::start_close() {
  if (transport_.is_closing()) return;
  if (transport_.is_handed_over()) transport_.protocol().abort();
  if (h2_ && h2_->has_running()) {  // cancelled: the session asks again once they end
    h2_->close_when_done();
    return;
  }
  if (handler_running_) {
    ex_->give_up(Outcome::drop_and_close);
    return;
  }
  phase_ = Phase::closed;
  transport_.close();
}

// ---- timers and shutdown -----------------------------------------------------------------

void Http1Connection::on_tick(std::uint64_t now) {
  if (transport_.is_closing()) return;
  if (transport_.is_handed_over()) {
    transport_.protocol().on_tick(now);
    return;
  }
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::idle:
      if (!transport_.is_drained() &&
          now < deadline_ + worker_.options().response_timeout->count()) {
        return;
      }
      start_close();
      return;
    case Phase::reading:
      finish_error(408, "request timeout", true);
      pump();
      return;
    case Phase::handling:
      if (ex_->outcome() != Outcome::send) return;
      ex_->give_up(Outcome::drop);
      if (body_streaming_ && ex_->parser.state() == RequestParser::State::body) {
        finish_error(408, "request body timeout", true);  // the upload stalled
      } else {
        finish_error(503, "response timeout", true);
      }
      transport_.flush();
      return;
    case Phase::h2:  // the session keeps its own time (on_tick went to it)
      return;
    case Phase::upgraded:  // the handler ends soon: the session is done
      if (handler_running_) return;
      start_close();
      return;
    case Phase::streaming:
      // Only a writer stuck behind a client that does not read is timed out; a stream may
      // be quiet between writes (server-sent events) as long as it likes.
      if (stream_wait_ == nullptr || ex_->outcome() != Outcome::send) return;
      ex_->give_up(Outcome::drop_and_close);
      return;
    case Phase::lingering:
    case Phase::closed:
      start_close();
      return;
  }
}

void Http1Connection::shut_down() {
  shutting_down_ = true;
  if (transport_.is_handed_over()) {
    transport_.protocol().shut_down();
    return;
  }
  if (transport_.is_closing() || phase_ == Phase::lingering || phase_ == Phase::upgraded) return;
  if (parsing_ || handler_running_) return;  // finish() answers with Connection: close
  if (transport_.is_drained()) {
    start_close();  // idle keep-alive connection
    return;
  }
  close_after_write_ = true;  // a response is still being written: finish it, then close
  pump();
}

void Http1Connection::force_close() { start_close(); }

bool Http1Connection::is_idle_h2() const noexcept { return h2_->is_idle(); }

std::uint64_t Http1Connection::deadline() const noexcept {
  return phase_ == Phase::h2 ? h2_->idle_deadline() : deadline_;
}

void Http1Connection::evict() {
  if (phase_ == Phase::h2) {
    h2_->evict();
    return;
  }
  start_close();
}

}  // namespace swoop::detail
