// SPDX-License-Identifier: MIT
// Internal: an opened file and the response it gives a request (validators, conditional
// requests, ranges), apart from the I/O, so that the fuzz target reaches it directly.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/static_files.hpp"

namespace swoop::detail {

/// An open file descriptor, closed with its owner.
struct Fd {
  int value = -1;
  Fd() = default;
  Fd(Fd&& o) noexcept : value(std::exchange(o.value, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      value = std::exchange(o.value, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() noexcept {
    if (value >= 0) ::close(value);
    value = -1;
  }
};

/// What opening a path found.
struct Opened {
  Fd fd;
  bool found = false;
  bool is_dir = false;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;     // seconds
  std::int64_t mtime_ns = 0;  // nanoseconds part
  std::string content;        // a small file's bytes
  std::string listing;        // a directory's listing (when asked for)
  std::string name;           // the file name, for the content type
};

/// The answer to req for the regular file f: 200, 206 (one range, or multipart/byteranges),
/// 304, 412 or 416, with its validators. The body is f.content, or read from f.fd (taken)
/// when the file is larger than the small files read whole. Throws nothing of its own.
Response respond(const Request& req, Opened&& f, const FileOptions& o);

}  // namespace swoop::detail
