// SPDX-License-Identifier: MIT
// Server: binds SO_REUSEPORT sockets and runs one Worker per thread.
#include "swoop/server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/tls_stream.hpp"
#include "pubsub/redis.hpp"
#include "server/service.hpp"
#include "server/worker.hpp"
#include "swoop/error.hpp"
#include "swoop/log.hpp"

namespace swoop {

namespace {

sockaddr_storage resolve(const std::string& host, std::uint16_t port) {
  sockaddr_storage ss{};
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (uv_ip4_addr(h.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss)) == 0) return ss;
  if (uv_ip6_addr(h.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss)) == 0) return ss;
  throw std::invalid_argument("host must be an IPv4 or IPv6 address literal: " + host);
}

// "127.0.0.1:8000" or "[::1]:8000", for messages.
std::string address_text(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    uv_ip6_name(a, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
  uv_ip4_name(a, host, sizeof host);
  return fmt::format("{}:{}", host, ntohs(a->sin_port));  // (GCC 12 -Wrestrict misfires on +)
}

int bind_socket(const sockaddr_storage& addr) {
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SystemError(errno, std::generic_category(), "socket");
  const int one = 1;
  // libuv 1.44 has no flag for SO_REUSEPORT: set it before bind and hand the fd to uv_tcp_open.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    const int e = errno;
    ::close(fd);
    throw SystemError(e, std::generic_category(), "setsockopt(SO_REUSEPORT)");
  }
  const socklen_t len = addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    const int e = errno;
    ::close(fd);
    throw SystemError(e, std::generic_category(), "bind " + address_text(addr));
  }
  return fd;
}

// Workers bind with SO_REUSEPORT, which would let this process join another one that already
// listens on the address (a second copy of a service, an old version) and split its traffic.
// A bind without SO_REUSEPORT fails with EADDRINUSE when anyone listens there; SO_REUSEADDR
// keeps the sockets of a previous run still in TIME_WAIT from counting.
void check_address_free(const sockaddr_storage& addr) {
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SystemError(errno, std::generic_category(), "socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const socklen_t len = addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  const int r = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len);
  const int e = errno;
  ::close(fd);
  if (r != 0) {
    throw SystemError(e, std::generic_category(),
                      "bind " + address_text(addr) +
                          (e == EADDRINUSE ? " (another process listens there; "
                                             "RunOptions::share_port joins it on purpose)"
                                           : ""));
  }
}

std::uint16_t port_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise, read once at its
// first use) runs run_blocking work, file work and the client's DNS lookups. Each worker's
// client runs at most 4 lookups at once (src/client/socket.cpp), so a pool of 4 threads per
// worker plus 4 keeps 4 threads for the rest however slow DNS is. A value the user set wins.
void size_thread_pool(int workers) {
  if (std::getenv("UV_THREADPOOL_SIZE") != nullptr) return;
  const int size = std::min(4 + 4 * workers, 1024);  // libuv's own maximum
  setenv("UV_THREADPOOL_SIZE", std::to_string(size).c_str(), 0);
}

// The connection cap per worker follows RLIMIT_NOFILE: past the descriptor limit accept fails
// (EMFILE) and a new client would wait in the backlog whatever max_connections says, with no
// idle connection closed for it. A share of the limit is kept for files, the client's sockets
// and libuv's own descriptors.
std::size_t connection_cap(std::size_t asked, int workers) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return asked;
  const auto total = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t reserve = 64 + total / 10;
  const std::size_t share =
      total > reserve ? (total - reserve) / static_cast<std::size_t>(workers) : 1;
  if (share >= asked) return asked;
  // Said at info level only when the descriptor limit is the likely bottleneck.
  log(share < 1024 ? LogLevel::info : LogLevel::debug,
      "max_connections {} per worker is more than the descriptor limit allows (ulimit -n {}, {} "
      "worker{}): {} per worker",
      asked, total, workers, workers == 1 ? "" : "s", std::max<std::size_t>(share, 1));
  return std::max<std::size_t>(share, 1);
}

}  // namespace

struct Server::Impl {
  Impl(App& app, RunOptions o) : service(detail::make_app_service(app)), options(std::move(o)) {}
  std::unique_ptr<detail::Service> service;
  RunOptions options;
  std::uint16_t port = 0;
  std::unique_ptr<net::ServerTlsContext> tls;  // HTTPS; shared by the workers
  std::vector<std::unique_ptr<detail::Worker>> workers;
  std::vector<std::thread> threads;
  bool started = false;
  std::mutex mutex;  // guards running and on_stopped
  int running = 0;
  std::function<void()> on_stopped;
};

Server::Server(App& app, RunOptions options)
    : impl_(std::make_unique<Impl>(app, std::move(options))) {
  if (impl_->options.workers < 0) throw std::invalid_argument("workers must be >= 0");
  if (impl_->options.pubsub_url->empty()) {  // App::pubsub, without run()
    impl_->options.pubsub_url = app.config().get<std::string>("pubsub_url");
  }
  if (impl_->options.workers == 0) {
    impl_->options.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
}

Server::~Server() {
  stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

void Server::start() {
  if (impl_->started) throw std::logic_error("Server::start called twice");
  // A peer that vanishes mid-write must never kill the process (libuv does not ignore it).
  std::signal(SIGPIPE, SIG_IGN);
  size_thread_pool(impl_->options.workers);
  impl_->options.http2.check();
  if (!impl_->options.pubsub_url->empty()) detail::parse_redis_url(*impl_->options.pubsub_url);
  if (const TlsOptions& tls = impl_->options.tls; tls.is_enabled()) {
    if (tls.cert_file->empty() || tls.key_file->empty()) {
      throw std::invalid_argument("TLS needs both a certificate file and a key file");
    }
    impl_->tls = std::make_unique<net::ServerTlsContext>(tls.cert_file, tls.key_file,
                                                         impl_->options.http2.enabled);
  }
  sockaddr_storage addr = resolve(impl_->options.host, impl_->options.port);
  if (impl_->options.port != 0 && !impl_->options.share_port) check_address_free(addr);
  impl_->options.max_connections =
      connection_cap(impl_->options.max_connections, impl_->options.workers);
  std::vector<int> fds;
  try {
    for (int i = 0; i < impl_->options.workers; ++i) {
      fds.push_back(bind_socket(addr));
      if (i == 0) {
        // With port 0 the first bind picks the port; the other sockets share it.
        impl_->port = port_of(fds[0]);
        if (addr.ss_family == AF_INET6)
          reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(impl_->port);
        else
          reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(impl_->port);
      }
      if (::listen(fds.back(), impl_->options.backlog) != 0) {
        throw SystemError(errno, std::generic_category(), "listen");
      }
    }
  } catch (...) {
    for (int fd : fds) ::close(fd);
    throw;
  }
  impl_->service->freeze(impl_->options);
  impl_->started = true;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    impl_->workers.push_back(std::make_unique<detail::Worker>(
        *impl_->service, impl_->options, fds[i], static_cast<int>(i),
        impl_->tls ? impl_->tls->native() : nullptr));
  }
  impl_->running = static_cast<int>(fds.size());
  impl_->service->set_ready(true);
  for (auto& w : impl_->workers) {
    impl_->threads.emplace_back([this, &w] {
      w->run();
      // A worker that could not start stops the others: the app cannot serve half-ready.
      if (w->start_error()) stop();
      std::lock_guard lock{impl_->mutex};
      if (--impl_->running == 0 && impl_->on_stopped) impl_->on_stopped();
    });
  }
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

std::size_t Server::connections() const noexcept {
  std::size_t n = 0;
  for (const auto& w : impl_->workers) n += w->open_connections();
  return n;
}

std::size_t Server::buffered_bytes() const noexcept {
  std::size_t n = 0;
  for (const auto& w : impl_->workers) n += w->buffered_bytes();
  return n;
}

void Server::stop() noexcept {
  // Not ready first: /readyz answers 503 before any listener closes (after the drain delay).
  if (impl_->started) impl_->service->set_ready(false);
  for (auto& w : impl_->workers) w->stop();
}

void Server::wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  for (auto& w : impl_->workers) {
    if (auto e = w->start_error()) std::rethrow_exception(e);
  }
}

void Server::on_all_stopped(std::function<void()> fn) {
  std::lock_guard lock{impl_->mutex};
  impl_->on_stopped = std::move(fn);
  if (impl_->on_stopped && impl_->started && impl_->running == 0) impl_->on_stopped();
}

}  // namespace swoop
