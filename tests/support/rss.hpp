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

/// Under AddressSanitizer a freed block stays resident in the quarantine (256 MiB by default)
/// until that fills: a test that moves tens of MiB through the server calls this as it goes, so
/// that the resident set counts what is held, not what was ever allocated. (GCC defines
/// __SANITIZE_ADDRESS__ for -fsanitize=address; the function is libasan's. Each thread keeps
/// up to 1 MiB of freed blocks of its own, which this cannot reach.)
#if defined(__SANITIZE_ADDRESS__)
extern "C" void __sanitizer_purge_allocator();
inline void release_freed_memory() { __sanitizer_purge_allocator(); }
#else
inline void release_freed_memory() {}
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

/// Samples the resident set every 2 ms on a thread, to catch a peak freed before the end
/// (emptying ASan's quarantine before each sample: what is held counts, not what was freed).
class RssPeak {
 public:
  RssPeak()
      : start_((release_freed_memory(), resident_kib())),
        peak_(start_),
        thread_([this] { sample(); }) {}
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
      release_freed_memory();
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
