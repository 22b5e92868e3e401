// SPDX-License-Identifier: MIT
// TopicQueue: a subscriber's topics and its bounded queue of messages.
#include "pubsub/topic_queue.hpp"

#include <algorithm>

namespace swoop::detail {

void TopicQueue::subscribe(PubSubNode& node, std::string_view topic) {
  if (std::find(topics_.begin(), topics_.end(), topic) != topics_.end()) return;
  SWOOP_ASSERT(node_ == nullptr || node_ == &node, "a subscriber moved to another worker");
  node_ = &node;
  topics_.emplace_back(topic);
  try {
    node.subscribe(topic, owner_);
  } catch (...) {
    topics_.pop_back();
    throw;
  }
}

void TopicQueue::unsubscribe(std::string_view topic) noexcept {
  auto it = std::find(topics_.begin(), topics_.end(), topic);
  if (it == topics_.end()) return;
  node_->unsubscribe(topic, owner_);
  topics_.erase(it);
}

void TopicQueue::leave() noexcept {
  for (const std::string& topic : topics_) node_->unsubscribe(topic, owner_);
  topics_.clear();
  queue_.clear();
  bytes_ = 0;
}

bool TopicQueue::push(const PublishedPtr& m) noexcept {
  try {
    queue_.push_back(m);
  } catch (...) {
    return true;  // out of memory: this subscriber misses the message
  }
  bytes_ += m->data.size();
  if (bytes_ <= limit_) return true;
  if (on_full_ == SlowSubscriber::close) return false;
  while (bytes_ > limit_ && queue_.size() > 1) {
    bytes_ -= queue_.front()->data.size();
    queue_.pop_front();
    ++dropped_;
  }
  return true;
}

PublishedPtr TopicQueue::pop() noexcept {
  if (queue_.empty()) return nullptr;
  PublishedPtr m = std::move(queue_.front());
  queue_.pop_front();
  bytes_ -= m->data.size();
  return m;
}

}  // namespace swoop::detail
