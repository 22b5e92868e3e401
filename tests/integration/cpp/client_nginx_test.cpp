// SPDX-License-Identifier: MIT
// swoop::http::Client against Debian's nginx (a server no one here wrote), HTTP and HTTPS.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>

#include "support/nginx_server.hpp"
#include "support/run_task.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::http::Client;
using swoop::http::ClientError;
using swoop::http::ClientErrorKind;
using swoop::http::ClientOptions;
using swoop::http::ClientResponse;
using swoop::test::client_error;
using swoop::test::NginxServer;
using swoop::test::run;

namespace {

Task<void> get_once(ClientOptions options, std::string url) {
  Client client{std::move(options)};
  co_await client.get(url);
}

}  // namespace

TEST_SUITE("client_nginx") {
  TEST_CASE("keep-alive, HEAD, chunked bodies and redirects over HTTP") {
    NginxServer nginx;
    auto task = [](const NginxServer& nginx) -> Task<void> {
      Client client;
      const ClientResponse a = co_await client.get(nginx.http_url("/hello.txt"));
      CHECK(a.status == 200);
      CHECK(a.body == "Hello, World!");
      CHECK(a.header("content-type") == "text/plain");
      CHECK(a.header("Server").value_or("").starts_with("nginx"));
      const ClientResponse b = co_await client.get(nginx.http_url("/hello.txt"));
      CHECK(b.body == "Hello, World!");
      CHECK(client.open_connections() == 1);  // the same keep-alive connection

      const ClientResponse head = co_await client.head(nginx.http_url("/big.bin"));
      CHECK(head.status == 200);
      CHECK(head.header("Content-Length") == "1048576");
      CHECK(head.body.empty());
      const ClientResponse big = co_await client.get(nginx.http_url("/big.bin"));
      CHECK(big.body.size() == 1048576);  // the HEAD left nothing behind on the connection
      CHECK(client.open_connections() == 1);

      const ClientResponse chunked = co_await client.get(nginx.http_url("/chunked.txt"));
      CHECK(chunked.status == 200);
      CHECK(chunked.header("Transfer-Encoding") == "chunked");
      CHECK(!chunked.header("Content-Length"));
      CHECK(chunked.body == "hello CHUNKED world\n");

      const ClientResponse missing = co_await client.get(nginx.http_url("/missing"));
      CHECK(missing.status == 404);

      const ClientResponse moved = co_await client.get(nginx.http_url("/redirect"));
      CHECK(moved.status == 301);
      CHECK(moved.header("Location").value_or("").ends_with("/hello.txt"));
      CHECK(moved.url == nginx.http_url("/redirect"));
      // A named RequestOptions: g++ 12 mis-copies a braced temporary argument of a
      // co_awaited call (the SSO strings inside end up pointing into the old frame).
      const swoop::http::RequestOptions follow{.follow_redirects = true};
      const ClientResponse followed =
          co_await client.request("GET", nginx.http_url("/redirect"), follow);
      CHECK(followed.status == 200);
      CHECK(followed.body == "Hello, World!");
      CHECK(followed.url == nginx.http_url("/hello.txt"));
      CHECK(client.open_connections() == 1);
      co_await client.close();
      CHECK(client.open_connections() == 0);
    };
    run(task(nginx));
  }

  TEST_CASE("request timeouts: a rate-limited body and an upstream that never answers") {
    NginxServer nginx;
    const auto slow = client_error([](const NginxServer& nginx) -> Task<void> {
      Client client{ClientOptions{.request_timeout = 300ms}};
      co_await client.get(nginx.http_url("/slow/big.bin"));
    }(nginx));
    CHECK(slow.kind() == ClientErrorKind::timeout);
    const auto silent = client_error([](const NginxServer& nginx) -> Task<void> {
      Client client;
      const swoop::http::RequestOptions short_timeout{.timeout = 200ms};
      co_await client.request("GET", nginx.http_url("/blackhole"), short_timeout);
    }(nginx));
    CHECK(silent.kind() == ClientErrorKind::timeout);
    // nginx still serves after the aborted requests.
    CHECK(run([](const NginxServer& nginx) -> Task<int> {
            Client client;
            co_return (co_await client.get(nginx.http_url("/hello.txt"))).status;
          }(nginx)) == 200);
  }

  TEST_CASE("HTTPS: the test CA verifies, no CA or a wrong host name is a TLS error") {
    NginxServer nginx;
    auto task = [](const NginxServer& nginx) -> Task<void> {
      Client client{ClientOptions{.ca_file = nginx.ca_file()}};
      const ClientResponse a = co_await client.get(nginx.https_url("/hello.txt"));
      CHECK(a.status == 200);
      CHECK(a.body == "Hello, World!");
      const ClientResponse b = co_await client.get(nginx.https_url("/chunked.txt"));
      CHECK(b.body == "hello CHUNKED world\n");
      const ClientResponse head = co_await client.head(nginx.https_url("/big.bin"));
      CHECK(head.header("Content-Length") == "1048576");
      CHECK(client.open_connections() == 1);  // kept alive over TLS
    };
    run(task(nginx));

    const auto untrusted = client_error(get_once({}, nginx.https_url("/hello.txt")));
    CHECK(untrusted.kind() == ClientErrorKind::tls);
    INFO(untrusted.what());
    CHECK(std::string{untrusted.what()}.find("certificate") != std::string::npos);

    // The certificate names IP:127.0.0.1 only; localhost resolves there but does not match.
    const auto mismatch =
        client_error(get_once({.ca_file = nginx.ca_file()}, nginx.https_url("/", "localhost")));
    CHECK(mismatch.kind() == ClientErrorKind::tls);

    CHECK(run([](const NginxServer& nginx) -> Task<std::string> {
            Client client{ClientOptions{.verify_tls = false}};
            co_return (co_await client.get(nginx.https_url("/hello.txt", "localhost"))).body;
          }(nginx)) == "Hello, World!");
  }

  TEST_CASE("a stopped nginx refuses connections, pooled or new") {
    NginxServer nginx;
    auto task = [](NginxServer& nginx) -> Task<void> {
      Client client;
      const ClientResponse a = co_await client.get(nginx.http_url("/hello.txt"));
      CHECK(a.status == 200);
      CHECK(client.open_connections() == 1);
      nginx.stop();
      try {
        co_await client.get(nginx.http_url("/hello.txt"));
        FAIL("a request to a stopped nginx succeeded");
      } catch (const ClientError& e) {
        INFO(e.what());
        CHECK(e.kind() == ClientErrorKind::connect);  // the dead pooled connection was not used
      }
    };
    run(task(nginx));
    const auto refused = client_error(get_once({}, nginx.http_url("/hello.txt")));
    CHECK(refused.kind() == ClientErrorKind::connect);
    INFO(refused.what());
    CHECK(std::string{refused.what()}.find("refused") != std::string::npos);
  }
}
