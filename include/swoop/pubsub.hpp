// SPDX-License-Identifier: MIT
// Topics: publish() from anywhere, subscribers on any worker receive (websockets, SSE, tasks).
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "swoop/task.hpp"

namespace swoop {

namespace detail {
/// One published message, shared by every subscriber that receives it.
struct Published {
  std::string topic;
  std::string data;
  bool binary = false;
};
class SubscriptionState;
}  // namespace detail

/// What happens when a subscriber falls behind: its queue of undelivered topic messages would
/// pass its bound (WebSocketOptions::topic_queue_limit, SubscribeOptions::queue_limit).
enum class SlowSubscriber : std::uint8_t {
  close,        ///< the subscriber is closed (a websocket with 1013), the default
  drop_oldest,  ///< the oldest queued messages are dropped to make room
};

/// Topics across instances: each worker keeps a connection that PUBLISHes what this process
/// publishes and one that SUBSCRIBEs to the Redis channels (named like the topics) its
/// subscribers need. Given to App::pubsub, or as the pubsub_url setting (SWOOP_PUBSUB_URL).
/// Another program's `PUBLISH topic text` reaches subscribers too (as a text message when
/// it is UTF-8, else binary).
struct RedisPubSub {
  std::string url;  ///< "redis://[:password@]host[:port]", port 6379 by default
};

/// Publishes data on a topic: every subscriber of the topic in this process receives it, on
/// whichever worker it lives. Thread-safe: call it from a handler, a background task or any
/// thread. The bytes are copied once at the call and shared by all deliveries.
///
/// Order: the messages one thread publishes on a topic arrive in that order at every
/// subscriber. Subscribers on the publishing worker receive at once (before publish()
/// returns); the other workers receive in batches, at their loop's next iteration. A message
/// published where nobody subscribes is dropped. With Redis (RedisPubSub), it also goes to
/// the other instances, unless Redis is unreachable then: delivery in this process never
/// waits for Redis.
/// Example:
///     swoop::publish("room:lobby", "hello");
void publish(std::string_view topic, std::string_view data);
/// Like publish(), but a websocket subscriber receives a binary message.
void publish_binary(std::string_view topic, std::string_view data);

/// One message received on a topic.
///
/// Lifetime: holds its payload (shared with the other subscribers' copies); cheap to copy.
class TopicMessage {
 public:
  /// For the server: the published message.
  explicit TopicMessage(std::shared_ptr<const detail::Published> p) noexcept : p_(std::move(p)) {}

  /// The topic it was published on.
  std::string_view topic() const noexcept { return p_->topic; }
  /// The payload. Lifetime: valid while a copy of this message lives.
  std::string_view data() const noexcept { return p_->data; }
  /// Whether it was published with publish_binary().
  bool is_binary() const noexcept { return p_->binary; }

 private:
  std::shared_ptr<const detail::Published> p_;
};

/// Options of a Subscription.
struct SubscribeOptions {
  /// Bytes of received messages that may wait for next(); beyond it, `on_full` applies.
  std::size_t queue_limit = 1024 * 1024;
  /// What happens when the queue is full.
  SlowSubscriber on_full = SlowSubscriber::close;
};

/// Receives the messages of one or more topics in a coroutine: the way an SSE stream or a
/// background task follows a topic. (A websocket subscribes itself: WebSocket::subscribe.)
///
/// Lifetime: subscribed from construction until destruction.
/// Thread safety: loop-affine; create it on a running server's worker (in a handler, a stream
/// function or a background task), where it throws std::logic_error otherwise.
/// Example:
///     return swoop::sse([](swoop::EventStream& events) -> swoop::Task<void> {
///       swoop::Subscription news{"news"};
///       while (auto msg = co_await news.next()) co_await events.send(std::string{msg->data()});
///     });
class Subscription {
 public:
  class NextAwaiter;

  /// Subscribes to topic.
  explicit Subscription(std::string_view topic, SubscribeOptions options = {});
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  /// Subscribes to one more topic (nothing if already subscribed).
  void subscribe(std::string_view topic);
  /// Stops receiving a topic; messages of it already queued are still returned.
  void unsubscribe(std::string_view topic);

  /// Waits for the next message; empty once the subscription was closed because its queue
  /// filled (SlowSubscriber::close). Throws swoop::Cancelled when the awaiting task is
  /// cancelled (the client went away). Usage: `co_await sub.next()`, one at a time.
  NextAwaiter next() noexcept;
  /// Messages dropped so far to keep the queue within its limit (SlowSubscriber::drop_oldest).
  std::uint64_t dropped() const noexcept;
  /// Whether the subscription was closed because its queue filled.
  bool is_closed() const noexcept;

 private:
  std::unique_ptr<detail::SubscriptionState> state_;
};

/// Awaiter of Subscription::next().
class [[nodiscard]] Subscription::NextAwaiter {
 public:
  /// For Subscription::next().
  explicit NextAwaiter(detail::SubscriptionState* s) noexcept : s_(s) {}
  NextAwaiter(const NextAwaiter&) = delete;
  NextAwaiter& operator=(const NextAwaiter&) = delete;
  ~NextAwaiter();

  /// Whether a message (or the close) is already there.
  bool await_ready() const noexcept;
  /// Waits for a message, the close, or the awaiting task's cancellation.
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    return suspend(h, detail::cancel_state_of(h));
  }
  /// The next message; empty once closed. Throws swoop::Cancelled when cancelled.
  std::optional<TopicMessage> await_resume();

 private:
  bool suspend(std::coroutine_handle<> h, detail::CancelState* cancel) noexcept;

  detail::SubscriptionState* s_;
  detail::CancelState* cancel_ = nullptr;
  detail::CancelRegistration reg_;
  bool cancelled_ = false;
};

}  // namespace swoop
