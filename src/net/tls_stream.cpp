// SPDX-License-Identifier: MIT
// TlsStream and ServerTlsContext: OpenSSL over memory BIOs, no I/O of their own.
#include "net/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace swoop::net {

namespace {

// OpenSSL's most recent error as text (clearing the queue), or `fallback`.
std::string openssl_reason(const char* fallback) {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    if (reason != nullptr && out.empty()) out = reason;
  }
  return out.empty() ? fallback : out;
}

// Finds `name` in a client's ALPN list (length-prefixed names).
bool find_alpn(std::string_view name, const unsigned char* in, unsigned int inlen,
               const unsigned char** out, unsigned char* outlen) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == name.size() && std::memcmp(name.data(), in + i + 1, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return true;
    }
    i += 1 + len;
  }
  return false;
}

// Picks "h2" when HTTP/2 is offered (arg is non-null), else "http/1.1", from the client's ALPN
// list, whatever their order there; no answer (not an alert) when neither is in it.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  if (arg != nullptr && find_alpn("h2", in, inlen, out, outlen)) return SSL_TLSEXT_ERR_OK;
  if (find_alpn("http/1.1", in, inlen, out, outlen)) return SSL_TLSEXT_ERR_OK;
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

ServerTlsContext::ServerTlsContext(const std::string& cert_file, const std::string& key_file,
                                   bool offer_h2) {
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr) throw std::runtime_error("TLS: cannot create a context");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);  // idle connections keep no record buffers
  auto fail = [&](const std::string& what) {
    const std::string reason = openssl_reason("unknown error");
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("TLS: " + what + ": " + reason);
  };
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) {
    fail("cannot load the certificate chain " + cert_file);
  }
  // OpenSSL checks the key against the certificate while loading it ("key values mismatch").
  const bool loaded = SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) == 1;
  if (!loaded && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
    fail("cannot load the private key " + key_file);
  }
  if (!loaded || SSL_CTX_check_private_key(ctx_) != 1) {
    fail("the private key " + key_file + " does not match the certificate " + cert_file);
  }
  // Any non-null pointer says "offer h2"; the context itself is at hand.
  SSL_CTX_set_alpn_select_cb(ctx_, &select_alpn, offer_h2 ? ctx_ : nullptr);
}

ServerTlsContext::~ServerTlsContext() { SSL_CTX_free(ctx_); }

TlsStream::TlsStream(SSL_CTX* ctx, Role role) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr) throw std::runtime_error("TLS: cannot create a session");
  net_in_ = BIO_new(BIO_s_mem());
  net_out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(net_in_, -1);  // an empty input BIO means "want more", not EOF
  SSL_set_bio(ssl_, net_in_, net_out_);
  if (role == Role::server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

TlsStream::Status TlsStream::fail() {
  if (error_.empty()) {
    plain_http_ = ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
    error_ = "TLS: " + openssl_reason("protocol error");
  }
  return Status::failed;
}

TlsStream::Status TlsStream::handshake() {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_);
  if (r != 1) {
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Status::ok;
    return fail();
  }
  established_ = true;
  if (!pending_.empty()) {
    const std::string queued = std::move(pending_);
    pending_.clear();
    if (!send(queued)) return Status::failed;
  }
  return Status::ok;
}

bool TlsStream::feed(std::string_view cipher) {
  while (!cipher.empty()) {  // a memory BIO takes everything, but its API counts in int
    const int chunk = static_cast<int>(std::min<std::size_t>(cipher.size(), 1 << 30));
    if (BIO_write(net_in_, cipher.data(), chunk) != chunk) {
      if (error_.empty()) error_ = "TLS: cannot buffer received bytes";
      return false;
    }
    cipher.remove_prefix(static_cast<std::size_t>(chunk));
  }
  return true;
}

TlsStream::Status TlsStream::read(char* buf, std::size_t cap, std::size_t& n) {
  n = 0;
  if (!error_.empty()) return Status::failed;
  if (closed_) return Status::closed;
  if (!established_) {
    if (handshake() == Status::failed) return Status::failed;
    if (!established_) return Status::ok;
  }
  if (cap == 0) return Status::ok;
  ERR_clear_error();
  const int r = SSL_read(ssl_, buf, static_cast<int>(std::min<std::size_t>(cap, 1 << 30)));
  if (r > 0) {
    n = static_cast<std::size_t>(r);
    return Status::ok;
  }
  const int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Status::ok;
  if (e == SSL_ERROR_ZERO_RETURN) {
    closed_ = true;
    return Status::closed;
  }
  return fail();
}

TlsStream::Status TlsStream::receive(std::string_view cipher, std::string& plain) {
  if (!feed(cipher)) return Status::failed;
  char buf[16 * 1024];
  for (;;) {
    std::size_t n = 0;
    const Status status = read(buf, sizeof buf, n);
    if (status != Status::ok || n == 0) return status;
    plain.append(buf, n);
  }
}

bool TlsStream::send(std::string_view plain) {
  if (!error_.empty()) return false;
  if (!established_) {
    pending_.append(plain);
    return true;
  }
  while (!plain.empty()) {
    const int chunk = static_cast<int>(std::min<std::size_t>(plain.size(), 1 << 30));
    ERR_clear_error();
    const int n = SSL_write(ssl_, plain.data(), chunk);
    if (n <= 0) {
      fail();
      return false;
    }
    plain.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void TlsStream::shutdown() noexcept {
  ERR_clear_error();
  if (established_) SSL_shutdown(ssl_);
}

void TlsStream::take_output(std::string& out) {
  const std::size_t pending = BIO_ctrl_pending(net_out_);
  if (pending == 0) return;
  const std::size_t at = out.size();
  out.resize(at + pending);
  const int n = BIO_read(net_out_, out.data() + at, static_cast<int>(pending));
  out.resize(at + (n > 0 ? static_cast<std::size_t>(n) : 0));
}

bool TlsStream::has_output() const noexcept { return BIO_ctrl_pending(net_out_) > 0; }

std::string_view TlsStream::alpn() const noexcept {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return data == nullptr ? std::string_view{}
                         : std::string_view{reinterpret_cast<const char*>(data), len};
}

}  // namespace swoop::net
