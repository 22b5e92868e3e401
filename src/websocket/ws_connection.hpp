// SPDX-License-Identifier: MIT
// Internal: a websocket on the transport the HTTP/1.1 connection handed over after the 101.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "net/transport.hpp"
#include "websocket/session.hpp"

namespace swoop::detail {

/// Carries a WsSession's frames on a Transport: feeds it what arrives, writes what it sends,
/// stops reading while its messages pile up, and closes the sending side at the end of the
/// close handshake (RFC 6455 7.1.1: the server closes the TCP connection first).
///
/// Lifetime: lives in the websocket route's frame, for as long as the handler runs; takes the
/// transport over when made and gives it back to its owner (which finishes writing and
/// closes) when destroyed. The session, made after it, is destroyed first (ws_detach()).
class WsConnection final : private net::Protocol, public WsTransport {
 public:
  explicit WsConnection(net::Transport& transport) noexcept : t_(transport) { t_.hand_over(*this); }
  ~WsConnection() { t_.hand_back(); }
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  /// Starts carrying session's frames (made with this as its transport); input that came
  /// with the handshake is fed to it at once.
  void attach(WsSession& session);

  // WsTransport, for the session
  std::uint64_t ws_now() const noexcept override { return t_.host().now(); }
  std::string& ws_out() noexcept override { return t_.output(); }
  void ws_flush(bool now = false) override;
  std::size_t ws_buffered() const noexcept override { return t_.buffered(); }
  void ws_close_transport() override;
  void ws_abort() override { t_.fail(); }
  void ws_resume() override;
  void ws_detach() noexcept override { session_ = nullptr; }

 private:
  // Output queued beyond this stops reading: a peer that sends pings or messages but does
  // not read our answers cannot make us buffer without bound.
  static constexpr std::size_t read_stop_unsent = 1024 * 1024;

  // net::Protocol, from the transport (and on_tick, shut_down and abort from its owner)
  bool wants_input() const noexcept override;
  void on_input() override { process(); }
  void on_input_full() override { t_.fail(); }  // frames are consumed as they come: a bug
  void on_peer_closed() override;
  void on_written() override { pump(); }
  void on_tick(std::uint64_t now) override;
  void shut_down() override;
  void abort() noexcept override;

  void process();
  void pump();

  net::Transport& t_;
  WsSession* session_ = nullptr;
  bool closing_ = false;        // the session is done: stop reading, half-close once drained
  bool shutdown_sent_ = false;  // the sending side was closed
};

}  // namespace swoop::detail
