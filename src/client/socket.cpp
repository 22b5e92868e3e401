// SPDX-License-Identifier: MIT
// The client's socket: uv_getaddrinfo, uv_tcp_connect, uv_write and reads as awaiters.
#include "client/socket.hpp"

#include <cstring>

#include "runtime/cancellable_awaiter.hpp"
#include "swoop/client.hpp"
#include "swoop/loop.hpp"

namespace swoop::http::detail {

using swoop::detail::CancellableAwaiter;

namespace {

struct DnsWaiter : CancellableAwaiter<DnsWaiter> {
  std::string host;
  std::string port;
  uv_getaddrinfo_t req{};
  addrinfo* result = nullptr;
  int status = 0;

  bool start() {
    req.data = this;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    status = uv_getaddrinfo(Loop::current().native(), &req, &on_done, host.c_str(), port.c_str(),
                            &hints);
    return status == 0;
  }
  void stop() noexcept { uv_cancel(reinterpret_cast<uv_req_t*>(&req)); }
  static void on_done(uv_getaddrinfo_t* r, int status, addrinfo* res) noexcept {
    auto* self = static_cast<DnsWaiter*>(r->data);
    self->status = status;
    self->result = res;
    self->complete();
  }
  std::vector<Address> await_resume() {
    struct Free {
      addrinfo* p;
      ~Free() { uv_freeaddrinfo(p); }
    } guard{result};
    if (cancelled || status == UV_ECANCELED) throw Cancelled{};
    if (status != 0) {
      throw ClientError(ClientErrorKind::dns,
                        "DNS: cannot resolve " + host + ": " + uv_strerror(status),
                        uv_error(status));
    }
    std::vector<Address> out;
    for (addrinfo* a = result; a != nullptr; a = a->ai_next) {
      if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
      Address addr;
      std::memcpy(&addr.storage, a->ai_addr, a->ai_addrlen);
      char text[INET6_ADDRSTRLEN] = {};
      if (a->ai_family == AF_INET)
        uv_ip4_name(reinterpret_cast<sockaddr_in*>(a->ai_addr), text, sizeof text);
      else
        uv_ip6_name(reinterpret_cast<sockaddr_in6*>(a->ai_addr), text, sizeof text);
      addr.text = text;
      out.push_back(std::move(addr));
    }
    if (out.empty()) throw ClientError(ClientErrorKind::dns, "DNS: no address for " + host);
    return out;
  }
};

}  // namespace

Task<std::vector<Address>> resolve(std::string host, std::uint16_t port) {
  DnsWaiter w;
  w.host = std::move(host);
  w.port = std::to_string(port);
  co_return co_await w;
}

struct ConnectWaiter : CancellableAwaiter<ConnectWaiter> {
  Socket* socket;
  const Address* addr;
  uv_connect_t req{};
  int status = 0;

  ConnectWaiter(Socket* s, const Address* a) : socket(s), addr(a) {}
  bool start() {
    req.data = this;
    status = uv_tcp_connect(&req, &socket->tcp_, reinterpret_cast<const sockaddr*>(&addr->storage),
                            &on_done);
    return status == 0;
  }
  // Closing the handle makes libuv call on_done with UV_ECANCELED.
  void stop() noexcept { socket->close(); }
  static void on_done(uv_connect_t* r, int status) noexcept {
    auto* self = static_cast<ConnectWaiter*>(r->data);
    self->status = status;
    if (status == 0) self->socket->start_reading();
    self->complete();
  }
  int await_resume() const {
    if (cancelled) throw Cancelled{};
    return status;
  }
};

namespace {

struct WriteWaiter : CancellableAwaiter<WriteWaiter> {
  Socket* socket;
  uv_stream_t* stream;
  uv_buf_t buf;
  uv_write_t req{};
  int status = 0;

  bool start() {
    req.data = this;
    status = uv_write(&req, stream, &buf, 1, &on_done);
    return status == 0;
  }
  void stop() noexcept { socket->close(); }
  static void on_done(uv_write_t* r, int status) noexcept {
    auto* self = static_cast<WriteWaiter*>(r->data);
    self->status = status;
    self->complete();
  }
  int await_resume() const {
    if (cancelled) throw Cancelled{};
    return status;
  }
};

}  // namespace

struct ReadWaiter : CancellableAwaiter<ReadWaiter> {
  Socket* socket;
  bool start() {
    if (!socket->in_.empty() || socket->status_ != 0 || socket->closing_) return false;
    socket->reader_ = this;
    return true;
  }
  // Closing stops reading without a callback: on_close resumes the reader.
  void stop() noexcept { socket->close(); }
  std::string await_resume() {
    if (cancelled) throw Cancelled{};
    if (!socket->in_.empty()) return std::exchange(socket->in_, {});
    if (socket->status_ == 0 && socket->closing_) throw Cancelled{};
    if (socket->status_ == UV_EOF) return {};
    throw SystemError(uv_error(socket->status_), "read");
  }
};

Socket* Socket::create() {
  auto* s = new Socket;
  uv_tcp_init(Loop::current().native(), &s->tcp_);
  uv_tcp_nodelay(&s->tcp_, 1);
  s->tcp_.data = s;
  return s;
}

void Socket::start_reading() noexcept {
  const int r = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &on_alloc, &on_read);
  if (r != 0) status_ = r;
}

void Socket::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<Socket*>(h->data);
  *buf = uv_buf_init(self->buf_, sizeof self->buf_);
}

void Socket::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t*) noexcept {
  auto* self = static_cast<Socket*>(s->data);
  if (n == 0) return;
  if (n > 0) {
    self->in_.append(self->buf_, static_cast<std::size_t>(n));
  } else {
    self->status_ = static_cast<int>(n);
    uv_read_stop(s);
  }
  if (self->idle_) {
    // The server closed an idle pooled connection (or broke the protocol): drop it now.
    self->close();
    return;
  }
  if (ReadWaiter* r = std::exchange(self->reader_, nullptr)) r->complete();
}

void Socket::close() noexcept {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &on_close);
}

void Socket::on_close(uv_handle_t* h) noexcept {
  auto* self = static_cast<Socket*>(h->data);
  if (self->owner_ != nullptr) *self->owner_ = nullptr;
  // A pending reader resumes (and sees the close as cancellation) before the memory goes.
  if (ReadWaiter* r = std::exchange(self->reader_, nullptr)) r->complete();
  delete self;
}

Task<int> Socket::connect(const Address& addr) { co_return co_await ConnectWaiter{this, &addr}; }

Task<int> Socket::write(std::string data) {
  if (closing_) co_return UV_ECANCELED;
  WriteWaiter w;
  w.socket = this;
  w.stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  w.buf = uv_buf_init(data.data(), static_cast<unsigned>(data.size()));
  co_return co_await w;
}

Task<std::string> Socket::read() {
  ReadWaiter w;
  w.socket = this;
  co_return co_await w;
}

}  // namespace swoop::http::detail
