// SPDX-License-Identifier: MIT
// background's job queue (one per worker) and the task that drains it.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <swoop/swoop.hpp>

namespace background {

/// What the workers need to know: where to report and how many jobs may wait per worker.
struct Settings {
  std::string collector = "http://127.0.0.1:8007/collect";
  std::size_t queue_limit = 100;
  int max_tries = 8;                             ///< collector POSTs before giving up
  std::chrono::milliseconds first_backoff{100};  ///< doubled after each failed POST
  std::chrono::milliseconds max_backoff{2000};
};

/// URLs waiting to be fetched, bounded. Loop-affine: one per worker, in App::worker_ctx().
class JobQueue {
 public:
  explicit JobQueue(std::size_t limit) : limit_(limit) {}
  /// Adds a URL; false when the queue is full.
  bool push(std::string url);
  /// The oldest URL, or nullopt when there is none.
  std::optional<std::string> pop();

 private:
  std::size_t limit_;
  std::deque<std::string> jobs_;
};

/// The calling worker's queue, created on first use.
JobQueue& worker_queue(const Settings& settings);

/// The background task of a worker: fetches each queued URL and reports it to the collector,
/// retrying with exponential backoff while the collector is down. Runs until cancelled.
swoop::Task<void> run_jobs(Settings settings);

}  // namespace background
