// SPDX-License-Identifier: MIT
// Transport: one socket's reads, writes, TLS and closing, for the protocol on top.
#include "net/transport.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "net/tls_stream.hpp"
#include "swoop/log.hpp"

namespace swoop::net {

Transport::Transport(TransportHost& host, Protocol& owner) noexcept
    : host_(host), owner_(owner), protocol_(&owner) {
  uv_tcp_init(host.uv_loop(), &tcp_);
  tcp_.data = this;
}

Transport::~Transport() = default;

bool Transport::accept(uv_stream_t* server, SSL_CTX* tls) {
  if (uv_accept(server, stream()) != 0) {
    close();
    return false;
  }
  uv_tcp_nodelay(&tcp_, 1);
  uv_os_fd_t fd = -1;
  uv_fileno(handle(), &fd);
  fd_ = fd;
  if (tls != nullptr) {
    try {
      tls_ = std::make_unique<TlsStream>(tls, TlsStream::Role::server);
    } catch (const std::exception& e) {
      log(LogLevel::error, "TLS: {}", e.what());
      close();
      return false;
    }
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  char ip[64] = "";
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
      uv_ip6_name(a, ip, sizeof ip);
      remote_port_ = ntohs(a->sin6_port);
    } else {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
      uv_ip4_name(a, ip, sizeof ip);
      remote_port_ = ntohs(a->sin_port);
    }
  }
  remote_addr_ = ip;
  update_reading();
  return true;
}

void Transport::hand_back() noexcept { protocol_ = &owner_; }

std::string_view Transport::alpn() const noexcept {
  return tls_ ? tls_->alpn() : std::string_view{};
}

// ---- reading ---------------------------------------------------------------------------

void Transport::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) noexcept {
  auto* t = static_cast<Transport*>(h->data);
  if (t->tls_) {  // ciphertext goes to the session at once, from the host's scratch space
    *buf = uv_buf_init(t->host_.cipher_buffer(), TransportHost::cipher_buffer_size);
    return;
  }
  if (!t->in_) {
    t->in_ = t->host_.acquire_buffer();
    t->in_cap_ = TransportHost::buffer_size;
  }
  if (t->in_end_ == t->in_cap_ && !t->make_room()) {
    *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS to on_read
    return;
  }
  *buf = uv_buf_init(t->in_.get() + t->in_end_, static_cast<unsigned>(t->in_cap_ - t->in_end_));
}

bool Transport::make_room() {
  if (!protocol_->input_movable()) return false;
  if (in_start_ > 0) {
    std::memmove(in_.get(), in_.get() + in_start_, in_end_ - in_start_);
    in_end_ -= in_start_;
    in_start_ = 0;
    return true;
  }
  const std::size_t limit = host_.input_limit();
  if (in_cap_ >= limit) return false;
  const std::size_t cap = std::min(limit, std::max(in_cap_ * 2, protocol_->input_wanted()));
  const std::size_t held = in_cap_ == TransportHost::buffer_size ? 0 : in_cap_;
  if (!host_.draw_budget(*this, held, cap - held)) {
    budget_wait_ = true;  // reading stops (wants_input) until on_budget_returned()
    return false;
  }
  auto bigger = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(bigger.get(), in_.get(), in_end_);
  if (in_cap_ == TransportHost::buffer_size) host_.release_buffer(std::move(in_));
  in_ = std::move(bigger);
  in_cap_ = cap;
  return true;
}

void Transport::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* t = static_cast<Transport*>(s->data);
  if (nread > 0) {
    if (t->tls_) {
      t->on_cipher(buf->base, static_cast<std::size_t>(nread));
    } else if (t->state_ == State::lingering) {
      t->discard_input();  // read only to drain the socket
      t->release_input();
    } else {
      t->in_end_ += static_cast<std::size_t>(nread);
      t->protocol_->on_input();
    }
  } else if (nread == UV_ENOBUFS) {
    if (t->budget_wait_ || !t->protocol_->input_movable()) {
      t->update_reading();  // reading stops until room comes back
      return;
    }
    t->protocol_->on_input_full();
    if (!t->is_closing()) t->protocol_->on_input();
  } else if (nread < 0) {
    t->end_input();
    t->protocol_->on_peer_closed();
  }
}

void Transport::end_input() noexcept {
  if (reading_) uv_read_stop(stream());
  reading_ = false;
  peer_eof_ = true;
}

bool Transport::wants_input() const noexcept {
  if (state_ == State::closing || peer_eof_ || budget_wait_) return false;
  return state_ == State::lingering || protocol_->wants_input();
}

void Transport::update_reading() {
  if (state_ == State::closing) return;
  const bool want = wants_input();
  if (want && !reading_) {
    reading_ = uv_read_start(stream(), &on_alloc, &on_read) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void Transport::cut_input(std::size_t at, std::size_t n) noexcept {
  char* base = input();
  std::memmove(base + at, base + at + n, input_size() - at - n);
  in_end_ -= n;
}

void Transport::release_input() noexcept {
  if (in_ && in_start_ == in_end_) drop_buffer();
}

void Transport::drop_buffer() noexcept {
  in_start_ = in_end_ = 0;
  if (in_cap_ == TransportHost::buffer_size) {
    host_.release_buffer(std::move(in_));
  } else {
    in_.reset();
    host_.return_budget(in_cap_);
  }
  in_cap_ = 0;
}

void Transport::on_budget_returned() noexcept {
  budget_wait_ = false;
  if (!flush_deferred_) flush_deferred_ = host_.defer_flush(*this);
  if (!flush_deferred_) update_reading();  // the host is past its shutdown
}

// ---- TLS -----------------------------------------------------------------------------------

void Transport::on_cipher(const char* data, std::size_t len) {
  // As in plain mode, what arrives while lingering is read and dropped.
  if (state_ == State::lingering || tls_peer_closed_) return;
  if (!tls_->feed({data, len})) {
    tls_fail();
    return;
  }
  tls_unread_ = true;
  protocol_->on_input();
}

bool Transport::fill() {
  if (!tls_ || !tls_unread_ || state_ != State::open) return false;
  bool added = false;
  while (state_ == State::open && wants_input()) {
    if (!in_) {
      in_ = host_.acquire_buffer();
      in_cap_ = TransportHost::buffer_size;
    }
    if (in_end_ == in_cap_ && !make_room()) {
      if (budget_wait_) break;  // on_budget_returned() resumes
      protocol_->on_input_full();
      flush();
      return added;
    }
    std::size_t n = 0;
    const TlsStream::Status status = tls_->read(in_.get() + in_end_, in_cap_ - in_end_, n);
    in_end_ += n;
    added = added || n > 0;
    if (status == TlsStream::Status::failed) {
      tls_fail();
      return false;
    }
    if (status == TlsStream::Status::closed) tls_peer_closed_ = true;
    if (n == 0) {
      tls_unread_ = false;
      break;
    }
  }
  flush();  // the handshake's answers, session tickets
  return added;
}

bool Transport::take_tls_close() noexcept {
  if (!tls_peer_closed_ || peer_eof_) return false;
  end_input();
  return true;
}

void Transport::tls_fail() {
  tls_unread_ = false;
  log(LogLevel::debug, "{}:{}: {}", remote_addr_, remote_port_, tls_->error());
  if (tls_->is_plain_http() && is_drained()) {
    // A client spoke plain HTTP to the TLS port (nginx answers it with its 497): the
    // protocol may tell it so in plain text.
    tls_.reset();
    discard_input();
    protocol_->on_plain_text();
    flush();
    return;
  }
  flush();  // the session's alert, if any
  owner_.on_failed();
}

// ---- writing -------------------------------------------------------------------------------

void Transport::flush() {
  if (write_pending_ || state_ == State::closing) return;
  if (tls_) {  // out_ holds plaintext: it leaves as the session's ciphertext
    if (!out_.empty() && !tls_->send(out_)) {
      log(LogLevel::debug, "{}:{}: {}", remote_addr_, remote_port_, tls_->error());
      owner_.on_failed();
      return;
    }
    out_.clear();
    tls_->take_output(out_);
  }
  if (out_.empty()) return;
  // send(2) rather than libuv's write(2): a socket call skips the file layer, and nothing is
  // queued in libuv while no write is pending.
  ssize_t n;
  do {
    n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
  if (n < 0) {
    owner_.on_failed();
    return;
  }
  if (static_cast<std::size_t>(n) == out_.size()) {
    out_.clear();
    return;
  }
  writing_.swap(out_);
  out_.clear();
  uv_buf_t buf = uv_buf_init(writing_.data() + n, static_cast<unsigned>(writing_.size() - n));
  if (uv_write(&write_req_, stream(), &buf, 1, &on_write) != 0) {
    owner_.on_failed();
    return;
  }
  write_req_.data = this;
  write_pending_ = true;
}

void Transport::on_write(uv_write_t* w, int status) noexcept {
  auto* t = static_cast<Transport*>(w->data);
  t->write_pending_ = false;
  t->writing_.clear();
  if (t->state_ == State::closing) return;
  if (status < 0) {
    t->peer_eof_ = true;
    t->owner_.on_failed();
    return;
  }
  t->protocol_->on_written();
}

void Transport::defer_flush() {
  if (flush_deferred_) return;
  flush_deferred_ = host_.defer_flush(*this);
  if (!flush_deferred_) flush();
}

void Transport::run_deferred() {
  flush_deferred_ = false;
  if (state_ != State::closing) protocol_->on_input();
}

void Transport::release_output() noexcept {
  if (!is_drained()) return;
  std::string{}.swap(out_);
  std::string{}.swap(writing_);
}

// ---- closing -------------------------------------------------------------------------------

bool Transport::half_close() {
  if (tls_ && tls_->is_established()) {
    tls_->shutdown();
    flush();
  }
  if (state_ == State::closing) return false;
  // Allocated only now: an open connection does not carry a shutdown request.
  auto* r = new uv_shutdown_t;
  r->data = this;
  if (uv_shutdown(r, stream(), &on_shutdown) != 0) {
    delete r;
    owner_.on_failed();
    return false;
  }
  return true;
}

void Transport::on_shutdown(uv_shutdown_t* r, int status) noexcept {
  // libuv calls this before the close callback, even when the handle closes first.
  auto* t = static_cast<Transport*>(r->data);
  delete r;
  if (status < 0 && t->state_ != State::closing) t->owner_.on_failed();
}

void Transport::linger() {
  state_ = State::lingering;
  if (!half_close()) return;
  update_reading();
}

void Transport::close() noexcept {
  if (state_ == State::closing) return;
  state_ = State::closing;
  uv_close(handle(), &on_close);
}

void Transport::on_close(uv_handle_t* h) noexcept {
  auto* t = static_cast<Transport*>(h->data);
  if (t->flush_deferred_) t->host_.cancel_flush(*t);
  if (t->budget_wait_) t->host_.leave_budget_queue(*t);
  if (t->in_) t->drop_buffer();
  t->owner_.on_closed();  // may destroy t
}

}  // namespace swoop::net
