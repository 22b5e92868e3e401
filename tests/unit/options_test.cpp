// SPDX-License-Identifier: MIT
// Tests of swoop/options.hpp: RunOptions' documented defaults, TLS and HTTP/2 options, limits.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "swoop/swoop.hpp"

using namespace std::chrono_literals;

namespace {

int status_of(std::string_view raw) {
  const auto responses = swoop::TestClient::parse_responses(raw);
  return responses.empty() ? 0 : responses.front().status;
}

void add_echo(swoop::App& app) {
  app.get("/<rest:path>")([](swoop::Request& req) { return swoop::text(std::string{req.path()}); });
  app.post("/echo")(
      [](swoop::Request& req) { return swoop::text(std::to_string(req.body().size())); });
  app.post("/form")(
      [](swoop::Request& req) { return swoop::text(std::to_string(req.form().size())); });
}

}  // namespace

TEST_SUITE("options") {
  TEST_CASE("RunOptions defaults are the documented ones") {
    const swoop::RunOptions o;
    CHECK(o.host == "127.0.0.1");
    CHECK(o.port == 8000);
    CHECK(o.workers == 1);
    CHECK(o.backlog == 1024);
    CHECK_FALSE(o.share_port);
    CHECK_FALSE(o.tls.is_enabled());
    CHECK(o.http2.enabled);
    CHECK(o.max_connections == 10000);
    CHECK(o.max_target_size == 8192);
    CHECK(o.max_header_size == 16384);
    CHECK(o.max_header_count == 100);
    CHECK(o.max_body_size == 16 * 1024 * 1024);
    CHECK(o.buffered_body_budget == 256 * 1024 * 1024);
    CHECK(o.request_timeout == 60s);
    CHECK(o.response_timeout == 60s);
    CHECK(o.keep_alive_timeout == 5s);
    CHECK(o.graceful_shutdown_timeout == 15s);
    CHECK(o.linger_timeout == 2s);
    CHECK(o.drain_delay == 0ms);
    CHECK(o.form_limits.max_fields == swoop::FormLimits{}.max_fields);
    CHECK_FALSE(o.json_any_content_type);
    CHECK(o.access_log == swoop::AccessLog::off);
    CHECK_FALSE(o.debug);
    CHECK(o.pubsub_url->empty());
  }

  TEST_CASE("TlsOptions is enabled as soon as either file is named") {
    CHECK_FALSE(swoop::TlsOptions{}.is_enabled());
    CHECK(swoop::TlsOptions{.cert_file = "cert.pem", .key_file = "key.pem"}.is_enabled());
    CHECK(swoop::TlsOptions{.cert_file = "cert.pem"}.is_enabled());
    CHECK(swoop::TlsOptions{.key_file = "key.pem"}.is_enabled());
  }

  TEST_CASE("Http2Options defaults offer HTTP/2 with the documented limits, which check accepts") {
    const swoop::Http2Options h;
    CHECK(h.enabled);
    CHECK(h.max_concurrent_streams == 128);
    CHECK(h.stream_window == 256 * 1024);
    CHECK(h.connection_window == 1024 * 1024);
    CHECK(h.reset_burst == 100);
    CHECK(h.resets_per_second == 10);
    CHECK(h.control_burst == 100);
    CHECK(h.control_frames_per_second == 10);
    CHECK_NOTHROW(h.check());
    CHECK_NOTHROW(swoop::Http2Options{.stream_window = 2147483647u}.check());
    CHECK_THROWS_AS(swoop::Http2Options{.stream_window = 65534}.check(), std::invalid_argument);
    CHECK_THROWS_AS(swoop::Http2Options{.connection_window = 65534}.check(), std::invalid_argument);
    CHECK_THROWS_AS(swoop::Http2Options{.stream_window = 2147483648u}.check(),
                    std::invalid_argument);
  }

  TEST_CASE("a server refuses Http2Options that check refuses before it starts") {
    swoop::App app;
    add_echo(app);
    swoop::RunOptions bad;
    bad.port = 0;
    bad.http2.max_concurrent_streams = 0;
    swoop::Server server{app, bad};
    CHECK_THROWS_AS(server.start(), std::invalid_argument);
    swoop::App other;
    add_echo(other);
    swoop::RunOptions no_window;
    no_window.http2.connection_window = 1024;
    CHECK_THROWS_AS(swoop::TestClient(other, no_window), std::invalid_argument);
  }

  TEST_CASE("the target and body limits take a request at the limit and refuse one byte more") {
    swoop::App app;
    add_echo(app);
    swoop::TestClient client{app, {.max_target_size = 64, .max_body_size = 100}};
    const std::string at_limit = "/" + std::string(63, 'a');
    CHECK(client.get(at_limit).status == 200);
    CHECK(status_of(client.raw("GET " + at_limit + "b HTTP/1.1\r\nHost: a\r\n\r\n")) == 414);
    CHECK(client.post("/echo", std::string(100, 'x')).body == "100");
    CHECK(client.post("/echo", std::string(101, 'x')).status == 413);
  }

  TEST_CASE("max_header_count takes that many header fields and refuses one more") {
    swoop::App app;
    add_echo(app);
    swoop::TestClient client{app, {.max_header_count = 5}};
    auto with_fields = [](int n) {
      std::string head = "GET /h HTTP/1.1\r\nHost: a\r\n";  // Host is one of the n
      for (int i = 1; i < n; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
      return head + "Connection: close\r\n\r\n";
    };
    CHECK(status_of(client.raw(with_fields(4))) == 200);  // 4 and Connection: 5 fields
    CHECK(status_of(client.raw(with_fields(5))) == 431);
  }

  TEST_CASE("form_limits apply to req.form: past max_fields the request is a 413") {
    swoop::App app;
    add_echo(app);
    swoop::RunOptions options;
    options.form_limits.max_fields = 3;
    swoop::TestClient client{app, options};
    const swoop::HeaderList form = {{"Content-Type", "application/x-www-form-urlencoded"}};
    CHECK(client.post("/form", "a=1&b=2&c=3", form).body == "3");
    CHECK(client.post("/form", "a=1&b=2&c=3&d=4", form).status == 413);
  }
}
