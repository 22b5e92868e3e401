// SPDX-License-Identifier: MIT
// Connection: DNS, TCP connect with fallback, and TLS (OpenSSL over memory BIOs) for the client.
#include "client/connection.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "swoop/time.hpp"

namespace swoop::http::detail {

namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unexpected end of the handshake";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

bool is_ip_literal(const std::string& host) noexcept {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string address_text(const Address& a, std::uint16_t port) {
  const bool v6 = a.storage.ss_family == AF_INET6;
  return (v6 ? "[" + a.text + "]" : a.text) + ":" + std::to_string(port);
}

IpAddress to_ip_address(const Address& a, std::uint16_t port) noexcept {
  IpAddress ip;
  ip.port = port;
  if (a.storage.ss_family == AF_INET6) {
    ip.family = IpAddress::Family::v6;
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a.storage);
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
  } else {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(a.storage);
    std::memcpy(ip.bytes.data(), &in4.sin_addr, 4);
  }
  return ip;
}

// Every address is checked before the first connect, so a host that resolves to a public and
// a private address cannot be steered to the private one by failing the public one.
void check_policy(const ClientOptions& options, const std::string& host,
                  const std::vector<Address>& addresses, std::uint16_t port) {
  if (!options.allow_address) return;
  for (const Address& a : addresses) {
    const IpAddress ip = to_ip_address(a, port);
    if (options.allow_address(ip)) continue;
    const std::string_view what = address_class(ip);
    std::string why = "refused: " + a.text;
    if (a.text != host) why += " (from " + host + ")";
    why += what.empty() ? std::string{" is not allowed by the address policy"}
                        : " is " + std::string{what};
    throw ClientError(ClientErrorKind::refused, why);
  }
}

}  // namespace

TlsContext::TlsContext(bool verify, const std::string& ca_file) : verify_(verify) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) throw ClientError(ClientErrorKind::tls, "TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (!verify) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    return;
  }
  SSL_CTX_set_default_verify_paths(ctx_);
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
    const std::string why = openssl_error();
    SSL_CTX_free(ctx_);
    throw ClientError(ClientErrorKind::tls, "TLS: cannot load CA file " + ca_file + ": " + why);
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Connection::~Connection() {
  close();
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void Connection::close() noexcept {
  if (socket_ != nullptr) {
    socket_->set_owner(nullptr);
    std::exchange(socket_, nullptr)->close();
  }
}

Socket& Connection::socket() {
  if (socket_ == nullptr || socket_->is_closing()) {
    throw ClientError(ClientErrorKind::protocol, "connection to " + peer_ + " closed");
  }
  return *socket_;
}

Task<void> Connection::open(Url url, const ClientOptions& options, TlsContext* tls) {
  peer_ = url.authority();
  co_await connect_any(url.host, url.port, options);
  if (!url.tls) co_return;
  try {
    co_await with_timeout(options.tls_handshake_timeout, handshake(url.host, tls));
  } catch (const Timeout&) {
    throw ClientError(ClientErrorKind::timeout,
                      "TLS: handshake with " + peer_ + " timed out after " +
                          std::to_string(options.tls_handshake_timeout.count()) + " ms");
  }
}

Task<void> Connection::connect_any(std::string host, std::uint16_t port,
                                   const ClientOptions& options) {
  const std::vector<Address> addresses = co_await resolve(host, port);
  check_policy(options, host, addresses, port);
  const std::chrono::milliseconds timeout = options.connect_timeout;
  ClientErrorKind kind = ClientErrorKind::connect;
  std::string why;
  int status = 0;
  for (const Address& address : addresses) {
    close();
    socket_ = Socket::create();
    socket_->set_owner(&socket_);
    try {
      status = co_await with_timeout(timeout, socket_->connect(address));
    } catch (const Timeout&) {
      status = UV_ETIMEDOUT;
    }
    if (status == 0) co_return;
    close();
    kind = status == UV_ETIMEDOUT ? ClientErrorKind::timeout : ClientErrorKind::connect;
    why = "connect to " + address_text(address, port) + ": " +
          (status == UV_ETIMEDOUT ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                  : std::string{uv_strerror(status)});
  }
  throw ClientError(kind, why, uv_error(status));
}

Task<void> Connection::handshake(std::string host, TlsContext* tls) {
  ssl_ = SSL_new(tls->native());
  if (ssl_ == nullptr) throw ClientError(ClientErrorKind::tls, "TLS: " + openssl_error());
  net_in_ = BIO_new(BIO_s_mem());
  net_out_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, net_in_, net_out_);
  SSL_set_connect_state(ssl_);
  const bool ip = is_ip_literal(host);
  // RFC 6066 3: SNI carries host names only, never IP literals.
  if (!ip) SSL_set_tlsext_host_name(ssl_, host.c_str());
  if (tls->verifies()) {
    if (ip)
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    else
      SSL_set1_host(ssl_, host.c_str());
  }
  for (;;) {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_);
    const int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, r);
    if (e != SSL_ERROR_NONE && e != SSL_ERROR_WANT_READ) tls_failed(host);
    co_await flush_tls();
    if (r == 1) co_return;
    std::string in = co_await socket().read();
    if (in.empty()) {
      throw ClientError(ClientErrorKind::tls,
                        "TLS: " + peer_ + " closed the connection during the handshake");
    }
    BIO_write(net_in_, in.data(), static_cast<int>(in.size()));
  }
}

void Connection::tls_failed(const std::string& host) {
  const long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK) {
    throw ClientError(ClientErrorKind::tls, "TLS: certificate verify failed for " + host + ": " +
                                                X509_verify_cert_error_string(verify));
  }
  throw ClientError(ClientErrorKind::tls,
                    "TLS: handshake with " + peer_ + " failed: " + openssl_error());
}

Task<void> Connection::flush_tls() {
  const std::size_t pending = BIO_ctrl_pending(net_out_);
  if (pending == 0) co_return;
  std::string out(pending, '\0');
  BIO_read(net_out_, out.data(), static_cast<int>(pending));
  const int status = co_await socket().write(std::move(out));
  if (status != 0) {
    throw ClientError(ClientErrorKind::protocol, "write to " + peer_ + ": " + uv_strerror(status),
                      uv_error(status));
  }
}

Task<void> Connection::send(std::string bytes) {
  if (ssl_ == nullptr) {
    const int status = co_await socket().write(std::move(bytes));
    if (status != 0) {
      throw ClientError(ClientErrorKind::protocol, "write to " + peer_ + ": " + uv_strerror(status),
                        uv_error(status));
    }
    co_return;
  }
  ERR_clear_error();
  // A memory BIO takes everything: SSL_write completes in one call.
  if (!bytes.empty() && SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) <= 0) {
    throw ClientError(ClientErrorKind::tls, "TLS: write to " + peer_ + ": " + openssl_error());
  }
  co_await flush_tls();
}

Task<std::string> Connection::receive() {
  try {
    if (ssl_ == nullptr) co_return co_await socket().read();
    for (;;) {
      std::string buf(16384, '\0');
      ERR_clear_error();
      const int n = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
      if (n > 0) {
        buf.resize(static_cast<std::size_t>(n));
        co_return buf;
      }
      const int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_ZERO_RETURN) co_return std::string{};
      if (e != SSL_ERROR_WANT_READ) {
        throw ClientError(ClientErrorKind::tls, "TLS: read from " + peer_ + ": " + openssl_error());
      }
      co_await flush_tls();
      std::string in = co_await socket().read();
      // EOF without close_notify: many servers do this; the HTTP framing decides.
      if (in.empty()) co_return std::string{};
      BIO_write(net_in_, in.data(), static_cast<int>(in.size()));
    }
  } catch (const SystemError& e) {
    throw ClientError(ClientErrorKind::protocol, "read from " + peer_ + ": " + e.code().message(),
                      e.code());
  }
}

}  // namespace swoop::http::detail
