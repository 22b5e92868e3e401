// SPDX-License-Identifier: MIT
// Internal: a subscriber's topics and the messages waiting for it, within a byte bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "pubsub/hub.hpp"

namespace swoop::detail {

/// What a websocket session (messages wait for the socket to drain) and a Subscription
/// (messages wait for next()) both keep: the topics its owner is subscribed to on its worker's
/// node, and the queued messages, at most `limit` payload bytes.
///
/// Lifetime: a member of its owner; leaves the topics when destroyed.
/// Thread safety: loop-affine (the owner's worker).
class TopicQueue {
 public:
  TopicQueue(Subscriber& owner, std::size_t limit, SlowSubscriber on_full) noexcept
      : owner_(owner), limit_(limit), on_full_(on_full) {}
  TopicQueue(const TopicQueue&) = delete;
  TopicQueue& operator=(const TopicQueue&) = delete;
  ~TopicQueue() { leave(); }

  /// Subscribes the owner to topic on node (the calling worker's; always the same one);
  /// nothing if it already is.
  void subscribe(PubSubNode& node, std::string_view topic);
  /// Unsubscribes the owner from topic; its messages already queued stay.
  void unsubscribe(std::string_view topic) noexcept;
  /// Leaves every topic and drops what is queued.
  void leave() noexcept;
  /// The node subscribed on, once subscribe() was called.
  PubSubNode* node() const noexcept { return node_; }

  /// Queues m. Past the limit, SlowSubscriber::drop_oldest drops the oldest messages (keeping
  /// at least m) and returns true; SlowSubscriber::close returns false: the owner closes.
  bool push(const PublishedPtr& m) noexcept;
  /// The oldest queued message, or nullptr.
  PublishedPtr pop() noexcept;
  bool empty() const noexcept { return queue_.empty(); }
  /// Messages dropped so far under SlowSubscriber::drop_oldest.
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  Subscriber& owner_;
  std::size_t limit_;
  SlowSubscriber on_full_;
  PubSubNode* node_ = nullptr;
  std::vector<std::string> topics_;
  std::deque<PublishedPtr> queue_;
  std::size_t bytes_ = 0;  // payload bytes in queue_
  std::uint64_t dropped_ = 0;
};

}  // namespace swoop::detail
