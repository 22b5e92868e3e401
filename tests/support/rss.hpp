// SPDX-License-Identifier: MIT
// The process's resident set, now and at its peak over a stretch of a test: for tests whose
// point is that memory stays bounded.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace swoop::test {

/// Whether the process's resident set measures what the code holds. Not under
/// ThreadSanitizer (GCC defines __SANITIZE_THREAD__ for -fsanitize=thread): its shadow memory
/// and per-thread state grow with every thread and page touched (a test that read 2.6 MB grew
/// by 55 MB there), so RSS bounds are asserted in the ASan and Release runs only.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool rss_is_measurable = false;
#else
inline constexpr bool rss_is_measurable = true;
#endif

/// Whether memory freed stays resident for a while: AddressSanitizer holds freed blocks in its
/// quarantine (256 MB by default) to catch uses after free, so there the resident set counts
/// what was allocated over a test, not what was held at once. (GCC defines
/// __SANITIZE_ADDRESS__ for -fsanitize=address.)
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool rss_keeps_freed = true;
#else
inline constexpr bool rss_keeps_freed = false;
#endif

/// The process's resident set in KiB (/proc/self/statm).
inline long resident_kib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

/// Samples the resident set every 2 ms on a thread, to catch a peak freed before the end.
class RssPeak {
 public:
  RssPeak() : start_(resident_kib()), peak_(start_), thread_([this] { sample(); }) {}
  ~RssPeak() { stop(); }
  RssPeak(const RssPeak&) = delete;
  RssPeak& operator=(const RssPeak&) = delete;
  /// Stops sampling; returns the largest resident set seen, in KiB.
  long stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
      peak_ = std::max(peak_.load(), resident_kib());
    }
    return peak_;
  }
  /// Stops sampling; returns how far the peak rose above the resident set at construction.
  long growth_kib() { return stop() - start_; }

 private:
  void sample() {
    while (!stop_) {
      peak_ = std::max(peak_.load(), resident_kib());
      std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
  }
  long start_;
  std::atomic<long> peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace swoop::test
