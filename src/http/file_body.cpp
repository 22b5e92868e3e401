// SPDX-License-Identifier: MIT
// File bodies (sendfile, with a buffered piece when the socket is full) and content types.
#include "http/file_body.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "swoop/blocking.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"
#include "swoop/static_files.hpp"

namespace swoop::detail {

namespace {

constexpr std::size_t sendfile_slice = 4 * 1024 * 1024;
constexpr std::size_t piece_size = 64 * 1024;

class FileBody final : public BodySource {
 public:
  FileBody(int fd, std::vector<FileSegment> segments) : fd_(fd), segments_(std::move(segments)) {
    std::uint64_t total = 0;
    for (const FileSegment& s : segments_) total += s.prefix.size() + s.length;
    length = total;
  }
  ~FileBody() override { ::close(fd_); }
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  Task<void> send(BodySink& sink) override {
    bool lent = false;  // the sink sends from piece_: it must not go before the sink is done
    for (const FileSegment& s : segments_) {
      sink.write(s.prefix);
      std::uint64_t offset = s.offset, left = s.length;
      while (left > 0) {
        co_await sink.wait_below(0);  // sendfile writes to the socket directly: queue first
        const std::size_t slice =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, sendfile_slice));
        std::size_t n = co_await sink.send_file(fd_, offset, slice);
        if (n == 0) {
          // The socket is full (or the bytes must be framed or encrypted): one piece through
          // the write queue, which waits until it drains.
          const std::size_t want =
              static_cast<std::size_t>(std::min<std::uint64_t>(left, piece_size));
          n = co_await read_piece(offset, want);
          if (n == 0) throw std::runtime_error("file shrank while being sent");
          lent = sink.write_lent({piece_.get(), n}) || lent;
        }
        offset += n;
        left -= n;
      }
    }
    if (lent) co_await sink.wait_below(0);
  }

 private:
  // Reads up to len bytes at offset into piece_: at once on the loop thread when the page
  // cache holds them (preadv2 with RWF_NOWAIT never waits for the disk), else on the thread
  // pool, which costs a round trip between threads (two futex wakes, a context switch or two).
  Task<std::size_t> read_piece(std::uint64_t offset, std::size_t len) {
    if (!piece_) piece_.reset(new char[piece_size]);  // not zero-filled: pread overwrites it
    if (try_nowait_) {
      iovec v{piece_.get(), len};
      ssize_t n;
      do {
        n = ::preadv2(fd_, &v, 1, static_cast<off_t>(offset), RWF_NOWAIT);
      } while (n < 0 && errno == EINTR);
      if (n > 0) co_return static_cast<std::size_t>(n);
      // Not cached yet (EAGAIN), the end of the file, or an error (RWF_NOWAIT unsupported by
      // this kernel or file system: not tried again): the pool's pread, which waits, decides.
      if (n < 0 && errno != EAGAIN) try_nowait_ = false;
    }
    co_return co_await run_blocking([fd = fd_, out = piece_.get(), offset, len] {
      ssize_t n;
      do {
        n = ::pread(fd, out, len, static_cast<off_t>(offset));
      } while (n < 0 && errno == EINTR);
      if (n < 0) throw SystemError(std::error_code{errno, std::system_category()}, "pread");
      return static_cast<std::size_t>(n);
    });
  }

  int fd_;
  std::vector<FileSegment> segments_;
  std::unique_ptr<char[]> piece_;  // piece_size bytes, once a piece is read
  bool try_nowait_ = true;
};

struct TypeEntry {
  std::string_view ext, type;
};

// Lower-case extensions; textual types carry charset=utf-8.
constexpr TypeEntry types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"bmp", "image/bmp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"bin", "application/octet-stream"},
};

}  // namespace

std::shared_ptr<BodySource> make_file_body(int fd, std::vector<FileSegment> segments) {
  return std::make_shared<FileBody>(fd, std::move(segments));
}

std::string_view content_type_of(std::string_view name) noexcept {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return "application/octet-stream";
  const std::string_view ext = name.substr(dot + 1);
  for (const TypeEntry& t : types) {
    if (iequals(t.ext, ext)) return t.type;
  }
  return "application/octet-stream";
}

}  // namespace swoop::detail
