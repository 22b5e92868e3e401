// SPDX-License-Identifier: MIT
// Connection in websocket mode: after the upgrade it carries frames for a WsSession.
#include <cstring>

#include "server/connection.hpp"
#include "server/worker.hpp"
#include "swoop/app.hpp"
#include "websocket/session.hpp"

namespace swoop::detail {

// ---- websocket mode ------------------------------------------------------------------------

void Connection::ws_upgrade(std::string_view head, WsSession* session) {
  // The handler keeps its Request& for the whole session: move the request's bytes out of the
  // read buffer so that the buffer can be reused (and given back while the socket is idle).
  const std::size_t len = ex_->parser.consumed();
  const char* start = in_.get() + in_start_;
  ws_request_ = std::make_unique_for_overwrite<char[]>(len);
  std::memcpy(ws_request_.get(), start, len);
  RequestBuilder::set_base(ex_->req, ws_request_.get() + (RequestBuilder::base(ex_->req) - start));
  RequestBuilder::move_params(ex_->req, start, len, ws_request_.get());
  in_start_ += len;
  parsing_ = false;
  phase_ = Phase::websocket;
  ws_ = session;
  out_.append(head);
  flush();
  ws_process();
}

void Connection::ws_detach() noexcept { ws_ = nullptr; }

void Connection::ws_flush(bool now) {
  if (now || closing_) {
    flush();
  } else if (!flush_deferred_) {
    flush_deferred_ = worker_.defer_flush(this);
    if (!flush_deferred_) flush();
  }
}

void Connection::run_deferred_flush() {
  flush_deferred_ = false;
  if (phase_ == Phase::websocket && !closing_)
    ws_process();  // feeds input held back meanwhile, writes, and decides on reading and closing
  else
    pump();  // writes, and reads again when the budget came back
}

std::uint64_t Connection::ws_now() const noexcept { return worker_.now(); }

void Connection::ws_close_transport() {
  ws_close_ = true;
  ws_pump();
}

void Connection::ws_resume() {
  // With a flush deferred, its ws_process() comes before the loop waits: no need to do it now
  // (a handler that takes queued messages one by one would otherwise write once per message).
  if (!closing_ && !flush_deferred_) ws_process();
}

void Connection::ws_read(ssize_t nread) {
  if (nread > 0) {
    in_end_ += static_cast<std::size_t>(nread);
    ws_process();
  } else if (nread == UV_ENOBUFS) {
    ws_pump();
  } else if (nread < 0) {
    ws_on_eof();
  }
}

void Connection::ws_on_eof() {
  uv_read_stop(stream());
  reading_ = false;
  peer_eof_ = true;
  if (ws_ != nullptr) ws_->on_transport_closed();
  ws_pump();
}

void Connection::ws_process() {
  do {  // TLS: input the session holds is decrypted while the websocket wants it
    if (!in_) continue;
    if (ws_ != nullptr)
      in_start_ += ws_->feed(in_.get() + in_start_, in_end_ - in_start_);
    else
      in_start_ = in_end_;  // the session is gone: input is discarded
  } while (!closing_ && tls_fill());
  if (closing_) return;
  if (in_ && in_start_ == in_end_) drop_read_buffer();  // an idle websocket holds no buffer
  if (tls_peer_closed_ && !peer_eof_) {
    ws_on_eof();
    return;
  }
  ws_pump();
}

void Connection::ws_pump() {
  if (closing_) return;
  flush();
  if (closing_) return;
  if (ws_ != nullptr) ws_->on_writable();
  const bool drained = !write_pending_ && out_.empty();
  if (drained && !handler_running_) {
    start_close();
    return;
  }
  if (drained && ws_close_ && !ws_shutdown_sent_ && !peer_eof_) {
    // RFC 6455 7.1.1: the server closes the TCP connection first; half-close, so that the
    // client sees the end of the stream after our close frame.
    ws_shutdown_sent_ = true;
    if (!half_close()) return;
  }
  const bool want = wants_input();
  if (want && tls_unread_) {  // TLS: input waits in the session, not in the socket
    ws_process();
    return;
  }
  if (want && !reading_) {
    reading_ = uv_read_start(stream(), &on_alloc, &on_read) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

}  // namespace swoop::detail
