// SPDX-License-Identifier: MIT
// File bodies (sendfile, with a buffered piece when the socket is full) and content types.
#include "http/file_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
    for (const FileSegment& s : segments_) {
      sink.write(s.prefix);
      std::uint64_t offset = s.offset, left = s.length;
      while (left > 0) {
        co_await sink.wait_below(0);  // sendfile writes to the socket directly: queue first
        const std::size_t slice =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, sendfile_slice));
        std::size_t n = co_await sink.send_file(fd_, offset, slice);
        if (n == 0) {
          // The socket is full: one piece through the write queue waits until it drains.
          const std::size_t want =
              static_cast<std::size_t>(std::min<std::uint64_t>(left, piece_size));
          std::string piece = co_await read_piece(fd_, offset, want);
          if (piece.empty()) throw std::runtime_error("file shrank while being sent");
          n = piece.size();
          sink.write(piece);
        }
        offset += n;
        left -= n;
      }
    }
  }

 private:
  static Task<std::string> read_piece(int fd, std::uint64_t offset, std::size_t len) {
    return run_blocking([fd, offset, len] {
      std::string piece(len, '\0');
      ssize_t n;
      do {
        n = ::pread(fd, piece.data(), len, static_cast<off_t>(offset));
      } while (n < 0 && errno == EINTR);
      if (n < 0) throw SystemError(std::error_code{errno, std::system_category()}, "pread");
      piece.resize(static_cast<std::size_t>(n));
      return piece;
    });
  }

  int fd_;
  std::vector<FileSegment> segments_;
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
