// SPDX-License-Identifier: MIT
// TestClient: a blocking loopback HTTP client (llhttp in response mode) around a Server.
#include <arpa/inet.h>
#include <llhttp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "swoop/app.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"
#include "swoop/server.hpp"
#include "swoop/testing.hpp"

namespace swoop {

namespace {

/// A connected blocking socket, closed on destruction.
class Socket {
 public:
  explicit Socket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw SystemError(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int e = errno;
      ::close(fd_);
      throw SystemError(e, std::generic_category(), "connect");
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // the server may close early (413, 400): keep what it answered
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  /// Appends what arrives within wait; false on EOF, error or timeout.
  bool receive(std::string& out, std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (r <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    out.append(buf, static_cast<std::size_t>(n));
    return true;
  }

 private:
  int fd_;
};

/// Collects responses from llhttp callbacks.
struct ResponseCollector {
  std::vector<TestResponse> responses;
  std::string field, value;
  bool in_value = false;
  bool head = false;
  bool complete = false;

  void commit_field() {
    if (in_value) responses.back().headers.emplace_back(std::move(field), std::move(value));
    field.clear();
    value.clear();
    in_value = false;
  }

  static ResponseCollector& of(llhttp_t* p) { return *static_cast<ResponseCollector*>(p->data); }
  static llhttp_settings_t settings() {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = [](llhttp_t* p) {
      of(p).responses.emplace_back();
      return 0;
    };
    s.on_status = [](llhttp_t* p, const char* at, std::size_t n) {
      of(p).responses.back().reason.append(at, n);
      return 0;
    };
    s.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      auto& c = of(p);
      if (c.in_value) c.commit_field();
      c.field.append(at, n);
      return 0;
    };
    s.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      auto& c = of(p);
      c.in_value = true;
      c.value.append(at, n);
      return 0;
    };
    s.on_headers_complete = [](llhttp_t* p) {
      auto& c = of(p);
      c.commit_field();
      c.responses.back().status = llhttp_get_status_code(p);
      return c.head ? 1 : 0;  // 1: a response to HEAD has no body
    };
    s.on_body = [](llhttp_t* p, const char* at, std::size_t n) {
      of(p).responses.back().body.append(at, n);
      return 0;
    };
    s.on_message_complete = [](llhttp_t* p) {
      of(p).complete = true;
      return 0;
    };
    return s;
  }
};

std::string build_request(std::string_view method, std::string_view target, std::string_view body,
                          const TestClient::HeaderList& headers) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  bool has_host = false, has_length = false;
  for (const auto& [name, value] : headers) {
    has_host = has_host || iequals(name, "host");
    has_length =
        has_length || iequals(name, "content-length") || iequals(name, "transfer-encoding");
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_host) out += "Host: 127.0.0.1\r\n";
  if (!has_length && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out += "Connection: close\r\n\r\n";
  out.append(body);
  return out;
}

}  // namespace

std::optional<std::string_view> TestResponse::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view{v};
  }
  return std::nullopt;
}

struct TestClient::Impl {
  Server server;
  Impl(App& app, RunOptions options) : server(app, std::move(options)) {}
};

TestClient::TestClient(App& app, RunOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  impl_ = std::make_unique<Impl>(app, std::move(options));
  impl_->server.start();
}

TestClient::~TestClient() { stop(); }

std::uint16_t TestClient::port() const noexcept { return impl_->server.port(); }

std::size_t TestClient::connections() const noexcept { return impl_->server.connections(); }

void TestClient::stop() {
  impl_->server.stop();
  impl_->server.wait();
}

TestResponse TestClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, const HeaderList& headers) {
  Socket s{port()};
  s.send_all(build_request(method, target, body, headers));
  ResponseCollector c;
  c.head = method == "HEAD";
  llhttp_settings_t settings = ResponseCollector::settings();
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &c;
  std::string chunk;
  while (!c.complete) {
    chunk.clear();
    if (!s.receive(chunk, std::chrono::seconds{10})) {
      llhttp_finish(&parser);
      break;
    }
    if (llhttp_execute(&parser, chunk.data(), chunk.size()) != HPE_OK) break;
  }
  if (c.responses.empty()) return {};
  return std::move(c.responses.front());
}

std::string TestClient::raw(std::string_view bytes, std::chrono::milliseconds wait) {
  Socket s{port()};
  s.send_all(bytes);
  std::string out;
  while (s.receive(out, wait)) {
  }
  return out;
}

std::vector<TestResponse> TestClient::parse_responses(std::string_view bytes, bool head) {
  ResponseCollector c;
  c.head = head;
  llhttp_settings_t settings = ResponseCollector::settings();
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &c;
  llhttp_execute(&parser, bytes.data(), bytes.size());
  return std::move(c.responses);
}

}  // namespace swoop
