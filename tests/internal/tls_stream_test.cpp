// SPDX-License-Identifier: MIT
// TlsStream and ServerTlsContext (src/net/): a client and a server session talking through
// memory, with certificates made by the openssl command at test time.
#include "net/tls_stream.hpp"

#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "support/test_certs.hpp"

using swoop::net::ServerTlsContext;
using swoop::net::TlsStream;
using Status = TlsStream::Status;

namespace {

/// A client SSL_CTX that trusts `ca_file` (verification on) or nothing (verification off).
struct ClientCtx {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  explicit ClientCtx(const std::string& ca_file = "") {
    if (ca_file.empty()) {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
      REQUIRE(SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1);
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
  }
  ~ClientCtx() { SSL_CTX_free(ctx); }
};

/// Moves ciphertext between two sessions until neither has any left, `piece` bytes at a time;
/// what each decrypts is appended to its `plain`. Returns the last statuses.
struct Pair {
  TlsStream client;
  TlsStream server;
  std::string client_plain, server_plain;
  Status client_status = Status::ok, server_status = Status::ok;

  Pair(SSL_CTX* client_ctx, SSL_CTX* server_ctx, const char* host = "localhost")
      : client(client_ctx, TlsStream::Role::client), server(server_ctx, TlsStream::Role::server) {
    SSL_set_tlsext_host_name(client.native(), host);
    SSL_set1_host(client.native(), host);
  }

  void pump(std::size_t piece = SIZE_MAX) {
    client_status = client.receive({}, client_plain);  // starts the client's handshake
    for (int rounds = 0; rounds < 100; ++rounds) {
      std::string to_server, to_client;
      client.take_output(to_server);
      server.take_output(to_client);
      if (to_server.empty() && to_client.empty()) return;
      for (std::size_t at = 0; at < to_server.size(); at += piece) {
        server_status = server.receive(std::string_view{to_server}.substr(at, piece), server_plain);
      }
      for (std::size_t at = 0; at < to_client.size(); at += piece) {
        client_status = client.receive(std::string_view{to_client}.substr(at, piece), client_plain);
      }
    }
    FAIL("the sessions never went quiet");
  }
};

}  // namespace

TEST_SUITE("tls stream") {
  TEST_CASE("a handshake, application bytes both ways, ALPN http/1.1, close_notify") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("signed"), certs.key("signed"), false};
    ClientCtx client_ctx{certs.cert("ca")};
    static constexpr unsigned char kProtocols[] = "\x02h2\x08http/1.1";
    REQUIRE(SSL_CTX_set_alpn_protos(client_ctx.ctx, kProtocols, sizeof kProtocols - 1) == 0);
    Pair p{client_ctx.ctx, server_ctx.native()};
    REQUIRE(p.client.send("GET / HTTP/1.1\r\n\r\n"));  // before the handshake: queued
    p.pump();
    CHECK(p.client_status == Status::ok);
    CHECK(p.server_status == Status::ok);
    CHECK(p.client.is_established());
    CHECK(p.server.is_established());
    CHECK(p.server.alpn() == "http/1.1");
    CHECK(p.server_plain == "GET / HTTP/1.1\r\n\r\n");

    const std::string big(1 << 20, 'x');  // many records
    REQUIRE(p.server.send(big));
    p.pump();
    CHECK(p.client_plain == big);

    p.client.shutdown();
    p.pump();
    CHECK(p.server_status == Status::closed);
    std::string more;
    CHECK(p.server.receive("late", more) == Status::closed);
  }

  TEST_CASE("bytes fed one at a time give the same result") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), false};
    ClientCtx client_ctx{certs.cert("good")};
    Pair p{client_ctx.ctx, server_ctx.native()};
    REQUIRE(p.client.send("ping"));
    p.pump(1);
    CHECK(p.server_plain == "ping");
    REQUIRE(p.server.send("pong"));
    p.pump(1);
    CHECK(p.client_plain == "pong");
    CHECK(p.server.alpn().empty());  // the client offered no ALPN
  }

  TEST_CASE("a client that offers only h2 gets no ALPN answer, not an alert") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), false};
    ClientCtx client_ctx;
    static constexpr unsigned char kH2[] = "\x02h2";
    REQUIRE(SSL_CTX_set_alpn_protos(client_ctx.ctx, kH2, sizeof kH2 - 1) == 0);
    Pair p{client_ctx.ctx, server_ctx.native()};
    p.pump();
    CHECK(p.server.is_established());
    CHECK(p.server.alpn().empty());
  }

  TEST_CASE("with HTTP/2 offered, h2 is picked wherever the client lists it, else http/1.1") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), true};
    auto agreed = [&](std::string_view protocols) {
      ClientCtx client_ctx;
      const auto* list = reinterpret_cast<const unsigned char*>(protocols.data());
      REQUIRE(SSL_CTX_set_alpn_protos(client_ctx.ctx, list, unsigned(protocols.size())) == 0);
      Pair p{client_ctx.ctx, server_ctx.native()};
      p.pump();
      CHECK(p.server.is_established());
      return std::string{p.server.alpn()};
    };
    CHECK(agreed(std::string_view{"\x08http/1.1\x02h2", 12}) == "h2");
    CHECK(agreed(std::string_view{"\x02h2\x08http/1.1", 12}) == "h2");
    CHECK(agreed(std::string_view{"\x08http/1.1", 9}) == "http/1.1");
    CHECK(agreed(std::string_view{"\x03h2c\x06spdy/3", 11}).empty());  // neither: no answer
  }

  TEST_CASE("a certificate for another name fails the client's verification") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("other"), certs.key("other"), false};
    ClientCtx client_ctx{certs.cert("other")};
    Pair p{client_ctx.ctx, server_ctx.native(), "localhost"};
    p.pump();
    CHECK(p.client_status == Status::failed);
    CHECK(p.client.error().find("certificate verify failed") != std::string::npos);
    CHECK_FALSE(p.server.is_established());
    CHECK(p.server_status == Status::failed);  // the client's alert reached it
    CHECK_FALSE(p.server.error().empty());
  }

  TEST_CASE("read() decrypts into a small buffer a piece at a time, the rest waits") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), false};
    ClientCtx client_ctx{certs.cert("good")};
    Pair p{client_ctx.ctx, server_ctx.native()};
    p.pump();
    REQUIRE(p.server.is_established());
    const std::string message(40000, 'm');
    REQUIRE(p.client.send(message));
    std::string cipher;
    p.client.take_output(cipher);
    REQUIRE(p.server.feed(cipher));
    std::string got;
    char buf[1000];
    for (;;) {
      std::size_t n = 0;
      REQUIRE(p.server.read(buf, sizeof buf, n) == Status::ok);
      if (n == 0) break;
      CHECK(n <= sizeof buf);
      got.append(buf, n);
    }
    CHECK(got == message);
    CHECK_FALSE(p.server.is_plain_http());
  }

  TEST_CASE("a garbage handshake is not taken for plain HTTP") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), false};
    TlsStream server{server_ctx.native(), TlsStream::Role::server};
    std::string plain;
    CHECK(server.receive(std::string(64, '\x16'), plain) == Status::failed);
    CHECK_FALSE(server.is_plain_http());
  }

  TEST_CASE("plain HTTP sent to the TLS server fails with a reason and stays failed") {
    swoop_test::TestCerts certs;
    ServerTlsContext server_ctx{certs.cert("good"), certs.key("good"), false};
    TlsStream server{server_ctx.native(), TlsStream::Role::server};
    std::string plain;
    CHECK(server.receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n", plain) == Status::failed);
    CHECK(server.error().starts_with("TLS: "));
    CHECK(server.is_plain_http());
    CHECK(plain.empty());
    CHECK(server.receive("more", plain) == Status::failed);
    CHECK_FALSE(server.send("x"));
  }

  TEST_CASE("missing or mismatched certificate files are clear start-up errors") {
    swoop_test::TestCerts certs;
    auto message = [](const std::string& cert, const std::string& key) -> std::string {
      try {
        ServerTlsContext ctx{cert, key, false};
      } catch (const std::runtime_error& e) {
        return e.what();
      }
      return "no error";
    };
    const std::string missing = certs.path("missing.crt");
    CHECK(message(missing, certs.key("good"))
              .starts_with("TLS: cannot load the certificate "
                           "chain " +
                           missing + ": "));
    CHECK(message(certs.cert("good"), certs.path("nope.key"))
              .starts_with("TLS: cannot load the private key " + certs.path("nope.key")));
    CHECK(message(certs.cert("good"), certs.key("other")).find("does not match") !=
          std::string::npos);
  }
}
