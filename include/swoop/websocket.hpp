// SPDX-License-Identifier: MIT
// WebSocket: one upgraded connection (RFC 6455) as seen by a websocket route's handler.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/middleware.hpp"
#include "swoop/pubsub.hpp"

namespace swoop {

namespace detail {
struct Access;
class WsSession;
}  // namespace detail

/// Close status codes (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t close_normal = 1000;  ///< normal closure
inline constexpr std::uint16_t close_going_away =
    1001;  ///< the server shuts down or the page goes away
inline constexpr std::uint16_t close_protocol_error = 1002;  ///< the peer broke the protocol
inline constexpr std::uint16_t close_unsupported_data =
    1003;                                               ///< a kind of data the endpoint cannot take
inline constexpr std::uint16_t close_no_status = 1005;  ///< never sent: the peer gave no code
inline constexpr std::uint16_t close_abnormal = 1006;   ///< never sent: the TCP connection dropped
inline constexpr std::uint16_t close_invalid_payload = 1007;   ///< a text message that is not UTF-8
inline constexpr std::uint16_t close_policy_violation = 1008;  ///< refused by policy
inline constexpr std::uint16_t close_message_too_big = 1009;   ///< a message over max_message_size
inline constexpr std::uint16_t close_internal_error = 1011;    ///< the handler failed (threw)
inline constexpr std::uint16_t close_try_again_later =
    1013;  ///< overloaded: here, too slow to keep up with its topics

/// Options of one websocket route.
struct WebSocketOptions {
  /// A message (all fragments together) larger than this closes the connection with 1009.
  std::size_t max_message_size = 1024 * 1024;
  /// Subprotocols the server speaks, in preference order; the first one the client offers is
  /// chosen. Empty: none is selected.
  std::vector<std::string> subprotocols;
  /// Accepted Origin header values (exact, case-insensitive); empty accepts any (and none).
  /// A handshake from another origin is refused with 403.
  std::vector<std::string> allowed_origins;
  /// Send a ping when nothing was received for this long; zero: never.
  std::chrono::milliseconds ping_interval{0};
  /// Drop the connection (close code 1006) when nothing was received for this long; zero: never.
  std::chrono::milliseconds idle_timeout{0};
  /// How long to wait for the peer's close frame after sending ours.
  std::chrono::milliseconds close_timeout{5000};
  /// send() waits while more than this many bytes wait to be written. Sends that are not
  /// awaited (a broadcast) can queue more; beyond 16 times this the connection is dropped.
  std::size_t send_high_water = 256 * 1024;
  /// Accept permessage-deflate (RFC 7692, zlib) when the client offers it. Incoming compressed
  /// messages are inflated in bounded steps: one that inflates beyond max_message_size closes
  /// with 1009 without being inflated in full.
  bool compression = false;
  /// Messages shorter than this are sent uncompressed.
  std::size_t compression_threshold = 256;
  /// Ask for no context takeover in both directions: compresses a little less, but no zlib
  /// state (about 300 KB with context takeover) is kept between messages.
  bool compression_no_context_takeover = true;
  /// Topic messages (subscribe()) that may wait while the connection's outgoing buffer is
  /// above send_high_water, in payload bytes; beyond it, `topic_overflow` applies.
  std::size_t topic_queue_limit = 1024 * 1024;
  /// What happens to a subscriber that falls behind: close with 1013 (the default), or drop
  /// its oldest queued topic messages.
  SlowSubscriber topic_overflow = SlowSubscriber::close;
  /// Middleware for this route only, innermost, as RouteOptions::middleware: it runs before
  /// the handshake, so request middleware may answer instead of upgrading (a 401 for a missing
  /// token) and may set what the handler reads (req.ctx()). Response middleware changes only
  /// refusals: the 101 is written by the websocket itself.
  std::vector<Middleware> middleware;
};

/// One received message: text (valid UTF-8) or binary, fragments already joined.
/// A payload of up to `inline_capacity` bytes is kept inside the object (no allocation).
class WebSocketMessage {
 public:
  /// Payloads up to this many bytes are stored in place.
  static constexpr std::size_t inline_capacity = 64;

  /// A message with its payload and kind.
  WebSocketMessage(std::string data, bool is_text) : data_(std::move(data)), text_(is_text) {}
  /// A message holding a copy of payload.
  static WebSocketMessage copy_of(std::string_view payload, bool is_text) {
    if (payload.size() > inline_capacity) return {std::string{payload}, is_text};
    WebSocketMessage m{std::string{}, is_text};
    std::char_traits<char>::copy(m.inline_, payload.data(), payload.size());
    m.inline_size_ = static_cast<std::uint8_t>(payload.size());
    m.in_place_ = true;
    return m;
  }
  /// Copies the message.
  WebSocketMessage(const WebSocketMessage&) = default;
  /// Copies the message.
  WebSocketMessage& operator=(const WebSocketMessage&) = default;
  /// Moves the message (a payload stored in place is copied).
  WebSocketMessage(WebSocketMessage&& other) noexcept { *this = std::move(other); }
  /// Moves the message (a payload stored in place is copied).
  WebSocketMessage& operator=(WebSocketMessage&& other) noexcept {
    // By hand: a defaulted move would also move the empty string, a call to memcpy.
    if (this == &other) return *this;
    if (other.in_place_) {
      std::char_traits<char>::copy(inline_, other.inline_, inline_capacity);
      if (!data_.empty()) data_ = std::string{};  // a payload this held on the heap
    } else {
      data_ = std::move(other.data_);
    }
    inline_size_ = other.inline_size_;
    in_place_ = other.in_place_;
    text_ = other.text_;
    return *this;
  }
  ~WebSocketMessage() = default;

  /// Whether the message was sent as text.
  bool is_text() const noexcept { return text_; }
  /// Whether the message was sent as binary.
  bool is_binary() const noexcept { return !text_; }
  /// The payload as characters (UTF-8 for a text message).
  /// Lifetime: valid while the message lives (a moved message's payload may move with it).
  std::string_view text() const noexcept {
    return in_place_ ? std::string_view{inline_, inline_size_} : std::string_view{data_};
  }
  /// The payload as bytes. Lifetime: as text().
  std::span<const std::byte> binary() const noexcept {
    const std::string_view t = text();
    return {reinterpret_cast<const std::byte*>(t.data()), t.size()};
  }
  /// Moves the payload out (a payload stored in place is copied into the string).
  std::string take() && { return in_place_ ? std::string{text()} : std::move(data_); }

 private:
  std::string data_;  // the payload unless in_place_
  char inline_[inline_capacity] = {};
  std::uint8_t inline_size_ = 0;
  bool in_place_ = false;
  bool text_ = false;
};

/// An open websocket connection, given to a websocket route's handler.
///
/// Closing is a normal outcome: recv() then returns an empty optional, and send() does nothing.
/// When the connection closed (by either side, or dropped), the handler's other swoop awaits
/// throw swoop::Cancelled, as after an HTTP client disconnect. When the handler returns, the
/// server closes with 1000 if it is still open; if it throws, with 1011.
/// Lifetime: owned by the server; valid until the handler's Task completes. The socket belongs
/// to it from the 101 response on.
/// Thread safety: loop-affine (use it from the handler's worker only).
/// Example:
///     app.websocket("/echo")([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
///       while (auto msg = co_await ws.recv()) co_await ws.send(msg->text());
///     });
class WebSocket {
 public:
  class RecvAwaiter;
  class SendAwaiter;
  class CloseAwaiter;

  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  /// Waits for the next whole message; empty once the connection is closed.
  /// Usage: `co_await ws.recv()` (one recv at a time per connection).
  RecvAwaiter recv() noexcept;
  /// Sends a text message (text must be valid UTF-8); awaiting it waits while the outgoing
  /// buffer is above the high-water mark. The bytes are copied at the call, so the message is
  /// sent even if the result is not awaited (a broadcast loop may just call send(); a peer
  /// that falls far behind is then dropped). Does nothing once closing.
  SendAwaiter send(std::string_view text);
  /// Sends a binary message; otherwise like send(text).
  SendAwaiter send(std::span<const std::byte> binary);
  /// Sends a binary message given as characters.
  SendAwaiter send_binary(std::string_view data);
  /// Sends a ping (payload cut to 125 bytes). The pong is handled internally.
  SendAwaiter ping(std::string_view payload = {});
  /// Starts the close handshake with code and reason (reason cut to 123 bytes) at the call;
  /// awaiting it waits until the peer answered or close_timeout passed. Queued messages are
  /// dropped. An invalid code is replaced by 1000 (1005, 1006 and 1015 cannot be sent).
  CloseAwaiter close(std::uint16_t code = close_normal, std::string_view reason = {});

  /// Whether messages can still be sent (no close frame sent or received).
  bool is_open() const noexcept;
  /// The close code once closing: the peer's (1005 if it sent none, 1006 if the connection
  /// dropped) or ours when we closed first; empty while open.
  std::optional<std::uint16_t> close_code() const noexcept;
  /// The close reason that goes with close_code().
  std::string_view close_reason() const noexcept;
  /// The subprotocol chosen in the handshake; empty if none.
  std::string_view subprotocol() const noexcept;

  /// Receives every message published on topic (swoop::publish, from any worker) as a
  /// message on this socket, text or binary as published, without the handler's help. The
  /// socket leaves its topics when it closes. Messages wait while the peer reads slowly, up to
  /// WebSocketOptions::topic_queue_limit bytes; then topic_overflow applies. Subscribing
  /// twice to a topic is the same as once.
  /// Example:
  ///     ws.subscribe("room:" + std::string{req.param("room")});
  void subscribe(std::string_view topic);
  /// Stops receiving topic.
  void unsubscribe(std::string_view topic) noexcept;

 private:
  friend struct detail::Access;  // the upgrade makes it around the connection's session
  explicit WebSocket(std::unique_ptr<detail::WsSession> session) noexcept;
  std::unique_ptr<detail::WsSession> session_;
};

/// Awaiter of WebSocket::recv(); resumes with the next message or an empty optional.
class [[nodiscard]] WebSocket::RecvAwaiter {
 public:
  /// For WebSocket::recv().
  explicit RecvAwaiter(detail::WsSession* s) noexcept : s_(s) {}
  /// Whether a message (or the close) is already there.
  bool await_ready() const noexcept;
  /// Waits for the next message or the close.
  void await_suspend(std::coroutine_handle<> h) noexcept;
  /// The message; empty once the connection is closed.
  std::optional<WebSocketMessage> await_resume() noexcept;

 private:
  detail::WsSession* s_;
};

/// Awaiter of WebSocket::send(); resumes when the outgoing buffer is below the high-water mark.
/// Not [[nodiscard]]: the message is queued at the call, awaiting only adds backpressure.
class WebSocket::SendAwaiter {
 public:
  /// For WebSocket::send() and ping().
  explicit SendAwaiter(detail::WsSession* s) noexcept : s_(s) {}
  /// Whether the outgoing buffer is already below the high-water mark (or closed).
  bool await_ready() const noexcept;
  /// Waits until the outgoing buffer drained below the mark or the connection closed.
  void await_suspend(std::coroutine_handle<> h);
  /// Nothing: the message was queued at the call.
  void await_resume() const noexcept {}

 private:
  detail::WsSession* s_;
};

/// Awaiter of WebSocket::close(); resumes when the close handshake is over.
class [[nodiscard]] WebSocket::CloseAwaiter {
 public:
  /// For WebSocket::close().
  explicit CloseAwaiter(detail::WsSession* s) noexcept : s_(s) {}
  /// Whether the close handshake is already over.
  bool await_ready() const noexcept;
  /// Waits until the peer answered or close_timeout passed.
  void await_suspend(std::coroutine_handle<> h);
  /// Nothing: see WebSocket::close_code().
  void await_resume() const noexcept {}

 private:
  detail::WsSession* s_;
};

}  // namespace swoop
