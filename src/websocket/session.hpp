// SPDX-License-Identifier: MIT
// Internal: the protocol state of one upgraded websocket connection.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pubsub/topic_queue.hpp"
#include "swoop/detail/cancel.hpp"
#include "swoop/websocket.hpp"
#include "websocket/deflate.hpp"
#include "websocket/frame.hpp"

namespace swoop::detail {

/// What a WsSession needs of the byte stream under it: WsConnection implements it on the
/// server's transport, and tests/fuzz/wssession_fuzz.cpp a fake that records what is written. The
/// session makes one virtual call per frame or event, never per byte.
///
/// Lifetime: outlives the session, or is told to forget it first (ws_detach()).
class WsTransport {
 public:
  /// The loop time in milliseconds (idle and close timeouts count in it).
  virtual std::uint64_t ws_now() const noexcept = 0;
  /// Where the session appends frames; ws_flush() starts writing them.
  virtual std::string& ws_out() noexcept = 0;
  /// Writes what the session appended: now, or before the loop next waits for I/O.
  virtual void ws_flush(bool now = false) = 0;
  /// Bytes queued or being written.
  virtual std::size_t ws_buffered() const noexcept = 0;
  /// Stop reading and close the sending side once everything queued is written.
  virtual void ws_close_transport() = 0;
  /// Drops the connection at once (no close handshake).
  virtual void ws_abort() = 0;
  /// Input may be wanted again (a message was taken): feed held input, read again.
  virtual void ws_resume() = 0;
  /// The session is going away; input is discarded from now on.
  virtual void ws_detach() noexcept = 0;

 protected:
  ~WsTransport() = default;
};

/// Parses incoming frames, assembles messages, answers pings, runs the close handshake and
/// resumes the handler's awaiters (always through the loop, never inline).
///
/// Topic messages (pubsub.hpp) it subscribed to are written as they come while the outgoing
/// buffer is below the high-water mark, and queued meanwhile, up to topic_queue_limit bytes.
///
/// Lifetime: owned by the WebSocket in the handler's frame; the transport (WsConnection)
/// points to it from the upgrade until the WebSocket's destructor calls ws_detach() on it.
class WsSession final : public Subscriber {
 public:
  WsSession(WsTransport& conn, const WebSocketOptions& options, CancelState& cancel,
            std::string subprotocol, std::optional<DeflateParams> deflate);
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;
  ~WsSession();

  // ---- from the connection ----
  /// Consumes bytes from the socket; returns how many were used (the rest is an incomplete
  /// frame header, or input held back because messages wait to be received).
  std::size_t feed(char* p, std::size_t n);
  /// The peer closed the TCP connection, or it failed, or the server drops it.
  void on_transport_closed() noexcept;
  /// The outgoing buffer shrank.
  void on_writable() noexcept;
  /// The worker's periodic tick: pings, idle timeout, close timeout.
  void on_tick(std::uint64_t now) noexcept;
  /// Server shutdown: close with 1001.
  void shut_down() noexcept;
  /// Whether the connection should read more (false while received messages pile up).
  bool wants_input() const noexcept;

  // ---- from the WebSocket ----
  bool has_message() const noexcept { return queue_head_ < queue_.size(); }
  bool recv_ready() const noexcept { return has_message() || !open_; }
  void set_recv_waiter(std::coroutine_handle<> h) noexcept;
  std::optional<WebSocketMessage> pop();
  void send(Opcode opcode, std::string_view payload);
  bool send_ready() const noexcept;
  void add_send_waiter(std::coroutine_handle<> h) { send_waiters_.push_back(h); }
  void start_close(std::uint16_t code, std::string_view reason);
  bool is_done() const noexcept { return done_; }
  void add_close_waiter(std::coroutine_handle<> h) { close_waiters_.push_back(h); }
  bool is_open() const noexcept { return open_; }
  std::optional<std::uint16_t> close_code() const noexcept { return close_code_; }
  std::string_view close_reason() const noexcept { return close_reason_; }
  std::string_view subprotocol() const noexcept { return subprotocol_; }
  /// The handler finished: the connection no longer refers to this session.
  void detach() noexcept;
  /// Receives the messages published on topic (from now on; nothing if already subscribed).
  /// Throws std::logic_error off a running server's worker.
  void subscribe(std::string_view topic);
  /// Stops receiving topic (messages of it already queued are still sent).
  void unsubscribe(std::string_view topic) noexcept;
  /// Subscriber: a message of a subscribed topic.
  void deliver(const PublishedPtr& m) noexcept override;

 private:
  bool check_header();
  bool end_frame();
  bool take_payload(char* p, std::size_t n);
  void on_close_frame();
  void fail(std::uint16_t code, std::string_view reason);
  void finish() noexcept;
  void clear_queue() noexcept;
  std::size_t queued() const noexcept { return queue_.size() - queue_head_; }
  void wake_all() noexcept;
  static void wake(std::coroutine_handle<>& h) noexcept;
  void shut_down_with(std::uint16_t code, std::string_view reason) noexcept;
  void send_topic_message(const Published& m);
  void pump_topics() noexcept;

  WsTransport* conn_;
  const WebSocketOptions& options_;
  CancelState& cancel_;
  std::string subprotocol_;

  FrameHeader frame_;
  std::uint64_t frame_off_ = 0;  // payload bytes of frame_ consumed
  bool in_frame_ = false;        // a header was parsed, its payload is being read
  bool in_message_ = false;      // a fragmented data message is being assembled
  bool message_text_ = false;
  bool message_compressed_ = false;  // RSV1 on the first frame (RFC 7692 6)
  std::uint64_t message_wire_ = 0;   // payload bytes of the message as received
  std::string message_;
  std::string control_;  // the payload of the control frame being read
  Utf8Validator utf8_;
  std::unique_ptr<PerMessageDeflate> deflate_;  // when permessage-deflate was negotiated

  std::vector<WebSocketMessage> queue_;  // received; from queue_head_ on not yet taken by recv()
  std::size_t queue_head_ = 0;
  std::size_t queued_bytes_ = 0;
  std::coroutine_handle<> recv_waiter_;
  std::vector<std::coroutine_handle<>> send_waiters_;
  std::vector<std::coroutine_handle<>> close_waiters_;

  std::optional<std::uint16_t> close_code_;
  std::string close_reason_;
  std::uint64_t last_input_ = 0;
  std::uint64_t ping_sent_ = 0;  // 0: no ping outstanding
  std::uint64_t close_deadline_ = 0;
  bool open_ = true;  // no close frame sent or received
  bool sent_close_ = false;
  bool done_ = false;  // handshake over or transport gone: nothing more happens

  TopicQueue topic_queue_;  // subscribed topics; messages waiting for the outgoing buffer
};

}  // namespace swoop::detail
