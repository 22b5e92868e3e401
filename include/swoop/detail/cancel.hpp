// SPDX-License-Identifier: MIT
// Cooperative cancellation state shared by the tasks of one root (or one gather / timeout group).
#pragma once

#include "swoop/config.hpp"

namespace swoop::detail {

/// A callback registered with a CancelState; intrusive, so registering allocates nothing.
///
/// Lifetime: the registration must stay alive (usually inside an awaiter in a suspended frame)
/// until it is removed or has fired.
struct CancelRegistration {
  void (*fn)(void* ctx) noexcept = nullptr;
  void* ctx = nullptr;
  CancelRegistration* prev = nullptr;
  CancelRegistration* next = nullptr;
  bool linked = false;
};

/// Whether a group of tasks was asked to stop, and who to tell when it is.
///
/// cancel() sets the flag and calls every registration once. Callbacks must not resume
/// coroutines inline: they stop their operation and let the loop resume the waiter.
/// Thread safety: loop-affine.
class CancelState {
 public:
  CancelState() = default;
  CancelState(const CancelState&) = delete;
  CancelState& operator=(const CancelState&) = delete;
  ~CancelState() { SWOOP_ASSERT(head_ == nullptr, "cancel registrations outlive their state"); }

  /// Whether cancel() was called.
  bool is_cancelled() const noexcept { return cancelled_; }

  /// Marks the group cancelled and notifies every registration (once).
  void cancel() noexcept {
    if (cancelled_) return;
    cancelled_ = true;
    while (head_ != nullptr) {
      CancelRegistration* r = head_;
      remove(*r);
      r->fn(r->ctx);
    }
  }

  /// Makes the state reusable for a new group; no registration may be pending.
  void reset() noexcept {
    SWOOP_ASSERT(head_ == nullptr, "reset with cancel registrations pending");
    cancelled_ = false;
  }

  /// Registers r to be called on cancel(); if already cancelled, r is not added.
  void add(CancelRegistration& r) noexcept {
    SWOOP_ASSERT(!r.linked, "registration added twice");
    if (cancelled_) return;
    r.prev = nullptr;
    r.next = head_;
    if (head_ != nullptr) head_->prev = &r;
    head_ = &r;
    r.linked = true;
  }

  /// Unregisters r; harmless when r is not registered.
  void remove(CancelRegistration& r) noexcept {
    if (!r.linked) return;
    if (r.prev != nullptr)
      r.prev->next = r.next;
    else
      head_ = r.next;
    if (r.next != nullptr) r.next->prev = r.prev;
    r.prev = r.next = nullptr;
    r.linked = false;
  }

 private:
  CancelRegistration* head_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace swoop::detail

namespace swoop::detail {

/// A child cancel state that is cancelled when its parent is (gather groups, with_timeout).
///
/// Lifetime: must be destroyed before the parent state; unlinks itself in its destructor.
class CancelLink {
 public:
  explicit CancelLink(CancelState* parent) noexcept : parent_(parent) {
    reg_.fn = [](void* ctx) noexcept { static_cast<CancelState*>(ctx)->cancel(); };
    reg_.ctx = &state_;
    if (parent_ != nullptr) {
      if (parent_->is_cancelled())
        state_.cancel();
      else
        parent_->add(reg_);
    }
  }
  CancelLink(const CancelLink&) = delete;
  CancelLink& operator=(const CancelLink&) = delete;
  ~CancelLink() {
    if (parent_ != nullptr) parent_->remove(reg_);
  }

  /// The child state to bind tasks to.
  CancelState& state() noexcept { return state_; }

 private:
  CancelState state_;
  CancelRegistration reg_;
  CancelState* parent_;
};

}  // namespace swoop::detail
