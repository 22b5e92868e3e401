// SPDX-License-Identifier: MIT
// WsConnection: a websocket session's frames on a transport.
#include "websocket/ws_connection.hpp"

namespace swoop::detail {

void WsConnection::attach(WsSession& session) {
  session_ = &session;
  process();
}

void WsConnection::ws_flush(bool now) {
  if (now || t_.is_closing())
    t_.flush();
  else
    t_.defer_flush();  // the frames sent during one callback (an echo loop) leave in one write
}

void WsConnection::ws_close_transport() {
  closing_ = true;
  pump();
}

void WsConnection::ws_resume() {
  // With a flush deferred, its process() comes before the loop waits: no need to do it now
  // (a handler that takes queued messages one by one would otherwise write once per message).
  if (!t_.is_closing() && !t_.is_flush_deferred()) process();
}

bool WsConnection::wants_input() const noexcept {
  return session_ != nullptr && !closing_ && session_->wants_input() &&
         t_.buffered() < read_stop_unsent;
}

void WsConnection::on_peer_closed() {
  if (session_ != nullptr) session_->on_transport_closed();
  pump();
}

void WsConnection::on_tick(std::uint64_t now) {
  if (session_ != nullptr) session_->on_tick(now);
}

void WsConnection::shut_down() {
  if (session_ != nullptr) session_->shut_down();
}

void WsConnection::abort() noexcept {
  if (session_ != nullptr) session_->on_transport_closed();
}

void WsConnection::process() {
  do {  // TLS: input the session holds is decrypted while the websocket wants it
    if (!t_.has_input()) continue;
    if (session_ != nullptr)
      t_.consume(session_->feed(t_.input(), t_.input_size()));
    else
      t_.discard_input();  // the session is gone
  } while (!t_.is_closing() && t_.fill());
  if (t_.is_closing()) return;
  t_.release_input();  // an idle websocket holds no buffer
  if (t_.take_tls_close()) {
    on_peer_closed();
    return;
  }
  pump();
}

void WsConnection::pump() {
  if (t_.is_closing()) return;
  t_.flush();
  if (t_.is_closing()) return;
  if (session_ != nullptr) session_->on_writable();
  if (closing_ && !shutdown_sent_ && t_.is_drained() && !t_.peer_closed()) {
    // The client sees the end of the stream after our close frame.
    shutdown_sent_ = true;
    if (!t_.half_close()) return;
  }
  if (t_.wants_input() && t_.has_held_input()) {  // TLS: input waits in the session
    process();
    return;
  }
  t_.update_reading();
}

}  // namespace swoop::detail
