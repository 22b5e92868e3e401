// SPDX-License-Identifier: MIT
// Context: typed slots where middleware, handlers and listeners share data.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace swoop {

/// Storage keyed by type (one value per type), like Sanic's ctx objects but typed: per request
/// (req.ctx()), per app (app.ctx()) and per worker (App::worker_ctx()).
///
/// Middleware defines a small struct for its state and stores it with emplace<T>(); handlers
/// read it with get<T>() or find<T>(). Nothing is allocated until a slot is used.
/// Example:
///     struct User { std::string name; };
///     req.ctx().emplace<User>("ada");
///     auto& user = req.ctx().get<User>();
class Context {
 public:
  /// Stores a T built from args, replacing a previous T; returns it.
  template <typename T, typename... Args>
  T& emplace(Args&&... args) {
    auto value = std::make_shared<T>(std::forward<Args>(args)...);
    T& ref = *value;
    for (auto& slot : slots_) {
      if (slot.key == key<T>()) {
        slot.value = std::move(value);
        return ref;
      }
    }
    slots_.push_back({key<T>(), std::move(value)});
    return ref;
  }
  /// The stored T, or nullptr.
  template <typename T>
  T* find() const noexcept {
    for (const auto& slot : slots_) {
      if (slot.key == key<T>()) return static_cast<T*>(slot.value.get());
    }
    return nullptr;
  }
  /// The stored T; throws std::out_of_range when there is none.
  template <typename T>
  T& get() const {
    if (T* p = find<T>()) return *p;
    throw std::out_of_range("context has no value of the requested type");
  }
  /// Whether a T is stored.
  template <typename T>
  bool contains() const noexcept {
    return find<T>() != nullptr;
  }
  /// Drops every slot.
  void clear() noexcept { slots_.clear(); }

 private:
  template <typename T>
  static const void* key() noexcept {
    static const char tag = 0;
    return &tag;
  }
  struct Slot {
    const void* key;
    std::shared_ptr<void> value;
  };
  std::vector<Slot> slots_;
};

/// The per-request context type.
using RequestContext = Context;

}  // namespace swoop
