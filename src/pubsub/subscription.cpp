// SPDX-License-Identifier: MIT
// Subscription: topic messages queued for a coroutine that awaits next().
#include <stdexcept>

#include "pubsub/topic_queue.hpp"
#include "swoop/error.hpp"
#include "swoop/loop.hpp"

namespace swoop::detail {

/// A Subscription's queue, subscribed to its topics on the node of its worker.
class SubscriptionState final : public Subscriber {
 public:
  SubscriptionState(PubSubNode& node, SubscribeOptions options) noexcept
      : node_(node), queue_(*this, options.queue_limit, options.on_full) {}
  SubscriptionState(const SubscriptionState&) = delete;
  SubscriptionState& operator=(const SubscriptionState&) = delete;
  ~SubscriptionState() = default;

  void subscribe(std::string_view topic) {
    if (!closed_) queue_.subscribe(node_, topic);
  }
  void unsubscribe(std::string_view topic) noexcept { queue_.unsubscribe(topic); }

  void deliver(const PublishedPtr& m) noexcept override {
    if (closed_) return;
    if (!queue_.push(m)) {
      closed_ = true;  // fell behind: next() returns an empty optional from now on
      queue_.leave();
    }
    wake();
  }

  bool ready() const noexcept { return !queue_.empty() || closed_; }
  bool is_closed() const noexcept { return closed_; }
  std::uint64_t dropped() const noexcept { return queue_.dropped(); }

  void set_waiter(std::coroutine_handle<> h) noexcept {
    SWOOP_ASSERT(!waiter_, "two next() at once on one subscription");
    waiter_ = h;
  }

  void wake() noexcept {
    if (waiter_) Loop::current().call_soon(std::exchange(waiter_, {}));
  }

  std::optional<TopicMessage> pop() noexcept {
    PublishedPtr m = queue_.pop();
    if (m == nullptr) return std::nullopt;
    return TopicMessage{std::move(m)};
  }

 private:
  PubSubNode& node_;
  TopicQueue queue_;
  std::coroutine_handle<> waiter_;
  bool closed_ = false;
};

}  // namespace swoop::detail

namespace swoop {

namespace {
detail::PubSubNode& current_node() {
  detail::PubSubNode* node = detail::PubSubNode::current();
  if (node == nullptr) throw std::logic_error("a Subscription needs a running server's worker");
  return *node;
}
}  // namespace

Subscription::Subscription(std::string_view topic, SubscribeOptions options)
    : state_(std::make_unique<detail::SubscriptionState>(current_node(), options)) {
  state_->subscribe(topic);
}

Subscription::~Subscription() = default;

void Subscription::subscribe(std::string_view topic) { state_->subscribe(topic); }
void Subscription::unsubscribe(std::string_view topic) { state_->unsubscribe(topic); }
Subscription::NextAwaiter Subscription::next() noexcept { return NextAwaiter{state_.get()}; }
std::uint64_t Subscription::dropped() const noexcept { return state_->dropped(); }
bool Subscription::is_closed() const noexcept { return state_->is_closed(); }

Subscription::NextAwaiter::~NextAwaiter() {
  if (cancel_ != nullptr) cancel_->remove(reg_);
}

bool Subscription::NextAwaiter::await_ready() const noexcept { return s_->ready(); }

bool Subscription::NextAwaiter::suspend(std::coroutine_handle<> h,
                                        detail::CancelState* cancel) noexcept {
  if (cancel != nullptr && cancel->is_cancelled()) {
    cancelled_ = true;
    return false;
  }
  s_->set_waiter(h);
  cancel_ = cancel;
  if (cancel_ != nullptr) {
    reg_.fn = [](void* self) noexcept {
      auto* a = static_cast<NextAwaiter*>(self);
      a->cancelled_ = true;
      a->s_->wake();  // through the loop, never inline
    };
    reg_.ctx = this;
    cancel_->add(reg_);
  }
  return true;
}

std::optional<TopicMessage> Subscription::NextAwaiter::await_resume() {
  if (cancel_ != nullptr) {
    cancel_->remove(reg_);
    cancel_ = nullptr;
  }
  if (cancelled_) throw Cancelled{};
  return s_->pop();
}

}  // namespace swoop
