// SPDX-License-Identifier: MIT
// Fuzzes the request path end to end: bytes from the input go over a loopback connection to a
// real swoop::Server (llhttp, head validation, router, request building, req.form(),
// req.cookies(), req.json(), error handling) and the bytes that come back are checked.
// Input: byte 0 picks where the bytes are split in two writes; the rest is sent as is, then
// the write side is shut down and the output read until the server closes it (or 300 ms).
// Invariants: the output is a sequence of well-formed HTTP/1.1 responses (llhttp in response
// mode; when a HEAD request may be in the input only the prefix is checked, since bodyless
// HEAD responses cannot be told apart without knowing the requests); no 5xx other than 500,
// 501, 503 and 505. ASan/UBSan cover the server threads too.
#include <arpa/inet.h>
#include <llhttp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fuzz_support.hpp"
#include "swoop/swoop.hpp"

namespace {

using namespace std::chrono_literals;
using swoop_fuzz::check;

swoop::App& make_app() {
  auto* app = new swoop::App{"fuzz"};  // lives until the process exits
  app->get("/")([](swoop::Request&) { return swoop::text("hi"); });
  app->get("/items/<id:int>")([](swoop::Request& req) {
    return swoop::text(std::to_string(req.param<std::int64_t>("id")));
  });
  app->get("/f/<x:float>/<s:slug>")([](swoop::Request& req) {
    return swoop::text(std::string{req.params().get("s").value_or("")});
  });
  app->get("/files/<rest:path>")(
      [](swoop::Request& req) { return swoop::text(std::string{req.args().get("q", "-")}); });
  app->get("/throw")([](swoop::Request&) -> swoop::Response { throw std::runtime_error("boom"); });
  app->get("/teapot")([](swoop::Request&) -> swoop::Response {
    throw swoop::HttpError{418, "short and stout"};
  });
  app->get("/co")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    co_return swoop::text(std::string{req.header("X-A").value_or("none")});
  });
  app->route("/echo", {.methods = {"POST", "PUT"}})([](swoop::Request& req) {
    std::string out{req.body().substr(0, 64)};
    try {
      out += std::to_string(req.form().size());
    } catch (const swoop::HttpError&) {
    }
    try {
      out += std::to_string(req.json().size());
    } catch (const swoop::HttpError&) {
    }
    out += std::to_string(req.cookies().size());
    return swoop::text(std::move(out));
  });
  app->post("/json")(
      [](swoop::Request& req) { return swoop::json(req.json().get<swoop::JsonValue>()); });
  app->post("/form")(
      [](swoop::Request& req) { return swoop::text(std::string{req.form().get("a", "")}); });
  return *app;
}

std::uint16_t server_port() {
  static const std::uint16_t port = [] {
    swoop::RunOptions options;
    options.port = 0;
    options.workers = 1;
    options.max_target_size = 256;
    options.max_header_size = 1024;
    options.max_header_count = 16;
    options.max_body_size = 4096;
    options.request_timeout = 300ms;
    options.response_timeout = 300ms;
    options.keep_alive_timeout = 300ms;
    options.linger_timeout = 50ms;
    options.form_limits = {.max_fields = 8,
                           .max_files = 2,
                           .max_parts = 8,
                           .max_part_header_size = 256,
                           .max_field_size = 256,
                           .max_file_size = 1024};
    // Handler exceptions are logged at error level on every run; SWOOP_FUZZ_LOG=1 keeps them.
    if (std::getenv("SWOOP_FUZZ_LOG") == nullptr) swoop::set_log_level(swoop::LogLevel::off);
    auto* server = new swoop::Server{make_app(), options};  // runs until the process exits
    server->start();
    return server->port();
  }();
  return port;
}

/// Connects to the server. Hundreds of thousands of short connections can run out of local
/// ports for a moment (EADDRNOTAVAIL), so that is retried for up to two seconds.
int connect_to(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0;; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(fd >= 0, "socket() failed");
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    const int error = errno;
    ::close(fd);
    if (attempt == 200 || (error != EADDRNOTAVAIL && error != EAGAIN && error != EINTR)) {
      std::fprintf(stderr, "connect: %s\n", std::strerror(error));
      check(false, "connect() failed");
    }
    std::this_thread::sleep_for(10ms);
  }
}

/// Closes with a reset rather than a FIN, so the client side keeps no TIME_WAIT entry.
void close_abortively(int fd) {
  const linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
}

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the server may close early (400, 413): keep what it answered
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Reads until EOF (returns true) or until `budget` passes (returns false).
bool receive_all(int fd, std::string& out, std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  char buf[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // EOF, or a reset after the server closed
    out.append(buf, static_cast<std::size_t>(n));
  }
}

struct Statuses {
  std::vector<int> codes;
  static int on_headers_complete(llhttp_t* parser) {
    static_cast<Statuses*>(parser->data)->codes.push_back(parser->status_code);
    return 0;
  }
};

void check_output(std::string_view output, bool complete, bool maybe_head) {
  Statuses statuses;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_headers_complete = Statuses::on_headers_complete;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &statuses;
  const llhttp_errno_t err = llhttp_execute(&parser, output.data(), output.size());
  if (!maybe_head) {
    if (err != HPE_OK) {
      std::fprintf(stderr, "llhttp: %s\n", llhttp_get_error_reason(&parser));
      check(false, "the output is not a sequence of HTTP responses");
    }
    if (complete) {
      check(llhttp_finish(&parser) == HPE_OK, "the output ends inside a response");
    }
  }
  for (const int code : statuses.codes) {
    check(code >= 100 && code <= 599, "a status code out of range");
    check(code < 500 || code == 500 || code == 501 || code == 503 || code == 505,
          "an unexpected 5xx status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint16_t port = server_port();
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);

  const int fd = connect_to(port);
  send_all(fd, std::string_view{bytes}.substr(0, split));
  send_all(fd, std::string_view{bytes}.substr(split));
  ::shutdown(fd, SHUT_WR);
  std::string output;
  const bool complete = receive_all(fd, output, 300ms);
  close_abortively(fd);
  if (std::getenv("SWOOP_FUZZ_PRINT") != nullptr) {  // to see what a reproducer gets back
    std::fprintf(stderr, "--- %zu bytes back (%s)\n%s\n---\n", output.size(),
                 complete ? "closed" : "timed out", output.c_str());
  }
  const bool maybe_head = bytes.find("HEAD") != std::string::npos;
  check_output(output, complete, maybe_head);
  return 0;
}
