// SPDX-License-Identifier: MIT
// WebSocket: the handler's view of a session.
#include "swoop/websocket.hpp"

#include "swoop/detail/access.hpp"
#include "websocket/session.hpp"

namespace swoop {

WebSocket detail::Access::websocket(std::unique_ptr<WsSession> session) noexcept {
  return WebSocket{std::move(session)};
}

WebSocket::WebSocket(std::unique_ptr<detail::WsSession> session) noexcept
    : session_(std::move(session)) {}

WebSocket::~WebSocket() = default;

WebSocket::RecvAwaiter WebSocket::recv() noexcept { return RecvAwaiter{session_.get()}; }

WebSocket::SendAwaiter WebSocket::send(std::string_view text) {
  session_->send(detail::Opcode::text, text);
  return SendAwaiter{session_.get()};
}

WebSocket::SendAwaiter WebSocket::send(std::span<const std::byte> binary) {
  return send_binary({reinterpret_cast<const char*>(binary.data()), binary.size()});
}

WebSocket::SendAwaiter WebSocket::send_binary(std::string_view data) {
  session_->send(detail::Opcode::binary, data);
  return SendAwaiter{session_.get()};
}

WebSocket::SendAwaiter WebSocket::ping(std::string_view payload) {
  session_->send(detail::Opcode::ping, payload.substr(0, 125));
  return SendAwaiter{session_.get()};
}

WebSocket::CloseAwaiter WebSocket::close(std::uint16_t code, std::string_view reason) {
  session_->start_close(code, reason);
  return CloseAwaiter{session_.get()};
}

bool WebSocket::is_open() const noexcept { return session_->is_open(); }
std::optional<std::uint16_t> WebSocket::close_code() const noexcept {
  return session_->close_code();
}
std::string_view WebSocket::close_reason() const noexcept { return session_->close_reason(); }
std::string_view WebSocket::subprotocol() const noexcept { return session_->subprotocol(); }
void WebSocket::subscribe(std::string_view topic) { session_->subscribe(topic); }
void WebSocket::unsubscribe(std::string_view topic) noexcept { session_->unsubscribe(topic); }

bool WebSocket::RecvAwaiter::await_ready() const noexcept { return s_->recv_ready(); }
void WebSocket::RecvAwaiter::await_suspend(std::coroutine_handle<> h) noexcept {
  s_->set_recv_waiter(h);
}
std::optional<WebSocketMessage> WebSocket::RecvAwaiter::await_resume() noexcept {
  try {
    return s_->pop();
  } catch (...) {
    return std::nullopt;  // out of memory shrinking the queue: treat as closed
  }
}

bool WebSocket::SendAwaiter::await_ready() const noexcept { return s_->send_ready(); }
void WebSocket::SendAwaiter::await_suspend(std::coroutine_handle<> h) { s_->add_send_waiter(h); }

bool WebSocket::CloseAwaiter::await_ready() const noexcept { return s_->is_done(); }
void WebSocket::CloseAwaiter::await_suspend(std::coroutine_handle<> h) { s_->add_close_waiter(h); }

}  // namespace swoop
