// SPDX-License-Identifier: MIT
// Per-thread free lists for coroutine frames, so a request's frames do not hit malloc.
#include "swoop/task.hpp"

#include <array>
#include <cstddef>
#include <new>

namespace swoop::detail {

namespace {

constexpr std::size_t granule = 64;
constexpr std::size_t class_count = 64;  // frames up to 4 KiB are pooled
constexpr std::size_t max_cached_per_class = 1024;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool pooling = false;  // let ASan see every frame's lifetime
#else
constexpr bool pooling = true;
#endif

struct FreeFrame {
  FreeFrame* next;
};

struct FramePool {
  std::array<FreeFrame*, class_count> heads{};
  std::array<std::size_t, class_count> counts{};
  ~FramePool() {
    for (FreeFrame*& head : heads) {
      while (head != nullptr) ::operator delete(std::exchange(head, head->next));
    }
    alive = false;
  }
  static thread_local bool alive;
};
thread_local bool FramePool::alive = true;
thread_local FramePool pool;

std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }

}  // namespace

void* frame_allocate(std::size_t size) {
  const std::size_t c = class_of(size);
  if (pooling && c < class_count && FramePool::alive) {
    if (FreeFrame* f = pool.heads[c]) {
      pool.heads[c] = f->next;
      --pool.counts[c];
      return f;
    }
    return ::operator new((c + 1) * granule);
  }
  return ::operator new(size);
}

void frame_deallocate(void* p, std::size_t size) noexcept {
  const std::size_t c = class_of(size);
  if (pooling && c < class_count && FramePool::alive && pool.counts[c] < max_cached_per_class) {
    pool.heads[c] = new (p) FreeFrame{pool.heads[c]};
    ++pool.counts[c];
    return;
  }
  ::operator delete(p);
}

}  // namespace swoop::detail
