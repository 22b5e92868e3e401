// SPDX-License-Identifier: MIT
// The serving core reaches the app only through server::Service (src/server/service.hpp). A
// Worker runs here on a Service that wraps the app's and counts what the core asks of it: each
// request head is matched once, whatever path the request takes through the connection.
#include "server/service.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "server/worker.hpp"
#include "support/raw_socket.hpp"
#include "support/ws_client.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::detail::Match;
using swoop::detail::Service;

namespace {

// Forwards to the app's Service and counts matches and pipeline runs.
class CountingService final : public Service {
 public:
  explicit CountingService(Service& inner) : inner_(inner) {}

  void freeze(const swoop::RunOptions& options) override { inner_.freeze(options); }
  void set_ready(bool ready) noexcept override { inner_.set_ready(ready); }
  void match(Request& req, Match& out) const noexcept override {
    matches.fetch_add(1, std::memory_order_relaxed);
    inner_.match(req, out);
  }
  bool any_stream_body() const noexcept override { return inner_.any_stream_body(); }
  Response respond(const Match& m, Request& req) const override {
    responses.fetch_add(1, std::memory_order_relaxed);
    return inner_.respond(m, req);
  }
  Task<Response> run(const Match& m, Request& req) const override {
    responses.fetch_add(1, std::memory_order_relaxed);
    return inner_.run(m, req);
  }
  Task<Response> handle_error(const Match& m, Request& req,
                              std::exception_ptr error) const override {
    return inner_.handle_error(m, req, std::move(error));
  }
  Response render_error(const Match* m, const Request& req,
                        std::exception_ptr error) const override {
    return inner_.render_error(m, req, std::move(error));
  }
  Task<void> run_listeners(swoop::ListenerEvent event, bool reverse) const override {
    return inner_.run_listeners(event, reverse);
  }
  std::size_t task_count() const noexcept override { return inner_.task_count(); }
  bool task_runs_once(std::size_t i) const noexcept override { return inner_.task_runs_once(i); }
  Task<void> run_task(std::size_t i) const override { return inner_.run_task(i); }
  void set_worker_context(swoop::Context* ctx) const noexcept override {
    inner_.set_worker_context(ctx);
  }

  mutable std::atomic<int> matches{0};
  mutable std::atomic<int> responses{0};

 private:
  Service& inner_;
};

void add_routes(swoop::App& app) {
  app.get("/items/<id:int>")(
      [](Request& req) { return swoop::text(std::string{req.param("id")}); });
  app.post("/echo")(
      [](Request& req) -> Task<Response> { co_return swoop::text(std::string{req.body()}); });
  swoop::RouteOptions streamed;
  streamed.methods = {"POST"};
  streamed.stream_body = true;
  app.route("/upload", streamed)([](Request& req) -> Task<Response> {
    std::size_t total = 0;
    for (std::string p; !(p = co_await req.stream().read()).empty();) total += p.size();
    co_return swoop::text(std::to_string(total));
  });
  // The room is read after each message: the request's bytes left the read buffer at the
  // upgrade, and the path parameter must have moved with them.
  app.websocket("/rooms/<room>")([](Request& req, swoop::WebSocket& ws) -> Task<> {
    while (auto msg = co_await ws.recv()) {
      co_await ws.send(std::string{req.param("room")} + ":" + std::string{msg->text()});
    }
  });
}

std::string exchange(swoop::test::RawSocket& s, std::string_view request, std::string_view until) {
  s.consume(s.received().size());
  s.send(request);
  return s.read_until(until, 5s);
}

}  // namespace

TEST_CASE("the serving core matches each request head once, through the Service") {
  swoop::App app;
  add_routes(app);
  const std::unique_ptr<Service> inner = swoop::detail::make_app_service(app);
  CountingService service{*inner};
  swoop::RunOptions options;
  options.workers = 1;
  service.freeze(options);

  std::uint16_t port = 0;
  const int fd = swoop::test::listen_loopback(port);
  swoop::detail::Worker worker{service, options, fd, 0, nullptr};
  std::thread thread{[&] { worker.run(); }};
  int requests = 0;
  {
    swoop::test::RawSocket s{port};
    // Inline: a sync route, the router's 404, 405 and automatic OPTIONS.
    CHECK(exchange(s, "GET /items/42 HTTP/1.1\r\nHost: a\r\n\r\n", "42").ends_with("\r\n\r\n42"));
    CHECK(exchange(s, "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\n")
              .starts_with("HTTP/1.1 404 "));
    CHECK(exchange(s, "DELETE /items/1 HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\n")
              .starts_with("HTTP/1.1 405 "));
    CHECK(exchange(s, "OPTIONS /items/1 HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\n")
              .starts_with("HTTP/1.1 204 "));
    // A buffered body (matched when its head is complete, asked whether it streams), a
    // streamed one, and a HEAD answered by the GET route.
    CHECK(exchange(s, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "hello")
              .ends_with("\r\n\r\nhello"));
    CHECK(exchange(s,
                   "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
                   "\r\n\r\n7")
              .ends_with("\r\n\r\n7"));
    CHECK(exchange(s, "HEAD /items/7 HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\n")
              .starts_with("HTTP/1.1 200 "));
    // Two pipelined in one write.
    const std::string both = exchange(
        s, "GET /items/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\n2");
    CHECK(both.ends_with("\r\n\r\n2"));
    requests = 9;
  }
  {
    swoop::test::WsRawClient ws{port, "/rooms/kitchen"};
    REQUIRE(ws.opened());
    ++requests;
    for (const std::string& text : {std::string(200, 'x'), std::string("after")}) {
      REQUIRE(ws.send(0x1, text));
      const auto reply = ws.read();
      REQUIRE(reply);
      CHECK(reply->payload == "kitchen:" + text);
    }
    ws.send(0x8, swoop::test::ws_close_payload(1000));
    CHECK(ws.read_close() == 1000);
  }
  worker.stop();
  thread.join();
  CHECK(service.matches.load() == requests);
  CHECK(service.responses.load() == requests);
}
