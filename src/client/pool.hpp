// SPDX-License-Identifier: MIT
// Internal: the client's keep-alive pool for one origin, with its per-host limit and waiters.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

#include "client/connection.hpp"

namespace swoop::http::detail {

struct PoolWaiter;

/// The connections of one (scheme, host, port): idle ones, and a count of all that are open.
///
/// Lifetime: owned by the Client's Impl, in a node-based map (addresses stay stable).
struct HostPool {
  std::vector<std::unique_ptr<Connection>> idle;
  std::deque<PoolWaiter*> waiters;
  std::size_t open = 0;  // idle + in use + being opened; at most max_per_host
  std::size_t max = 8;
  std::chrono::milliseconds idle_timeout{30'000};

  /// Resumes the oldest waiter (at the loop's next turn), if any, to look for a slot again.
  void wake_one() noexcept;
};

/// The right to use one connection slot of a pool; returns the slot when destroyed.
///
/// conn is null when the holder must open a new connection itself.
class Lease {
 public:
  Lease(HostPool& pool, std::unique_ptr<Connection> conn) noexcept
      : pool_(&pool), conn_(std::move(conn)) {}
  Lease(Lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() { discard(); }

  Connection* get() const noexcept { return conn_.get(); }
  void set(std::unique_ptr<Connection> conn) noexcept { conn_ = std::move(conn); }
  /// Puts the connection back into the pool as idle.
  void give_back() noexcept;
  /// Closes the connection (if any) and frees the slot.
  void discard() noexcept;

 private:
  HostPool* pool_;
  std::unique_ptr<Connection> conn_;
};

/// Waits for a free slot or an idle connection of pool. Throws swoop::Cancelled.
Task<Lease> acquire(HostPool& pool);

}  // namespace swoop::http::detail
