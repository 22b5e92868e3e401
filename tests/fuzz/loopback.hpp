// SPDX-License-Identifier: MIT
// Helpers of the fuzz targets that talk to a real server over loopback TCP (request_fuzz,
// h2_fuzz): connect, write, read with deadlines.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz_support.hpp"

namespace swoop_fuzz {

/// Connects to 127.0.0.1:port. Hundreds of thousands of short connections can run out of
/// local ports for a moment (EADDRNOTAVAIL), so that is retried for up to two seconds.
inline int connect_to(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0;; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(fd >= 0, "socket() failed");
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    const int error = errno;
    ::close(fd);
    if (attempt == 200 || (error != EADDRNOTAVAIL && error != EAGAIN && error != EINTR)) {
      std::fprintf(stderr, "connect: %s\n", std::strerror(error));
      check(false, "connect() failed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

/// Writes bytes; stops quietly when the server closed early (a 400, a GOAWAY): what it
/// answered is kept for the checks.
inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// How reading stopped: the server closed (FIN: all it sent is here), reset the connection
/// (what it sent last may be lost), or nothing came for a while.
enum class End { closed, reset, quiet };

/// Appends what arrives to out until the server closes, `budget` passes, or nothing came for
/// `quiet`.
inline End receive(int fd, std::string& out, std::chrono::milliseconds budget,
                   std::chrono::milliseconds quiet) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  char buf[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return End::quiet;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min(left, quiet).count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return End::quiet;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return End::closed;
    if (n < 0) return End::reset;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace swoop_fuzz
