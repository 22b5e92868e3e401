// SPDX-License-Identifier: MIT
// swoop::http::Client against swoop's server and small raw servers, all on 127.0.0.1.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/socket.hpp"
#include "support/raw_socket.hpp"
#include "support/run_task.hpp"
#include "support/test_certs.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::http::Client;
using swoop::http::ClientError;
using swoop::http::ClientErrorKind;
using swoop::http::ClientOptions;
using swoop::http::ClientResponse;
using swoop::test::client_error;
using swoop::test::eventually;
using swoop::test::run;
using swoop::test::wait_for;

namespace {

/// A loopback TCP server on a thread per connection; handle(fd, request head) answers with
/// raw bytes and returns whether to keep the connection open for another request.
class RawServer {
 public:
  using Handler = std::function<bool(int fd, const std::string& head)>;
  explicit RawServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = swoop::test::listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~RawServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : threads_) t.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int connections() const { return accepted_; }
  int closed() const { return closed_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  static void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

 private:
  bool wait_readable(int fd) {
    for (int i = 0; i < 100 && !stop_; ++i) {  // at most 10 s
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) return true;
    }
    return false;
  }
  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted_;
      threads_.emplace_back([this, c] { serve(c); });
    }
  }
  void serve(int c) {
    std::string buf;
    for (;;) {
      if (!wait_readable(c)) break;
      char tmp[4096];
      const ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      buf.append(tmp, static_cast<std::size_t>(n));
      const std::size_t end = buf.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const std::string head = buf.substr(0, end + 4);
      buf.erase(0, end + 4);
      if (!handler_(c, head)) break;
    }
    ::close(c);
    ++closed_;
  }

  Handler handler_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::thread acceptor_;
  std::vector<std::thread> threads_;  // touched by the acceptor only, joined after it
};

/// A port nothing listens on (bound once, then released).
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void add_routes(swoop::App& app) {
  app.get("/hello")([](Request&) {
    Response res = swoop::text("hello");
    res.add_header("X-MiXeD-Case", "one");
    res.add_header("X-Multi", "a");
    res.add_header("X-Multi", "b");
    return res;
  });
  app.get("/port")([](Request& req) { return swoop::text(std::to_string(req.remote_port())); });
  app.get("/slow")([](Request& req) -> Task<Response> {
    co_await swoop::sleep(50ms);
    co_return swoop::text(std::to_string(req.remote_port()));
  });
  app.route("/echo", {.methods = {"GET", "POST", "PUT", "PATCH", "DELETE"}})([](Request& req) {
    std::string out{req.method()};
    out += ' ';
    out += req.header("Content-Type").value_or("-");
    out += ' ';
    out += req.body();
    return swoop::text(out);
  });
  app.get("/auth")([](Request& req) {
    return swoop::text(std::string{req.header("Authorization").value_or("none")});
  });
  app.route("/r/<code:int>", {.methods = {"GET", "POST", "HEAD"}})([](Request& req) {
    return swoop::redirect("/echo", static_cast<int>(req.param<long>("code")));
  });
  app.get("/loop")([](Request&) { return swoop::redirect("/loop", 302); });
  app.get("/relative/a/b")([](Request&) { return swoop::redirect("../../echo", 302); });
  app.get("/cross/<port:int>")([](Request& req) {
    return swoop::redirect("http://localhost:" + std::string{req.param("port")} + "/auth", 302);
  });
  app.get("/big")([](Request&) { return swoop::text(std::string(1000, 'x')); });
}

std::string chunked_response() {
  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
         "world\r\n0\r\n\r\n";
}

/// An HTTPS server (python3 http.server wrapped in ssl) on 127.0.0.1, port 0, stopped with SIGTERM.
class PythonHttps {
 public:
  PythonHttps(const std::string& cert, const std::string& key) {
    static const char* script = R"(
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"hello tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
)";
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::vector<std::string> args{"/usr/bin/python3", "-c", script, cert, key};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int r = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    REQUIRE(r == 0);
    std::string line;
    pollfd p{fds[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&p, 1, 10'000) > 0) {
      char buf[64];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    port_ = static_cast<std::uint16_t>(std::atoi(line.c_str()));
    REQUIRE(port_ != 0);
  }
  ~PythonHttps() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/";
  }

 private:
  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
};

Task<std::string> get_body(ClientOptions options, std::string url) {
  Client client{std::move(options)};
  ClientResponse first = co_await client.get(url);
  ClientResponse second = co_await client.get(url);
  CHECK(client.open_connections() == 1);  // kept alive over TLS
  co_return first.body + "," + second.body;
}
}  // namespace

TEST_SUITE("client") {
  TEST_CASE("GET, HEAD and POST against the swoop server keep header case and order") {
    swoop::App app{"client"};
    add_routes(app);
    swoop::TestClient server{app};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto task = [](std::string base) -> Task<void> {
      Client client;
      ClientResponse res = co_await client.get(base + "/hello");
      CHECK(res.status == 200);
      CHECK(res.reason == "OK");
      CHECK(res.body == "hello");
      CHECK(res.url == base + "/hello");
      bool mixed = false;
      for (const auto& [name, value] : res.headers) mixed = mixed || name == "X-MiXeD-Case";
      CHECK(mixed);
      CHECK(res.header("x-mixed-case") == "one");
      CHECK(res.get_all("X-MULTI") == std::vector<std::string_view>{"a", "b"});
      ClientResponse head = co_await client.head(base + "/hello");
      CHECK(head.status == 200);
      CHECK(head.body.empty());
      CHECK(head.header("Content-Length") == "5");
      ClientResponse post = co_await client.post(base + "/echo", "data", "text/x-test");
      CHECK(post.body == "POST text/x-test data");
      // GCC 12 cannot build a JsonObject from literals inside a co_await expression.
      const swoop::JsonValue value = swoop::JsonObject{{"a", 1}};
      ClientResponse json = co_await client.post_json(base + "/echo", value);
      CHECK(json.body == "POST application/json {\"a\":1}");
      {
        auto r1 = co_await client.put(base + "/echo", "p");
        CHECK(r1.body == "PUT text/plain; charset=utf-8 p");
      }
      {
        auto r2 = co_await client.patch(base + "/echo", "q");
        CHECK(r2.body.starts_with("PATCH"));
      }
      {
        auto r3 = co_await client.del(base + "/echo");
        CHECK(r3.body == "DELETE - ");
      }
      {
        auto r4 = co_await client.get(base + "/nope");
        CHECK(r4.status == 404);
      }
      co_await client.close();
      CHECK(client.open_connections() == 0);
    };
    run(task(base));
  }

  TEST_CASE("keep-alive connections are reused and limited per host") {
    swoop::App app{"client"};
    add_routes(app);
    swoop::TestClient server{app};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto task = [](std::string base) -> Task<void> {
      Client client{ClientOptions{.max_per_host = 2}};
      const std::string first = (co_await client.get(base + "/port")).body;
      {
        auto r5 = co_await client.get(base + "/port");
        CHECK(r5.body == first);
      }
      CHECK(client.open_connections() == 1);
      std::vector<Task<ClientResponse>> tasks;
      for (int i = 0; i < 6; ++i) tasks.push_back(client.get(base + "/slow"));
      std::set<std::string> ports;
      for (auto& r : co_await swoop::gather(std::move(tasks))) ports.insert(r.body);
      CHECK(ports.size() == 2);
      CHECK(client.open_connections() == 2);
    };
    auto expiry = [](std::string base) -> Task<void> {
      Client client{ClientOptions{.idle_timeout = 50ms}};
      const ClientResponse res = co_await client.get(base + "/port");
      CHECK(res.status == 200);
      CHECK(client.open_connections() == 1);
      co_await eventually([&client] { return client.open_connections() == 0; }, 10s);
      CHECK(client.open_connections() == 0);  // closed by the idle sweep
    };
    run(expiry(base));
    run(task(base));
  }

  TEST_CASE("chunked, close-delimited and HEAD responses from a raw server") {
    RawServer raw{[](int fd, const std::string& head) {
      if (head.starts_with("GET /chunked")) {
        RawServer::send_all(fd, chunked_response());
        return true;
      }
      if (head.starts_with("HEAD")) {
        // A Content-Length with no body: the client must not wait for it.
        RawServer::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n");
        return true;
      }
      RawServer::send_all(fd, "HTTP/1.0 200 OK\r\n\r\nuntil close");
      return false;
    }};
    auto task = [](std::string base) -> Task<void> {
      Client client;
      {
        auto r6 = co_await client.get(base + "chunked");
        CHECK(r6.body == "hello world");
      }
      ClientResponse head = co_await client.head(base + "head");
      CHECK(head.header("Content-Length") == "12345");
      CHECK(head.body.empty());
      {
        auto r7 = co_await client.get(base + "close");
        CHECK(r7.body == "until close");
      }
      {
        auto r8 = co_await client.get(base + "chunked");
        CHECK(r8.body == "hello world");
      }
    };
    run(task(raw.url()));
    CHECK(raw.connections() == 2);  // chunked and HEAD shared one; close-delimited closed it
  }

  TEST_CASE("a pooled connection the server closed is not reused") {
    RawServer raw{[](int fd, const std::string&) {
      RawServer::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      return false;  // closes without Connection: close
    }};
    auto task = [](std::string url, const RawServer& raw) -> Task<void> {
      Client client;
      for (int i = 0; i < 3; ++i) {
        {
          auto r9 = co_await client.get(url);
          CHECK(r9.body == "ok");
        }
        // Once the server closed it, one more pass of the loop's I/O phase reads the EOF on
        // the idle connection (the sweep, which would drop it too, runs only every second).
        co_await eventually([&raw, i] { return raw.closed() > i; }, 10s);
        co_await swoop::sleep(1ms);
      }
      {  // at once: the retry covers a race
        auto r10 = co_await client.get(url);
        CHECK(r10.body == "ok");
      }
    };
    run(task(raw.url(), raw));
    CHECK(raw.connections() == 4);
  }

  TEST_CASE("a server that never answers hits the request timeout") {
    RawServer raw{[](int, const std::string&) { return true; }};
    const ClientError e = client_error([](std::string url) -> Task<void> {
      Client client;
      // A local, as docs/guide/coroutines.md advises for GCC 12 (braced lists in co_await).
      const swoop::http::RequestOptions options{.timeout = 200ms};
      co_await client.request("GET", url, options);
    }(raw.url()));
    CHECK(e.kind() == ClientErrorKind::timeout);
    CHECK(std::string{e.what()}.find("timed out after 200 ms") != std::string::npos);
  }

  TEST_CASE("a TLS handshake that gets no answer hits the handshake timeout") {
    RawServer raw{[](int, const std::string&) { return true; }};
    const ClientError e = client_error([](std::string url) -> Task<void> {
      Client client{ClientOptions{.tls_handshake_timeout = 100ms}};
      co_await client.get(url);
    }("https://127.0.0.1:" + std::to_string(raw.port()) + "/"));
    CHECK(e.kind() == ClientErrorKind::timeout);
    CHECK(std::string{e.what()}.starts_with("TLS: handshake with 127.0.0.1:"));
  }

  TEST_CASE("a request waiting for a pool slot can be cancelled") {
    swoop::App app{"client"};
    add_routes(app);
    swoop::TestClient server{app};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto task = [](std::string base) -> Task<void> {
      Client client{ClientOptions{.max_per_host = 1}};
      auto waiting = [](Client& client, std::string url) -> Task<std::string> {
        try {
          co_await swoop::with_timeout(10ms, client.get(url));
        } catch (const swoop::Timeout&) {
          co_return "timeout";
        }
        co_return "answered";
      };
      auto [slow, cancelled] =
          co_await swoop::gather(client.get(base + "/slow"), waiting(client, base + "/port"));
      CHECK(slow.status == 200);
      CHECK(cancelled == "timeout");
      const ClientResponse after = co_await client.get(base + "/port");
      CHECK(after.body == slow.body);  // the one connection, reused
    };
    run(task(base));
  }

  TEST_CASE("DNS failures, refused connections and bad URLs are ClientErrors") {
    ClientError dns = client_error([]() -> Task<void> {
      Client client;
      co_await client.get("http://nonexistent.invalid/");
    }());
    CHECK(dns.kind() == ClientErrorKind::dns);
    CHECK(std::string{dns.what()}.find("nonexistent.invalid") != std::string::npos);
    const std::uint16_t port = closed_port();
    ClientError refused = client_error([](std::uint16_t port) -> Task<void> {
      Client client;
      co_await client.get("http://127.0.0.1:" + std::to_string(port) + "/");
    }(port));
    CHECK(refused.kind() == ClientErrorKind::connect);
    CHECK(std::string{refused.what()} ==
          "connect to 127.0.0.1:" + std::to_string(port) + ": connection refused");
    for (const char* url : {"ftp://x/", "http://", "http://[::1/", "http://h:99999/", "x"}) {
      CAPTURE(url);
      ClientError bad = client_error([](std::string url) -> Task<void> {
        Client client;
        co_await client.get(url);
      }(url));
      CHECK(bad.kind() == ClientErrorKind::protocol);
    }
  }

  TEST_CASE("DNS lookups past the per-loop bound wait their turn and can be cancelled") {
    // Each loop runs 4 lookups at once (the rest queue) so that slow DNS cannot take every
    // thread of libuv's pool. A leaked slot would make the last batch hang.
    auto lookups = [](std::chrono::milliseconds timeout) -> Task<std::pair<int, int>> {
      auto one = [](std::chrono::milliseconds timeout) -> Task<int> {
        try {
          auto addresses =
              co_await swoop::with_timeout(timeout, swoop::http::detail::resolve("localhost", 80));
          co_return addresses.empty() ? -1 : 1;
        } catch (const swoop::Timeout&) {
          co_return 0;
        }
      };
      std::vector<Task<int>> tasks;
      for (int i = 0; i < 16; ++i) tasks.push_back(one(timeout));
      std::pair<int, int> resolved_timedout{0, 0};
      for (int r : co_await swoop::gather(std::move(tasks))) {
        REQUIRE(r >= 0);
        (r == 1 ? resolved_timedout.first : resolved_timedout.second) += 1;
      }
      co_return resolved_timedout;
    };
    run([](auto lookups) -> Task<void> {
      CHECK(co_await lookups(10s) == std::pair{16, 0});
      const auto [resolved, timed_out] = co_await lookups(0ms);  // queued ones cancelled
      CHECK(resolved + timed_out == 16);
      CHECK(timed_out >= 12);
      CHECK(co_await lookups(10s) == std::pair{16, 0});
    }(lookups));
  }

  TEST_CASE("the address policy refuses resolved addresses before connecting") {
    const std::uint16_t port = closed_port();
    const std::string p = fmt::format(":{}", port);
    // Nothing listens on port: a connect attempt would be a connect error, not refused.
    for (const std::string host : {"127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "[::1]",
                                   "[::ffff:127.0.0.1]", "localhost"}) {
      CAPTURE(host);
      ClientError e = client_error([](std::string url) -> Task<void> {
        Client client{ClientOptions{.allow_address = swoop::http::is_public_address}};
        co_await client.head(url);
      }("http://" + host + p + "/"));
      CHECK(e.kind() == ClientErrorKind::refused);
      CHECK(std::string{e.what()}.starts_with("refused: "));
      CHECK(std::string{e.what()}.ends_with(" is a loopback address"));
    }
    ClientError e = client_error([](std::string url) -> Task<void> {
      Client client{ClientOptions{.allow_address = swoop::http::is_public_address}};
      co_await client.get(url);
    }("http://127.0.0.1" + p + "/"));
    CHECK(std::string{e.what()} == "refused: 127.0.0.1 is a loopback address");
    // Userinfo tricks never reach the resolver.
    ClientError trick = client_error([](std::string url) -> Task<void> {
      Client client{ClientOptions{.allow_address = swoop::http::is_public_address}};
      co_await client.get(url);
    }("http://example.com@127.0.0.1" + p + "/"));
    CHECK(trick.kind() == ClientErrorKind::protocol);
  }

  TEST_CASE("the address policy is checked again for every redirect hop") {
    const std::uint16_t closed = closed_port();
    RawServer raw{[closed](int fd, const std::string&) {
      RawServer::send_all(fd, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" +
                                  std::to_string(closed) + "/\r\nContent-Length: 0\r\n\r\n");
      return true;
    }};
    const std::uint16_t allowed = raw.port();
    ClientError e = client_error([](std::string url, std::uint16_t allowed) -> Task<void> {
      ClientOptions options;
      options.allow_address = [allowed](const swoop::http::IpAddress& a) {
        return a.port == allowed;
      };
      Client client{std::move(options)};
      // A named RequestOptions: g++ 12 mishandles a braced temporary inside co_await.
      const swoop::http::RequestOptions follow{.follow_redirects = true};
      co_await client.request("GET", url, follow);
    }(raw.url("/"), allowed));
    CHECK(e.kind() == ClientErrorKind::refused);
    CHECK(std::string{e.what()} == "refused: 127.0.0.1 is a loopback address");
    CHECK(raw.connections() == 1);
  }

  TEST_CASE("bodies over max_body are refused") {
    swoop::App app{"client"};
    add_routes(app);
    swoop::TestClient server{app};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    ClientError e = client_error([](std::string url) -> Task<void> {
      Client client{ClientOptions{.max_body = 100}};
      co_await client.get(url);
    }(base + "/big"));
    CHECK(e.kind() == ClientErrorKind::too_large);
    RawServer raw{[](int fd, const std::string&) {
      RawServer::send_all(fd, chunked_response());
      return true;
    }};
    ClientError chunked = client_error([](std::string url) -> Task<void> {
      Client client;
      const swoop::http::RequestOptions options{.max_body = 8};
      co_await client.request("GET", url, options);
    }(raw.url()));
    CHECK(chunked.kind() == ClientErrorKind::too_large);
  }

  TEST_CASE("redirects are followed only when asked") {
    swoop::App app{"client"};
    add_routes(app);
    swoop::TestClient server{app};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto task = [](std::string base, std::string port) -> Task<void> {
      Client client;
      ClientResponse plain = co_await client.get(base + "/r/302");
      CHECK(plain.status == 302);
      CHECK(plain.header("Location") == "/echo");
      auto follow = [&](std::string method, int code) {
        return client.request(method, base + "/r/" + std::to_string(code),
                              {.headers = {{"Content-Type", "text/x"}},
                               .body = method == "POST" ? "b" : "",
                               .follow_redirects = true});
      };
      for (int code : {301, 302, 303}) {
        ClientResponse r = co_await follow("POST", code);
        CHECK(r.body == "GET - ");
        CHECK(r.url == base + "/echo");
      }
      for (int code : {307, 308}) {
        auto r11 = co_await follow("POST", code);
        CHECK(r11.body == "POST text/x b");
      }
      {
        auto r12 = co_await follow("GET", 301);
        CHECK(r12.body == "GET text/x ");
      }
      const swoop::http::RequestOptions follow_options{.follow_redirects = true};
      ClientResponse rel = co_await client.request("GET", base + "/relative/a/b", follow_options);
      CHECK(rel.url == base + "/relative/a/../../echo");
      try {
        const swoop::http::RequestOptions three{.follow_redirects = true, .max_redirects = 3};
        co_await client.request("GET", base + "/loop", three);
        FAIL("no error");
      } catch (const ClientError& e) {
        CHECK(e.kind() == ClientErrorKind::protocol);
        CHECK(std::string{e.what()}.find("too many redirects") != std::string::npos);
      }
      swoop::http::RequestOptions auth{.headers = {{"Authorization", "Bearer t"}},
                                       .follow_redirects = true};
      {
        auto r13 = co_await client.request("GET", base + "/auth", auth);
        CHECK(r13.body == "Bearer t");
      }
      {
        auto r14 = co_await client.request("GET", base + "/cross/" + port, auth);
        CHECK(r14.body == "none");
      }
    };
    run(task(base, std::to_string(server.port())));
  }

  TEST_CASE("cancelling the awaiting task aborts the request and closes its connection") {
    RawServer raw{[](int, const std::string&) { return true; }};
    auto task = [](std::string url) -> Task<void> {
      Client client;
      try {
        co_await swoop::with_timeout(100ms, client.get(url));
        FAIL("no timeout");
      } catch (const swoop::Timeout&) {
      }
      CHECK(client.open_connections() == 0);
      co_await client.close();
    };
    run(task(raw.url()));
    wait_for([&raw] { return raw.closed() != 0; }, 10s);
    CHECK(raw.closed() == 1);
  }
  TEST_CASE("TLS: certificates and host names are verified unless turned off") {
    swoop_test::TestCerts certs;
    PythonHttps good{certs.cert("good"), certs.key("good")};
    PythonHttps other{certs.cert("other"), certs.key("other")};
    ClientError self_signed = client_error([](std::string url) -> Task<void> {
      Client client;
      co_await client.get(url);
    }(good.url()));
    CHECK(self_signed.kind() == ClientErrorKind::tls);
    CHECK(std::string{self_signed.what()} ==
          "TLS: certificate verify failed for 127.0.0.1: self-signed certificate");
    CHECK(run(get_body({.ca_file = certs.cert("good")}, good.url())) == "hello tls,hello tls");
    CHECK(run(get_body({.ca_file = certs.cert("good")}, good.url("localhost"))) ==
          "hello tls,hello tls");
    CHECK(run(get_body({.verify_tls = false}, good.url())) == "hello tls,hello tls");
    ClientError mismatch = client_error([](std::string ca, std::string url) -> Task<void> {
      Client client{ClientOptions{.ca_file = ca}};
      co_await client.get(url);
    }(certs.cert("other"), other.url()));
    CHECK(mismatch.kind() == ClientErrorKind::tls);
    CHECK(std::string{mismatch.what()}.find("mismatch") != std::string::npos);
    ClientError bad_ca = client_error([](std::string url) -> Task<void> {
      Client client{ClientOptions{.ca_file = "/nonexistent/ca.pem"}};
      co_await client.get(url);
    }(good.url()));
    CHECK(bad_ca.kind() == ClientErrorKind::tls);
  }
}
