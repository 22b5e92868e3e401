// SPDX-License-Identifier: MIT
// Fuzzes the TLS record path of the server (src/net/tls_stream.cpp: TlsStream over memory
// BIOs, its ALPN choice, and is_plain_http(), on which Connection::tls_fail answers plain HTTP
// on the TLS port) with bytes fed in pieces as the socket delivers them.
// Input: byte 0 bits 0-1 pick the mode, bit 2 = read() with a small buffer (bits 4-7 + 1 bytes)
// instead of receive(), bit 3 = the client speaks TLS 1.2 at most; byte 1 = the piece size
// (0: whole); bytes 2-3 = a mode's argument; then (modes 1-3) a length and the client's ALPN
// list in wire form; the rest is the payload. Modes: 0 the payload is all the server gets;
// 1 the server gets byte 2 % 5 flights of a real handshake with a client, then the payload;
// 2 after a whole handshake the client sends the payload as application data, and the server
// gets those records with one byte changed (offset from bytes 2-3, XOR from the payload's first
// byte; 0 changes nothing) or, with byte 3 odd, cut short; 3 a client gets a prefix of the
// server's real first flight (byte 2 * 16 bytes), then the payload.
// Certificates: tests/support/test_certs.hpp, made once per process.
// Invariants: nothing throws; failed has a reason and stays failed, with no more plaintext;
// garbage gives no plaintext and no close; in mode 2 the plaintext is a prefix of what the
// client sent (all of it when nothing was changed); the output stays under 64 KiB; the server
// reports plain HTTP exactly when the bytes start with a request line OpenSSL knows ("GET ",
// "POST ", "HEAD ", "PUT "); an established server picked "http/1.1" by ALPN exactly when
// the client offered it.
#include <openssl/ssl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "net/tls_stream.hpp"

// test_certs.hpp reports failures with doctest, which is compiled out here but still runs
// the commands inside its REQUIREs: the files are checked below instead.
#define DOCTEST_CONFIG_DISABLE
#define DOCTEST_CONFIG_EVALUATE_ASSERTS_EVEN_WHEN_DISABLED
#define DOCTEST_CONFIG_ASSERTS_RETURN_VALUES
#include "../support/test_certs.hpp"

namespace {

using swoop::net::TlsStream;
using swoop_fuzz::check;
using Status = TlsStream::Status;

constexpr std::size_t max_output = 64 * 1024;

struct Contexts {
  swoop_test::TestCerts certs;
  std::unique_ptr<swoop::net::ServerTlsContext> server;
  SSL_CTX* client = nullptr;

  Contexts() {
    check(std::filesystem::exists(certs.cert("good")) && std::filesystem::exists(certs.key("good")),
          "the openssl command made no certificate");
    server = std::make_unique<swoop::net::ServerTlsContext>(certs.cert("good"), certs.key("good"),
                                                            false);
    client = SSL_CTX_new(TLS_client_method());
    check(client != nullptr, "no client context");
    SSL_CTX_set_verify(client, SSL_VERIFY_NONE, nullptr);
  }
  ~Contexts() { SSL_CTX_free(client); }
};

Contexts& contexts() {
  static Contexts c;
  return c;
}

// One side of the connection, fed by the fuzzer and watched.
struct Side {
  TlsStream tls;
  bool small_reads;
  std::size_t cap;
  std::string plain, output;
  std::size_t fed = 0;
  Status status = Status::ok;

  Side(SSL_CTX* ctx, TlsStream::Role role, bool small, std::size_t read_cap)
      : tls(ctx, role), small_reads(small), cap(read_cap) {}

  // Feeds bytes as the connection does: all of it to the session, then reads until it has no
  // more (Connection::tls_fill), or receive() in one call.
  void feed(std::string_view bytes) {
    const bool was_failed = status == Status::failed;
    const std::size_t plain_before = plain.size();
    fed += bytes.size();
    if (!small_reads) {
      status = tls.receive(bytes, plain);
    } else if (!tls.feed(bytes)) {
      status = Status::failed;
    } else {
      for (;;) {
        char buf[16];
        std::size_t n = 0;
        status = tls.read(buf, cap, n);
        check(n <= cap, "read() wrote past its buffer");
        plain.append(buf, n);
        if (status != Status::ok || n == 0) break;
      }
    }
    tls.take_output(output);
    check(output.size() <= max_output, "the output grows without bound");
    check(plain.size() <= fed, "more plaintext than ciphertext");
    if (status == Status::failed) check(!tls.error().empty(), "a failure without a reason");
    if (was_failed) {
      check(status == Status::failed, "a failed session recovered");
      check(plain.size() == plain_before, "plaintext after a failure");
    }
  }

  // Feeds bytes in pieces of `piece` (all at once when 0).
  void feed_pieces(std::string_view bytes, std::size_t piece) {
    if (piece == 0) piece = bytes.size();
    do {
      feed(bytes.substr(0, piece));
      bytes.remove_prefix(std::min(piece, bytes.size()));
    } while (!bytes.empty());
  }

  // Hands what this side wrote to the other side.
  void send_to(Side& other) {
    std::string bytes = std::move(output);
    output.clear();
    other.feed(bytes);
  }
};

bool is_known_request_line(std::string_view bytes) {
  return bytes.starts_with("GET ") || bytes.starts_with("POST ") || bytes.starts_with("HEAD ") ||
         bytes.starts_with("PUT ");
}

// Whether an ALPN list in wire form offers http/1.1.
bool offers_http11(std::string_view list) {
  while (!list.empty()) {
    const std::size_t len = static_cast<unsigned char>(list[0]);
    if (len + 1 > list.size()) return false;
    if (list.substr(1, len) == "http/1.1") return true;
    list.remove_prefix(len + 1);
  }
  return false;
}

struct Client {
  std::unique_ptr<Side> side;
  bool alpn_set = false;
  bool http11 = false;
};

Client make_client(bool tls12, std::string_view alpn, bool small, std::size_t cap) {
  Client c;
  c.side = std::make_unique<Side>(contexts().client, TlsStream::Role::client, small, cap);
  SSL* ssl = c.side->tls.native();
  if (tls12) SSL_set_max_proto_version(ssl, TLS1_2_VERSION);
  if (!alpn.empty()) {
    // 0 is success here. OpenSSL refuses malformed lists; then no ALPN is offered.
    c.alpn_set = SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn.data()),
                                     static_cast<unsigned>(alpn.size())) == 0;
    c.http11 = c.alpn_set && offers_http11(alpn);
  }
  c.side->feed({});  // starts the handshake: the ClientHello is in the output
  return c;
}

void check_garbage_side(const Side& s) {
  check(s.plain.empty(), "plaintext from garbage");
  check(s.status != Status::closed, "a close from garbage");
}

void check_alpn(const Side& server, const Client& client) {
  if (!server.tls.is_established()) return;
  const bool chose = server.tls.alpn() == "http/1.1";
  check(chose == client.http11, "ALPN chose http/1.1 without the offer, or not with it");
  check(chose || server.tls.alpn().empty(), "ALPN chose something else");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  swoop_fuzz::Input in{data, size};
  const std::uint8_t flags = in.byte();
  const std::size_t piece = in.byte();
  const std::uint8_t arg = in.byte();
  const std::uint8_t arg2 = in.byte();
  const int mode = flags & 3;
  const bool small = (flags & 4) != 0;
  const bool tls12 = (flags & 8) != 0;
  const std::size_t cap = 1 + (flags >> 4);
  Contexts& ctx = contexts();
  Side server{ctx.server->native(), TlsStream::Role::server, small, cap};

  if (mode == 0) {
    const std::string_view payload = in.rest();
    server.feed_pieces(payload, piece);
    check_garbage_side(server);
    if (payload.size() >= 5) {
      check(server.tls.is_plain_http() == is_known_request_line(payload),
            "plain HTTP detection disagrees with the request line");
    }
    check(!server.tls.is_plain_http() || server.status == Status::failed,
          "plain HTTP reported without a failure");
    return 0;
  }

  const std::size_t alpn_len = in.byte() % 32;
  std::string alpn;
  for (std::size_t i = 0; i < alpn_len && !in.empty(); ++i)
    alpn.push_back(static_cast<char>(in.byte()));
  const std::string_view payload = in.rest();
  Client client = make_client(tls12, alpn, small, cap);
  Side& c = *client.side;

  if (mode == 1) {
    for (int flight = 0; flight < arg % 5; ++flight) {
      if (flight % 2 == 0) {
        c.send_to(server);
      } else {
        server.send_to(c);
      }
    }
    check_alpn(server, client);
    server.feed_pieces(payload, piece);
    check_garbage_side(server);
    if (arg % 5 > 0) check(!server.tls.is_plain_http(), "plain HTTP after a ClientHello");
    return 0;
  }

  if (mode == 3) {
    c.send_to(server);
    const std::string flight = server.output.substr(0, std::size_t{arg} * 16);
    c.feed_pieces(flight, piece);
    c.feed_pieces(payload, piece);
    check_garbage_side(c);
    return 0;
  }

  // Mode 2: a whole handshake, then application data with one byte changed.
  for (int flight = 0; flight < 4; ++flight) {
    if (flight % 2 == 0) {
      c.send_to(server);
    } else {
      server.send_to(c);
    }
  }
  check(server.tls.is_established() && c.tls.is_established() && server.plain.empty(),
        "the handshake between two TlsStreams did not complete");
  check_alpn(server, client);
  check(c.tls.send(payload), "the client cannot send");
  std::string records;
  c.tls.take_output(records);
  const std::uint8_t change = payload.empty() ? 0 : static_cast<std::uint8_t>(payload[0]);
  std::size_t length = records.size();
  if (!records.empty() && change != 0) {
    records[((std::size_t{arg} << 8) | arg2) % records.size()] ^= static_cast<char>(change);
  } else if (!records.empty() && arg2 % 2 == 1) {
    length = ((std::size_t{arg} << 8) | arg2) % records.size();  // cut short
  }
  server.feed_pieces(std::string_view{records}.substr(0, length), piece);
  check(std::string_view{payload}.starts_with(server.plain), "plaintext the client did not send");
  if (change == 0 && length == records.size()) {
    check(server.plain == payload && server.status == Status::ok, "application data was lost");
  }
  check(server.status != Status::closed, "a close the client did not send");
  return 0;
}
