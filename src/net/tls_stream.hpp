// SPDX-License-Identifier: MIT
// Internal: one TLS session over OpenSSL memory BIOs, with no I/O of its own, and the server
// side's context (certificate chain, key, ALPN). The owner moves bytes between the socket and
// the session: received ciphertext in with receive(), ciphertext to send out with
// take_output(). Used by the server's connections (HTTPS, wss); the client's connection
// drives OpenSSL itself for now.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

namespace swoop::net {

/// An SSL_CTX for serving: a PEM certificate chain and its private key, TLS 1.2 or newer,
/// and ALPN that picks "h2" when offer_h2 and the client offers it, else "http/1.1" (a client
/// offering only other protocols gets no ALPN answer and may go on with HTTP/1.1). Throws
/// std::runtime_error naming the file and OpenSSL's reason when the files cannot be loaded or do
/// not match.
class ServerTlsContext {
 public:
  ServerTlsContext(const std::string& cert_file, const std::string& key_file, bool offer_h2);
  ~ServerTlsContext();
  ServerTlsContext(const ServerTlsContext&) = delete;
  ServerTlsContext& operator=(const ServerTlsContext&) = delete;
  SSL_CTX* native() const noexcept { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

/// One TLS session (client or server role) over a pair of memory BIOs.
///
/// Lifetime: owns its SSL; the SSL_CTX must outlive it. Not thread-safe (one loop).
class TlsStream {
 public:
  enum class Role { client, server };
  enum class Status {
    ok,      ///< progress made (or nothing to do yet); send take_output() if not empty
    closed,  ///< the peer sent close_notify: no more application bytes will come
    failed,  ///< a TLS error: send take_output() (it may hold an alert), then close; error()
  };

  TlsStream(SSL_CTX* ctx, Role role);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  /// Feeds ciphertext from the network; advances the handshake and appends the application
  /// bytes it decrypts to `plain`.
  Status receive(std::string_view cipher, std::string& plain);
  /// Buffers ciphertext from the network without decrypting it (see read()).
  /// false when it cannot be buffered (then error() says why).
  bool feed(std::string_view cipher);
  /// Advances the handshake and decrypts at most `cap` application bytes of what was fed into
  /// `buf`; `n` is how many. ok with n == 0: more ciphertext is needed.
  Status read(char* buf, std::size_t cap, std::size_t& n);
  /// Encrypts application bytes (buffered by OpenSSL until the handshake is done).
  /// false on a TLS error (error() says why).
  bool send(std::string_view plain);
  /// Queues a close_notify alert (take_output() then holds it).
  void shutdown() noexcept;
  /// Moves the ciphertext waiting to go to the network into `out` (appended).
  void take_output(std::string& out);
  /// Whether ciphertext is waiting to go out.
  bool has_output() const noexcept;

  /// Whether the handshake has completed.
  bool is_established() const noexcept { return established_; }
  /// The negotiated ALPN protocol ("http/1.1"), empty when none.
  std::string_view alpn() const noexcept;
  /// Why the session failed: OpenSSL's reason, e.g. "TLS: wrong version number".
  const std::string& error() const noexcept { return error_; }
  /// Whether the session failed because the peer spoke plain HTTP instead of TLS.
  bool is_plain_http() const noexcept { return plain_http_; }
  /// The underlying SSL (for SNI, host checks and such by the owner).
  SSL* native() const noexcept { return ssl_; }

 private:
  Status fail();
  Status handshake();

  SSL* ssl_ = nullptr;
  BIO* net_in_ = nullptr;   // ciphertext from the network, read by OpenSSL (owned by ssl_)
  BIO* net_out_ = nullptr;  // ciphertext from OpenSSL, for the network (owned by ssl_)
  std::string pending_;     // application bytes sent before the handshake completed
  std::string error_;
  bool established_ = false;
  bool closed_ = false;
  bool plain_http_ = false;
};

}  // namespace swoop::net
