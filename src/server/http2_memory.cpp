// SPDX-License-Identifier: MIT
// http2_memory: a per-thread cache of small blocks for nghttp2.
#include "server/http2_memory.hpp"

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SWOOP_HTTP2_MEMORY_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SWOOP_HTTP2_MEMORY_CACHE 0
#endif
#endif
#ifndef SWOOP_HTTP2_MEMORY_CACHE
#define SWOOP_HTTP2_MEMORY_CACHE 1
#endif

namespace swoop::detail {

#if SWOOP_HTTP2_MEMORY_CACHE
namespace {

// Each block starts with a header holding its capacity; the header keeps the alignment
// malloc gives. Blocks of up to class_size * classes bytes come in classes of class_size.
constexpr std::size_t header = alignof(std::max_align_t);
constexpr std::size_t class_size = 16;
constexpr std::size_t classes = 32;  // up to 512 bytes
constexpr std::size_t cache_limit = 1 << 20;

std::size_t& capacity_of(void* block) noexcept { return *static_cast<std::size_t*>(block); }
void* user(void* block) noexcept { return static_cast<char*>(block) + header; }
void* block_of(void* p) noexcept { return static_cast<char*>(p) - header; }

// Freed blocks by class, linked through their first word after the header.
struct Cache {
  void* heads[classes] = {};
  std::size_t bytes = 0;

  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  ~Cache() {
    for (void*& head : heads) {
      while (head != nullptr) {
        void* next = *static_cast<void**>(user(head));
        std::free(head);
        head = next;
      }
    }
  }
};

thread_local Cache cache;

void* allocate(std::size_t size, void*) {
  const std::size_t n = (size + class_size - 1) / class_size;
  if (n == 0 || n > classes) {
    void* block = std::malloc(header + size);
    if (block == nullptr) return nullptr;
    capacity_of(block) = size;
    return user(block);
  }
  void*& head = cache.heads[n - 1];
  void* block = head;
  if (block != nullptr) {
    head = *static_cast<void**>(user(block));
    cache.bytes -= n * class_size;
    return user(block);
  }
  block = std::malloc(header + n * class_size);
  if (block == nullptr) return nullptr;
  capacity_of(block) = n * class_size;
  return user(block);
}

void release(void* p, void*) {
  if (p == nullptr) return;
  void* block = block_of(p);
  const std::size_t capacity = capacity_of(block);
  // A block of a class has a capacity of whole classes; a larger one came from malloc whole.
  if (capacity == 0 || capacity > classes * class_size || capacity % class_size != 0 ||
      cache.bytes + capacity > cache_limit) {
    std::free(block);
    return;
  }
  void*& head = cache.heads[capacity / class_size - 1];
  *static_cast<void**>(p) = head;
  head = block;
  cache.bytes += capacity;
}

void* allocate_zeroed(std::size_t count, std::size_t size, void* data) {
  if (size != 0 && count > static_cast<std::size_t>(-1) / size) return nullptr;
  void* p = allocate(count * size, data);
  if (p != nullptr) std::memset(p, 0, count * size);
  return p;
}

void* reallocate(void* p, std::size_t size, void* data) {
  if (p == nullptr) return allocate(size, data);
  const std::size_t capacity = capacity_of(block_of(p));
  if (size <= capacity) return p;
  void* q = allocate(size, data);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, capacity);
  release(p, data);
  return q;
}

nghttp2_mem memory{nullptr, &allocate, &release, &allocate_zeroed, &reallocate};

}  // namespace

nghttp2_mem* http2_memory() noexcept { return &memory; }
#else
nghttp2_mem* http2_memory() noexcept { return nullptr; }
#endif

}  // namespace swoop::detail
