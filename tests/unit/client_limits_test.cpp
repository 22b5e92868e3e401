// SPDX-License-Identifier: MIT
// The client's bounds on response heads, against loopback servers that stream without end.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/response_parser.hpp"
#include "support/raw_socket.hpp"
#include "support/rss.hpp"
#include "support/run_task.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::http::Client;
using swoop::http::ClientError;
using swoop::http::ClientErrorKind;
using swoop::http::ClientOptions;
using swoop::http::ClientResponse;
using swoop::http::RequestOptions;
using swoop::http::detail::HeadLimits;
using swoop::http::detail::ResponseParser;
using swoop::test::resident_kib;
using swoop::test::RssPeak;
using Limit = ResponseParser::Limit;
using State = ResponseParser::State;
using Clock = std::chrono::steady_clock;

namespace {

// What one connection of a FloodServer sends at most, and for how long: far more than a
// client may buffer, and longer than the one second the client gets to give up.
constexpr std::size_t stream_cap = std::size_t{256} << 20;
constexpr auto stream_time = 4s;

const std::string ok_response =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

/// What a FloodServer connection sends: once, then repeat again and again (when not empty)
/// until the client closes or the caps pass; then it waits for the client to close, unless
/// close_after.
struct Script {
  std::string once;
  std::string repeat;
  bool close_after = false;
};

/// A loopback server, a thread per connection, that answers a request head with a Script,
/// writing with backpressure (it never holds more than one 64 KiB block).
class FloodServer {
 public:
  using Plan = std::function<Script(const std::string& head)>;
  /// read_request false: the script starts at once, and the request is never read.
  explicit FloodServer(Plan plan, bool read_request = true)
      : plan_(std::move(plan)), read_request_(read_request) {
    fd_ = swoop::test::listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FloodServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : threads_) t.join();
    ::close(fd_);
  }
  FloodServer(const FloodServer&) = delete;
  FloodServer& operator=(const FloodServer&) = delete;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  /// Bytes written on every connection so far.
  std::size_t sent() const { return sent_; }
  /// Waits until the client closed n connections; false when limit passed first.
  bool wait_client_closed(int n, std::chrono::milliseconds limit) const {
    return swoop::test::wait_for([this, n] { return client_closed_ >= n; }, limit);
  }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) threads_.emplace_back([this, c] { serve(c); });
    }
  }
  // Reads a request head; false when the client went away or time ran out.
  static bool read_head(int fd, std::string& head, Clock::time_point deadline) {
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (Clock::now() > deadline) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      head.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Writes data as the client takes it; false when the client is gone.
  bool push(int fd, std::string_view data, Clock::time_point deadline) {
    while (!data.empty() && Clock::now() < deadline) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      if ((p.revents & (POLLERR | POLLHUP)) != 0) return false;
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        return false;
      }
      sent_ += static_cast<std::size_t>(n);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Drains whatever the client sends until it closes; false when time ran out first.
  static bool wait_eof(int fd, Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buf[4096];
      if (::recv(fd, buf, sizeof buf, 0) <= 0) return true;
    }
    return false;
  }
  void serve(int fd) {
    const auto deadline = Clock::now() + stream_time;
    std::string head;
    bool gone = read_request_ && !read_head(fd, head, deadline);
    const Script script = gone ? Script{} : plan_(head);
    gone = gone || !push(fd, script.once, deadline);
    if (!gone && !script.repeat.empty()) {
      std::string block;
      while (block.size() < 65536) block += script.repeat;
      std::size_t sent = 0;
      while (!gone && sent < stream_cap && Clock::now() < deadline) {
        gone = !push(fd, block, deadline);
        sent += block.size();
      }
    }
    if (!gone && !script.close_after) gone = wait_eof(fd, deadline);
    if (gone) ++client_closed_;
    ::close(fd);
  }

  Plan plan_;
  bool read_request_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> sent_{0};
  std::atomic<int> client_closed_{0};
  std::thread acceptor_;
  std::vector<std::thread> threads_;  // touched by the acceptor only, joined after it
};

/// Answers GET /ok with 200 "ok" (and Connection: close), anything else with script.
FloodServer::Plan ok_or(Script script) {
  return [script](const std::string& head) {
    return head.starts_with("GET /ok ") ? Script{ok_response, "", true} : script;
  };
}

struct Parsed {
  State state = State::incomplete;
  Limit limit = Limit::none;
  ClientResponse response;
};

// Parses bytes fed in pieces of the given size, as the client does.
Parsed parse(std::string_view bytes, HeadLimits limits, std::size_t piece) {
  Parsed out;
  ResponseParser parser{out.response, false, 1 << 20, limits};
  for (std::size_t at = 0; at < bytes.size() && out.state == State::incomplete; at += piece) {
    out.state = parser.feed(bytes.substr(at, piece));
  }
  out.limit = parser.limit();
  return out;
}

// The outcome, the same whether the bytes come at once or one by one.
Parsed parse(std::string_view bytes, HeadLimits limits) {
  Parsed whole = parse(bytes, limits, bytes.size());
  const Parsed split = parse(bytes, limits, 1);
  CHECK(whole.state == split.state);
  CHECK(whole.limit == split.limit);
  return whole;
}

// A head of exactly size bytes (size >= 60), with one padded field; a final one says
// Content-Length: 0, so that it is a whole response.
std::string head_of(std::size_t size, std::string_view status = "200 OK") {
  std::string head = "HTTP/1.1 " + std::string{status} + "\r\n";
  if (!status.starts_with('1')) head += "Content-Length: 0\r\n";
  head += "X-Pad: ";
  head += std::string(size - head.size() - 4, 'p');
  return head + "\r\n\r\n";
}

struct Failure {
  ClientError error{ClientErrorKind::cancelled, "none"};
  bool thrown = false;
  std::size_t open_after = 0;  // the client's connections once the request failed
  std::string after;           // the body of GET /ok on the same client afterwards
};

// One request that should fail, then GET /ok on the same client, which must still work.
Task<Failure> fail_then_ok(std::string base, std::string method, std::string body,
                           ClientOptions options) {
  Client client{std::move(options)};
  Failure out;
  const RequestOptions request{.body = std::move(body)};
  try {
    co_await client.request(method, base + "/flood", request);
  } catch (const ClientError& e) {
    out.error = e;
    out.thrown = true;
  }
  out.open_after = client.open_connections();
  out.after = (co_await client.get(base + "/ok")).body;
  co_return out;
}

struct Measured {
  Failure failure;
  std::chrono::milliseconds elapsed{};
  long rss_growth_kib = 0;
};

// Runs fail_then_ok after one warm-up request, measuring time and resident growth.
Measured measure(const FloodServer& server, std::string method = "GET", std::string body = {},
                 ClientOptions options = {}) {
  const std::string base = server.url("");
  // The warm-up: the loop, libuv's thread pool (DNS) and the allocator's caches.
  CHECK(swoop::test::run([](std::string url) -> Task<std::string> {
          Client client;
          co_return (co_await client.get(url)).body;
        }(base + "/ok")) == "ok");
  Measured m;
  const long before = resident_kib();
  RssPeak peak;
  const auto start = Clock::now();
  m.failure = swoop::test::run(fail_then_ok(base, method, std::move(body), std::move(options)));
  m.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  m.rss_growth_kib = peak.stop() - before;
  MESSAGE("error: ", std::string{m.failure.thrown ? m.failure.error.what() : "none"},
          "; elapsed: ", m.elapsed.count(), " ms; peak RSS growth: ", m.rss_growth_kib,
          " KiB; server sent: ", server.sent() / 1024, " KiB");
  return m;
}

// What every flood must come to: the error at once, little memory, the connection closed,
// the client still usable.
void check_refused(const FloodServer& server, const Measured& m, ClientErrorKind kind) {
  CHECK(m.failure.thrown);
  CHECK(m.failure.error.kind() == kind);
  CHECK(m.elapsed < 1s);
  if (swoop::test::rss_is_measurable) CHECK(m.rss_growth_kib < 4 * 1024);
  CHECK(m.failure.open_after == 0);
  CHECK(m.failure.after == "ok");
  CHECK(server.wait_client_closed(1, 1s));
}

}  // namespace

TEST_SUITE("client") {
  TEST_CASE("a head of max_header_size bytes passes and one byte more fails, however split") {
    const std::string head = head_of(1000);
    REQUIRE(head.size() == 1000);
    CHECK(parse(head, {.max_header_size = 1000}).state == State::complete);
    const Parsed over = parse(head, {.max_header_size = 999});
    CHECK(over.state == State::too_large);
    CHECK(over.limit == Limit::header_size);
    // Nothing past the limit was stored.
    CHECK(over.response.reason.size() + over.response.headers.at(0).second.size() < 999);
    // A body after the head is not part of it.
    std::string with_body = head_of(1000);
    with_body.replace(with_body.find("Length: 0"), 9, "Length: 5000");
    CHECK(parse(with_body + std::string(5000, 'b'), {.max_header_size = 1003}).state ==
          State::complete);
  }

  TEST_CASE("max_header_count bounds the fields of a head and of a trailer section") {
    const std::string head = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n";
    CHECK(parse(head, {.max_header_count = 3}).state == State::complete);
    const Parsed over = parse(head, {.max_header_count = 2});
    CHECK(over.state == State::too_large);
    CHECK(over.limit == Limit::header_count);
    const std::string chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT1: a\r\nT2: "
        "b\r\n\r\n";
    CHECK(parse(chunked, {.max_header_count = 2}).state == State::complete);
    CHECK(parse(chunked, {.max_header_count = 1}).limit == Limit::header_count);
    const std::string endless_trailer =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + std::string(2000, 't');
    const Parsed trailer = parse(endless_trailer, {.max_header_size = 1000});
    CHECK(trailer.state == State::too_large);
    CHECK(trailer.limit == Limit::trailer_size);
    // Limits are checked where the whole and the split input agree: a name is counted at its
    // colon, and bytes past max_header_size are never parsed (so a bad byte there is moot).
    CHECK(parse(head.substr(0, 29) + "bad line\r\n\r\n", {.max_header_count = 2}).state ==
          State::error);
    CHECK(parse(endless_trailer + "\x01", {.max_header_size = 1000}).limit == Limit::trailer_size);
  }

  TEST_CASE("each interim head is bounded on its own, and their number by max_informational") {
    const std::string interim = head_of(100, "103 Early Hints");
    const std::string final_head = head_of(100);
    // Three heads of 100 bytes in one piece: each is held to 100, not their sum.
    CHECK(parse(interim + interim + final_head, {.max_header_size = 100}).state == State::complete);
    CHECK(parse(interim + head_of(101), {.max_header_size = 100}).limit == Limit::header_size);
    CHECK(parse(head_of(101, "100 Continue") + final_head, {.max_header_size = 100}).limit ==
          Limit::header_size);
    std::string three;
    for (int i = 0; i < 3; ++i) three += interim;
    const Parsed allowed = parse(three + final_head, {.max_informational = 3});
    CHECK(allowed.state == State::complete);
    CHECK(allowed.response.status == 200);
    const Parsed over = parse(three + interim + final_head, {.max_informational = 3});
    CHECK(over.state == State::error);
    CHECK(over.limit == Limit::informational);
    // EOF after an interim response is EOF before the response: incomplete, as ever.
    ClientResponse response;
    ResponseParser parser{response, false, 1024};
    CHECK(parser.feed(interim) == State::incomplete);
    CHECK(parser.finish() == State::incomplete);
  }

  TEST_CASE("ClientOptions bound heads by default, with the server's header count") {
    const ClientOptions options;
    CHECK(options.max_header_size == 64 * 1024);
    CHECK(options.max_header_count == swoop::RunOptions{}.max_header_count);
    CHECK(options.max_informational == 16);
    const HeadLimits parser_defaults;
    CHECK(parser_defaults.max_header_size == options.max_header_size);
    CHECK(parser_defaults.max_header_count == options.max_header_count);
    CHECK(parser_defaults.max_informational == options.max_informational);
  }

  TEST_CASE("endless header lines end the request with too_large at once") {
    // Lines of 1 KiB: max_header_size is passed before max_header_count.
    FloodServer server{
        ok_or({"HTTP/1.1 200 OK\r\n", "X-Flood: " + std::string(1014, 'f') + "\r\n"})};
    const Measured m = measure(server);
    check_refused(server, m, ClientErrorKind::too_large);
    CHECK(std::string{m.failure.error.what()}.find("65536 bytes") != std::string::npos);
  }

  TEST_CASE("one endless header line ends the request with too_large at once") {
    FloodServer server{ok_or({"HTTP/1.1 200 OK\r\nX-Endless: ", std::string(4096, 'v')})};
    check_refused(server, measure(server), ClientErrorKind::too_large);
  }

  TEST_CASE("an endless reason phrase ends the request with too_large at once") {
    FloodServer server{ok_or({"HTTP/1.1 200 ", std::string(4096, 'r')})};
    check_refused(server, measure(server), ClientErrorKind::too_large);
  }

  TEST_CASE("a 1 MB reason phrase is refused with too_large") {
    const std::string head =
        "HTTP/1.1 200 " + std::string(1 << 20, 'r') + "\r\nContent-Length: 0\r\n\r\n";
    FloodServer server{ok_or({head, ""})};
    check_refused(server, measure(server), ClientErrorKind::too_large);
  }

  TEST_CASE("endless short header lines end the request with too_large at once") {
    FloodServer server{ok_or({"HTTP/1.1 200 OK\r\n", "X: y\r\n"})};
    const Measured m = measure(server);
    check_refused(server, m, ClientErrorKind::too_large);
    CHECK(std::string{m.failure.error.what()}.find("100 header fields") != std::string::npos);
  }

  TEST_CASE("more header fields than max_header_count are refused with too_large") {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 100; ++i) head += "X-N: v\r\n";
    head += "Content-Length: 0\r\n\r\n";  // the 101st field
    FloodServer server{ok_or({head, ""})};
    const Measured m = measure(server);
    check_refused(server, m, ClientErrorKind::too_large);
    CHECK(std::string{m.failure.error.what()}.find("100 header fields") != std::string::npos);
  }

  TEST_CASE("an endless run of 100 Continue heads ends the request with protocol at once") {
    FloodServer server{ok_or({"", "HTTP/1.1 100 Continue\r\n\r\n"})};
    const Measured m = measure(server);
    check_refused(server, m, ClientErrorKind::protocol);
    CHECK(std::string{m.failure.error.what()}.find("interim (1xx)") != std::string::npos);
  }

  TEST_CASE("a head streamed while the request body is still being sent is not buffered") {
    // The server never reads the request: the client's write stalls, and it must stop reading
    // instead of buffering what arrives meanwhile. The request then runs into its timeout.
    FloodServer server{
        [](const std::string&) {
          return Script{"HTTP/1.1 200 OK\r\n", "X-Flood: " + std::string(90, 'f') + "\r\n"};
        },
        false};
    const std::string base = server.url("");
    std::string body(8 << 20, 'b');
    const long before = resident_kib();
    RssPeak peak;
    const ClientError e =
        swoop::test::client_error([](std::string url, std::string body) -> Task<void> {
          Client client{ClientOptions{.request_timeout = 1s}};
          co_await client.post(url, std::move(body));
        }(base + "/upload", std::move(body)));
    const long growth = peak.stop() - before;
    MESSAGE("error: ", std::string{e.what()}, "; peak RSS growth: ", growth,
            " KiB (the 8 MiB body, copied twice); server sent: ", server.sent() / 1024, " KiB");
    CHECK(e.kind() == ClientErrorKind::timeout);
    CHECK(server.sent() < std::size_t{16} << 20);  // client and kernel buffers only
    // The two 8 MiB copies of the request, and a few MiB.
    if (swoop::test::rss_is_measurable) CHECK(growth < 28 * 1024);
    CHECK(server.wait_client_closed(1, 1s));
  }

  TEST_CASE("a flood on one connection leaves concurrent requests of the client alone") {
    swoop::App app{"limits"};
    app.get("/slow")([](swoop::Request&) -> Task<swoop::Response> {
      co_await swoop::sleep(100ms);
      co_return swoop::text("slow");
    });
    swoop::TestClient upstream{app};
    FloodServer server{ok_or({"HTTP/1.1 200 OK\r\n", "X-Flood: " + std::string(90, 'f') + "\r\n"})};
    auto task = [](std::string flood, std::string slow) -> Task<void> {
      Client client;
      auto failing = [](Client& client, std::string url) -> Task<std::string> {
        try {
          co_await client.get(url);
        } catch (const ClientError& e) {
          co_return e.kind() == ClientErrorKind::too_large ? "too_large" : e.what();
        }
        co_return "answered";
      };
      auto [flooded, answered] =
          co_await swoop::gather(failing(client, flood + "/flood"), client.get(slow + "/slow"));
      CHECK(flooded == "too_large");
      CHECK(answered.body == "slow");
      CHECK(client.open_connections() == 1);  // the upstream's, pooled; the flood's is closed
      const ClientResponse again = co_await client.get(slow + "/slow");
      CHECK(again.body == "slow");
    };
    swoop::test::run(task(server.url(""), "http://127.0.0.1:" + std::to_string(upstream.port())));
    CHECK(server.wait_client_closed(1, 1s));
  }
}
