// SPDX-License-Identifier: MIT
// Internal: one client connection (TCP, optionally TLS over memory BIOs) and its TLS context.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "client/socket.hpp"
#include "client/url.hpp"
#include "swoop/client.hpp"

namespace swoop::http::detail {

/// An OpenSSL client context: system CA store, an optional extra CA file, verification mode.
/// Throws ClientError{tls} when ca_file cannot be loaded.
class TlsContext {
 public:
  TlsContext(bool verify, const std::string& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* native() const noexcept { return ctx_; }
  bool verifies() const noexcept { return verify_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  bool verify_;
};

/// A connection to one origin. Owned by a request while in use and by the pool while idle.
///
/// Lifetime: owns its Socket (closed, not deleted, when the connection dies) and its SSL.
/// Every method throws ClientError, or swoop::Cancelled when the awaiting task is cancelled
/// (the socket is closed then).
class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Resolves, checks every address against options.allow_address (ClientError{refused}),
  /// connects (each address in turn, connect_timeout each) and, for https, runs the TLS
  /// handshake (within handshake_timeout).
  Task<void> open(Url url, const ClientOptions& options, TlsContext* tls);
  /// Sends bytes (encrypted for https).
  Task<void> send(std::string bytes);
  /// Returns the next bytes of the response (decrypted); empty at EOF.
  Task<std::string> receive();

  /// Whether the connection is open and idle-clean (no EOF, no stray bytes).
  bool is_usable() const noexcept { return socket_ != nullptr && socket_->is_usable(); }
  /// Marks the connection idle in the pool (see Socket::set_idle).
  void set_idle(bool idle) noexcept {
    if (socket_ != nullptr) socket_->set_idle(idle);
  }
  /// Closes the socket (idempotent).
  void close() noexcept;

  std::chrono::steady_clock::time_point idle_since{};  ///< set by the pool
  bool reused = false;                                 ///< served a request before

 private:
  Task<void> connect_any(std::string host, std::uint16_t port, const ClientOptions& options);
  Task<void> handshake(std::string host, TlsContext* tls);
  Task<void> flush_tls();
  [[noreturn]] void tls_failed(const std::string& host);
  Socket& socket();

  std::string peer_;  // "host:port" for messages
  Socket* socket_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* net_in_ = nullptr;   // bytes from the socket, for OpenSSL (owned by ssl_)
  BIO* net_out_ = nullptr;  // bytes from OpenSSL, for the socket (owned by ssl_)
};

}  // namespace swoop::http::detail
