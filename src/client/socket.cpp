// SPDX-License-Identifier: MIT
// The client's socket: uv_getaddrinfo, uv_tcp_connect, uv_write and reads as awaiters.
#include "client/socket.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <initializer_list>

#include "runtime/cancellable_awaiter.hpp"
#include "swoop/client.hpp"
#include "swoop/loop.hpp"

namespace swoop::http::detail {

using swoop::detail::CancellableAwaiter;

namespace {

struct DnsWaiter;

// Lookups run on libuv's thread pool, which file work shares: each loop runs at most
// kLookupsPerLoop at once and queues the rest (Server sizes the pool to match, see
// size_thread_pool), so a burst of slow lookups cannot take every pool thread.
constexpr int kLookupsPerLoop = 4;
struct DnsSlots {
  int running = 0;
  std::deque<DnsWaiter*> queued;
};
thread_local DnsSlots dns_slots;

struct DnsWaiter : CancellableAwaiter<DnsWaiter> {
  std::string host;
  std::string port;
  uv_getaddrinfo_t req{};
  addrinfo* result = nullptr;
  int status = 0;
  bool queued = false;

  bool start() {
    if (dns_slots.running >= kLookupsPerLoop) {
      queued = true;
      dns_slots.queued.push_back(this);
      return true;
    }
    return lookup();
  }
  // Takes a slot and starts the lookup; false (slot given back) when it failed at once.
  bool lookup() {
    req.data = this;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    status = uv_getaddrinfo(Loop::current().native(), &req, &on_done, host.c_str(), port.c_str(),
                            &hints);
    if (status == 0) ++dns_slots.running;
    return status == 0;
  }
  void stop() noexcept {
    if (!queued) {
      uv_cancel(reinterpret_cast<uv_req_t*>(&req));
      return;
    }
    // Never resume inline: resume at the loop's next iteration (the frame stays suspended
    // until then, so this waiter is alive). stop() runs from the cancel registration, which
    // cancel() unlinked already, so resuming is all complete() would do; call_soon() is
    // same-thread, with no std::function and no async handle (which shutdown may have closed).
    std::erase(dns_slots.queued, this);
    queued = false;
    status = UV_ECANCELED;
    Loop::current().call_soon(waiter);
  }
  // A slot came free: start queued lookups until one is running or none is left.
  static void start_queued() noexcept {
    while (dns_slots.running < kLookupsPerLoop && !dns_slots.queued.empty()) {
      DnsWaiter* next = dns_slots.queued.front();
      dns_slots.queued.pop_front();
      next->queued = false;
      if (!next->lookup()) next->complete();  // in a libuv callback: resuming is fine here
    }
  }
  static void on_done(uv_getaddrinfo_t* r, int status, addrinfo* res) noexcept {
    auto* self = static_cast<DnsWaiter*>(r->data);
    self->status = status;
    self->result = res;
    --dns_slots.running;
    start_queued();
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
    if (!socket->in_.empty()) return socket->take_input();
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
    // Nobody is reading (a write is pending, say): stop taking bytes until someone does, so
    // the kernel's buffers and TCP flow control hold the peer back instead of our memory.
    if (self->in_.size() >= max_buffered && self->reader_ == nullptr && !self->idle_) {
      uv_read_stop(s);
      self->paused_ = true;
    }
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

std::string Socket::take_input() noexcept {
  std::string out = std::exchange(in_, {});
  if (paused_ && !closing_ && status_ == 0) {
    paused_ = false;
    start_reading();
  }
  return out;
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

namespace swoop::http {

namespace {

bool in_v4(const std::uint8_t* a, std::uint32_t net, int bits) noexcept {
  const std::uint32_t v = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) |
                          (std::uint32_t{a[2]} << 8) | std::uint32_t{a[3]};
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (v & mask) == (net & mask);
}

std::string_view v4_class(const std::uint8_t* a) noexcept {
  struct Range {
    std::uint32_t net;
    int bits;
    std::string_view what;
  };
  static constexpr Range ranges[] = {
      {0x7f000000, 8, "a loopback address"},         {0x0a000000, 8, "a private address"},
      {0xac100000, 12, "a private address"},         {0xc0a80000, 16, "a private address"},
      {0xa9fe0000, 16, "a link-local address"},      {0x64400000, 10, "a shared (CGNAT) address"},
      {0x00000000, 8, "a \"this network\" address"}, {0xe0000000, 4, "a multicast address"},
      {0xf0000000, 4, "a reserved address"},  // 240/4, and 255.255.255.255 (broadcast)
      {0xc0000000, 24, "an IETF protocol address"},  {0xc0000200, 24, "a documentation address"},
      {0xc6336400, 24, "a documentation address"},   {0xcb007100, 24, "a documentation address"},
      {0xc6120000, 15, "a benchmarking address"},    {0xc0586300, 24, "a 6to4 relay address"},
  };
  for (const Range& r : ranges) {
    if (in_v4(a, r.net, r.bits)) return r.what;
  }
  return {};
}

bool has_prefix(const std::array<std::uint8_t, 16>& b, std::initializer_list<std::uint8_t> p,
                int bits) noexcept {
  int i = 0;
  for (std::uint8_t byte : p) {
    const int take = std::min(bits - i * 8, 8);
    if (take <= 0) break;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((b[static_cast<std::size_t>(i)] & mask) != (byte & mask)) return false;
    ++i;
  }
  return true;
}

}  // namespace

std::string IpAddress::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text, std::uint16_t port) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  const std::string s{text};
  IpAddress a;
  a.port = port;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.family = Family::v6;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::string_view address_class(const IpAddress& address) noexcept {
  const auto& b = address.bytes;
  if (address.family == IpAddress::Family::v4) return v4_class(b.data());
  static constexpr std::array<std::uint8_t, 16> zero{};
  if (std::equal(b.begin(), b.end() - 1, zero.begin())) {
    if (b[15] == 1) return "a loopback address";
    if (b[15] == 0) return "an unspecified address";
  }
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): judged by the embedded IPv4.
  if (has_prefix(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96) ||
      has_prefix(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) {
    return v4_class(b.data() + 12);
  }
  if (has_prefix(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return "an IPv4-compatible address";
  if (has_prefix(b, {0xfc}, 7)) return "a private address";
  if (has_prefix(b, {0xfe, 0x80}, 10)) return "a link-local address";
  if (has_prefix(b, {0xfe, 0xc0}, 10)) return "a site-local address";
  if (has_prefix(b, {0xff}, 8)) return "a multicast address";
  if (has_prefix(b, {0x20, 0x01, 0x0d, 0xb8}, 32)) return "a documentation address";
  if (has_prefix(b, {0x3f, 0xff, 0}, 20)) return "a documentation address";
  if (has_prefix(b, {0x01, 0, 0, 0, 0, 0, 0, 0}, 64)) return "a discard-only address";
  if (has_prefix(b, {0x20, 0x01, 0, 0}, 32)) return "a Teredo address";
  if (has_prefix(b, {0x20, 0x02}, 16)) return "a 6to4 address";
  if (has_prefix(b, {0x20, 0x01, 0x00, 0x10}, 28)) return "an ORCHID address";
  return {};
}

bool is_public_address(const IpAddress& address) noexcept { return address_class(address).empty(); }

}  // namespace swoop::http
