// SPDX-License-Identifier: MIT
// Internal: bodies produced while they are sent (streams, files) and the connection they go to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "swoop/task.hpp"

namespace swoop::detail {

/// The connection side of a body being sent: implemented by the server's connection.
///
/// Lifetime: valid while the BodySource's send() Task runs; the connection waits for it.
class BodySink {
 public:
  /// Queues bytes of the body (framed as a chunk when the length is unknown). Throws
  /// swoop::Cancelled when the client is gone or the request was cancelled, and
  /// std::logic_error beyond a declared length.
  virtual void write(std::string_view data) = 0;
  /// Queues bytes as write() does, or keeps only a view of them and sends them from where they
  /// are (true): then they must stay valid and unchanged until wait_below(0) completed.
  virtual bool write_lent(std::string_view data) {
    write(data);
    return false;
  }
  /// Suspends until fewer than `mark` bytes wait to be written (0: all written and no write in
  /// flight). Throws swoop::Cancelled as write() does.
  virtual Task<void> wait_below(std::size_t mark) = 0;
  /// Sends len bytes of file descriptor fd from offset with sendfile; returns the bytes sent
  /// (0 when the socket is full: wait and try again). Everything written before must have
  /// gone out: call wait_below(0) first. Throws swoop::Cancelled or swoop::SystemError.
  virtual Task<std::size_t> send_file(int fd, std::uint64_t offset, std::size_t len) = 0;

 protected:
  ~BodySink() = default;
};

/// Produces a response body while it is sent.
///
/// Lifetime: held by the Response (shared by its copies); send() runs at most once.
class BodySource {
 public:
  virtual ~BodySource() = default;
  /// Writes the whole body to sink; an exception cuts the response (the connection closes).
  virtual Task<void> send(BodySink& sink) = 0;
  /// The body's length when known in advance (sent as Content-Length; otherwise chunked).
  std::optional<std::uint64_t> length;
};

}  // namespace swoop::detail
