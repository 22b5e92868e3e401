// SPDX-License-Identifier: MIT
// Internal: the process's topics. Each worker has a PubSubNode: its subscribers by topic, and
// an inbox that publishers on other threads push into.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pubsub/redis.hpp"
#include "swoop/pubsub.hpp"

namespace swoop::detail {

using PublishedPtr = std::shared_ptr<const Published>;

/// What receives the messages of its topics on one worker: a websocket session, a
/// Subscription. deliver() runs on the subscriber's loop; it must not run user code or
/// unsubscribe anything but itself (it may close itself).
class Subscriber {
 public:
  virtual void deliver(const PublishedPtr& m) noexcept = 0;

 protected:
  ~Subscriber() = default;
};

/// One worker's end of the topics: who subscribes to what on this loop, and the inbox through
/// which publishes from other threads arrive.
///
/// Delivery takes no lock: publishers push onto a lock-free list (one node per message and
/// worker) and wake the loop once per batch; the loop takes the whole list, restores the order
/// and delivers. Only the list of nodes that publishers walk is guarded (a shared lock).
///
/// With Redis configured (RunOptions::pubsub_url), each node also has a RedisLink: it
/// subscribes to the Redis channels of the topics the node has subscribers for, and what this
/// process publishes is forwarded once (by the publishing worker, or by the first node for a
/// publish from another thread).
///
/// Lifetime: made by the worker on its thread once its loop exists; close() (on that thread,
/// after every subscriber left) unregisters it and closes its handles; destroy it after the
/// loop ran the close callbacks.
class PubSubNode {
 public:
  /// redis: where to forward topics, or nullptr (they stay in the process).
  PubSubNode(uv_loop_t* loop, const RedisAddress* redis);
  ~PubSubNode();
  PubSubNode(const PubSubNode&) = delete;
  PubSubNode& operator=(const PubSubNode&) = delete;

  /// The node of the calling thread's worker, or nullptr.
  static PubSubNode* current() noexcept;

  /// Adds s to topic's subscribers (s must not be subscribed to it already).
  void subscribe(std::string_view topic, Subscriber& s);
  /// Removes s from topic's subscribers; harmless when it is not one.
  void unsubscribe(std::string_view topic, Subscriber& s) noexcept;
  /// Unregisters from the process (no more publishes arrive) and closes the wake-up handle.
  void close() noexcept;

  /// Sends m to every node of the process: the calling thread's own node (if any) delivers at
  /// once, the others through their inboxes; and to Redis, when configured.
  static void publish(const PublishedPtr& m);
  /// Delivers m to this node's subscribers of its topic, now (on the node's thread).
  void deliver(const PublishedPtr& m) noexcept;
  /// Whether any subscriber is on this node; readable from any thread.
  bool has_subscribers() const noexcept { return count_.load(std::memory_order_acquire) > 0; }

 private:
  struct Entry {
    Entry* next;
    PublishedPtr message;
    bool forward;  // this node forwards it to Redis
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Topics = std::unordered_map<std::string, std::vector<Subscriber*>, Hash, std::equal_to<>>;

  static void on_wake(uv_async_t* h) noexcept;
  void push(const PublishedPtr& m, bool forward);
  void compact() noexcept;

  uv_async_t wake_{};
  std::atomic<Entry*> inbox_{nullptr};  // newest first
  std::atomic<std::size_t> count_{0};   // (topic, subscriber) pairs
  Topics topics_;
  std::unique_ptr<RedisLink> link_;
  int delivering_ = 0;  // unsubscribing meanwhile leaves a hole, removed after
  bool has_holes_ = false;
  bool open_ = false;
};

}  // namespace swoop::detail
