// SPDX-License-Identifier: MIT
// RawSocket: a blocking loopback TCP client for tests that need byte-level control.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace swoop::test {

/// Opens a socket listening on 127.0.0.1 at a port the kernel picks; returns the descriptor
/// and sets port. Throws std::runtime_error when that fails.
inline int listen_loopback(std::uint16_t& port, int backlog = 64) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("listen on 127.0.0.1: " + std::to_string(e));
  }
  port = ntohs(addr.sin_port);
  return fd;
}

/// A connected socket to 127.0.0.1:port; closed (or reset) on destruction.
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawSocket() { close(); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  /// Sends every byte (returns false if the peer is gone).
  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Reads until `until` appears in what was received, EOF, or the timeout; returns it all.
  std::string read_until(std::string_view until, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (received_.find(until) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(left)) break;
    }
    return received_;
  }
  /// Reads until the peer closes or the timeout passes; returns whether it closed.
  bool wait_closed(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      read_some(left);
    }
    return true;
  }
  /// Half-closes the sending side.
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  /// Closes with a reset instead of a FIN.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::string& received() const noexcept { return received_; }
  /// Waits up to timeout for more bytes and appends them; false on EOF or timeout.
  bool read_more(std::chrono::milliseconds timeout) { return read_some(timeout); }
  /// Drops the first n received bytes (already looked at).
  void consume(std::size_t n) { received_.erase(0, n); }
  /// The socket's file descriptor.
  int native_handle() const noexcept { return fd_; }
  bool is_eof() const noexcept { return eof_; }
  /// Whether the connection ended with a reset rather than a FIN.
  bool was_reset() const noexcept { return reset_; }

 private:
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      reset_ = n < 0 && errno == ECONNRESET;
      eof_ = true;
      return false;
    }
    received_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string received_;
  bool eof_ = false;
  bool reset_ = false;
};

}  // namespace swoop::test
