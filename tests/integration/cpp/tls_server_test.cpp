// SPDX-License-Identifier: MIT
// The server over TLS (RunOptions::tls) with swoop's own client: verification, keep-alive,
// bodies both ways, a streamed body, the scheme handlers see; and the start-up errors.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_task.hpp"
#include "support/test_certs.hpp"
#include "swoop/client.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Task;
using swoop::http::Client;
using swoop::http::ClientError;
using swoop::http::ClientErrorKind;
using swoop::test::run;

namespace {

void add_routes(swoop::App& app) {
  app.get("/scheme")([](Request& req) {
    return swoop::text(std::string{req.scheme()} + (req.is_secure() ? " secure" : ""));
  });
  app.post("/echo")([](Request& req) { return swoop::text(std::string{req.body()}); });
  app.get("/stream")([](Request&) {
    return swoop::stream([](swoop::ResponseStream& out) -> Task<void> {
      for (int i = 0; i < 100; ++i) co_await out.write(std::string(10'000, 'a' + i % 26));
    });
  });
}

std::string start_error(const swoop::RunOptions& options) {
  swoop::App app;
  add_routes(app);
  swoop::Server server{app, options};
  try {
    server.start();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(started)";
}

}  // namespace

TEST_SUITE("tls server") {
  TEST_CASE("swoop's client over HTTPS: verified, kept alive, bodies both ways, streamed") {
    swoop_test::TestCerts certs;
    swoop::App app;
    add_routes(app);
    swoop::RunOptions options;
    options.port = 0;
    options.tls = {.cert_file = certs.cert("signed"), .key_file = certs.key("signed")};
    swoop::Server server{app, options};
    server.start();
    const std::string base = "https://localhost:" + std::to_string(server.port());

    swoop::http::ClientOptions client_options;
    client_options.ca_file = certs.cert("ca");
    run([&]() -> Task<void> {
      Client client{client_options};
      auto r = co_await client.get(base + "/scheme");
      CHECK(r.status == 200);
      CHECK(r.body == "https secure");
      const std::string big(3'000'000, 'q');
      for (int i = 0; i < 3; ++i) {  // one pooled connection, reused
        auto echoed = co_await client.post(base + "/echo", big);
        CHECK(echoed.body == big);
      }
      auto streamed = co_await client.get(base + "/stream");
      REQUIRE(streamed.body.size() == 1'000'000);
      CHECK(streamed.body.substr(0, 3) == "aaa");
      CHECK(streamed.body.substr(999'997) == "vvv");
    }());
    CHECK(server.connections() <= 1);

    // A client that trusts only the system store refuses the test CA's certificate.
    const ClientError e = [&] {
      try {
        run([&]() -> Task<void> {
          Client strict;
          co_await strict.get(base + "/scheme");
        }());
      } catch (const ClientError& error) {
        return error;
      }
      FAIL("no error");
      return ClientError(ClientErrorKind::protocol, "");
    }();
    CHECK(e.kind() == ClientErrorKind::tls);
    server.stop();
    server.wait();
  }

  TEST_CASE("uploads over HTTPS wait for the buffered body budget, then all complete") {
    // Decrypted input waits in the TLS session while the budget is spent: it must be taken up
    // again when bytes come back, without new bytes from the socket to prompt it.
    swoop_test::TestCerts certs;
    swoop::App app;
    add_routes(app);
    swoop::RunOptions options;
    options.port = 0;
    options.tls = {.cert_file = certs.cert("signed"), .key_file = certs.key("signed")};
    options.max_body_size = 1 << 20;
    options.buffered_body_budget = 600 * 1024;
    swoop::Server server{app, options};
    server.start();
    const std::string base = "https://localhost:" + std::to_string(server.port());
    swoop::http::ClientOptions client_options;
    client_options.ca_file = certs.cert("ca");
    client_options.max_per_host = 6;
    run([&]() -> Task<void> {
      Client client{client_options};
      std::vector<std::string> bodies;
      std::vector<Task<swoop::http::ClientResponse>> uploads;
      for (int i = 0; i < 6; ++i) bodies.push_back(std::string(512 * 1024, 'a' + i));
      for (const std::string& body : bodies) uploads.push_back(client.post(base + "/echo", body));
      const auto answers = co_await swoop::gather(std::move(uploads));
      for (std::size_t i = 0; i < answers.size(); ++i) {
        CHECK(answers[i].status == 200);
        CHECK(answers[i].body == bodies[i]);
      }
    }());
    CHECK(server.buffered_bytes() == 0);
    server.stop();
    server.wait();
  }

  TEST_CASE("plain HTTP servers report http, the certificate files are checked at start") {
    swoop::App app;
    add_routes(app);
    CHECK(swoop::TestClient{app}.get("/scheme").body == "http");

    swoop_test::TestCerts certs;
    swoop::RunOptions o;
    o.port = 0;
    o.tls.cert_file = certs.cert("good");
    CHECK(start_error(o) == "TLS needs both a certificate file and a key file");
    o.tls.key_file = certs.key("other");
    CHECK(start_error(o).find("does not match the certificate") != std::string::npos);
    o.tls.cert_file = certs.path("absent.pem");
    CHECK(start_error(o).starts_with("TLS: cannot load the certificate chain " +
                                     certs.path("absent.pem")));
    o.tls = {.cert_file = certs.cert("good"), .key_file = certs.key("good")};
    CHECK(start_error(o) == "(started)");
  }
}
