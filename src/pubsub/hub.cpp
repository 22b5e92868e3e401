// SPDX-License-Identifier: MIT
// PubSubNode and publish(): topics across the process's workers.
#include "pubsub/hub.hpp"

#include <simdjson.h>

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include "swoop/config.hpp"

namespace swoop::detail {

namespace {

thread_local PubSubNode* current_node = nullptr;

// The nodes of the running workers. Publishers hold the lock shared while they push, so a
// node that unregisters (exclusive) is never pushed to afterwards.
struct Registry {
  std::shared_mutex mutex;
  std::vector<PubSubNode*> nodes;
};

Registry& registry() {
  static auto* r = new Registry;  // never destroyed: a publish may come late at exit
  return *r;
}

}  // namespace

PubSubNode::PubSubNode(uv_loop_t* loop, const RedisAddress* redis) {
  SWOOP_ASSERT(current_node == nullptr, "one pub/sub node per thread");
  if (redis != nullptr) {
    link_ = std::make_unique<RedisLink>(
        loop, *redis,
        [](void* self, PublishedPtr m) { static_cast<PubSubNode*>(self)->deliver(m); }, this);
  }
  uv_async_init(loop, &wake_, &on_wake);
  wake_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&wake_));
  open_ = true;
  if (link_ != nullptr) link_->start();
  {
    std::unique_lock lock{registry().mutex};
    registry().nodes.push_back(this);
  }
  current_node = this;
}

PubSubNode::~PubSubNode() {
  SWOOP_ASSERT(!open_, "a pub/sub node destroyed before close()");
  Entry* e = inbox_.exchange(nullptr, std::memory_order_acquire);
  while (e != nullptr) delete std::exchange(e, e->next);
}

PubSubNode* PubSubNode::current() noexcept { return current_node; }

void PubSubNode::close() noexcept {
  if (!open_) return;
  open_ = false;
  {
    std::unique_lock lock{registry().mutex};
    std::erase(registry().nodes, this);
  }
  if (current_node == this) current_node = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
  if (link_ != nullptr) link_->close();
}

void PubSubNode::subscribe(std::string_view topic, Subscriber& s) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    it = topics_.emplace(std::string{topic}, std::vector<Subscriber*>{}).first;
    if (link_ != nullptr) {
      try {
        link_->subscribe(topic);
      } catch (...) {
        topics_.erase(it);
        throw;
      }
    }
  }
  it->second.push_back(&s);
  count_.fetch_add(1, std::memory_order_release);
}

void PubSubNode::unsubscribe(std::string_view topic, Subscriber& s) noexcept {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  auto& subs = it->second;
  auto at = std::find(subs.begin(), subs.end(), &s);
  if (at == subs.end()) return;
  count_.fetch_sub(1, std::memory_order_relaxed);
  if (delivering_ > 0) {  // the vector is being walked: leave a hole
    *at = nullptr;
    has_holes_ = true;
    return;
  }
  *at = subs.back();
  subs.pop_back();
  if (subs.empty()) {
    if (link_ != nullptr) link_->unsubscribe(topic);
    topics_.erase(it);
  }
}

void PubSubNode::compact() noexcept {
  has_holes_ = false;
  for (auto it = topics_.begin(); it != topics_.end();) {
    std::erase(it->second, nullptr);
    if (!it->second.empty()) {
      ++it;
      continue;
    }
    if (link_ != nullptr) link_->unsubscribe(it->first);
    it = topics_.erase(it);
  }
}

void PubSubNode::deliver(const PublishedPtr& m) noexcept {
  auto it = topics_.find(m->topic);
  if (it == topics_.end()) return;
  ++delivering_;
  // Subscribers that subscribe meanwhile (none can: deliver() runs no user code) would grow
  // the vector; index, not iterators.
  auto& subs = it->second;
  for (std::size_t i = 0; i < subs.size(); ++i) {
    if (subs[i] != nullptr) subs[i]->deliver(m);
  }
  if (--delivering_ == 0 && has_holes_) compact();
}

void PubSubNode::push(const PublishedPtr& m, bool forward) {
  auto* e = new Entry{nullptr, m, forward};
  Entry* head = inbox_.load(std::memory_order_relaxed);
  do {
    e->next = head;
  } while (
      !inbox_.compare_exchange_weak(head, e, std::memory_order_release, std::memory_order_relaxed));
  // The first entry of a batch wakes the loop; on_wake takes the whole list.
  if (head == nullptr) uv_async_send(&wake_);
}

void PubSubNode::on_wake(uv_async_t* h) noexcept {
  auto* self = static_cast<PubSubNode*>(h->data);
  Entry* e = self->inbox_.exchange(nullptr, std::memory_order_acquire);
  Entry* ordered = nullptr;  // the list is newest first: reverse it
  while (e != nullptr) {
    Entry* next = e->next;
    e->next = ordered;
    ordered = e;
    e = next;
  }
  while (ordered != nullptr) {
    Entry* next = ordered->next;
    if (ordered->forward && self->link_ != nullptr) self->link_->publish(*ordered->message);
    self->deliver(ordered->message);
    delete ordered;
    ordered = next;
  }
}

void PubSubNode::publish(const PublishedPtr& m) {
  PubSubNode* here = current_node;
  // Redis gets it once: from the publishing worker, or through the first other node.
  bool forwarded = here != nullptr && here->link_ != nullptr;
  if (forwarded) here->link_->publish(*m);
  {
    std::shared_lock lock{registry().mutex};
    for (PubSubNode* node : registry().nodes) {
      if (node == here) continue;
      const bool forward = !forwarded && node->link_ != nullptr;
      if (forward || node->has_subscribers()) node->push(m, forward);
      forwarded = forwarded || forward;
    }
  }
  if (here != nullptr) here->deliver(m);
}

}  // namespace swoop::detail

namespace swoop {

void publish(std::string_view topic, std::string_view data) {
  // A websocket text message must be UTF-8 (RFC 6455 8.1): checked once here, not per socket.
  if (!simdjson::validate_utf8(data.data(), data.size())) {
    throw std::invalid_argument("publish: data is not valid UTF-8 (use publish_binary)");
  }
  detail::PubSubNode::publish(std::make_shared<const detail::Published>(
      detail::Published{std::string{topic}, std::string{data}, false}));
}

void publish_binary(std::string_view topic, std::string_view data) {
  detail::PubSubNode::publish(std::make_shared<const detail::Published>(
      detail::Published{std::string{topic}, std::string{data}, true}));
}

}  // namespace swoop
