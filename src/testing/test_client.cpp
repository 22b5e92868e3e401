// SPDX-License-Identifier: MIT
// TestClient: a blocking loopback HTTP and websocket client around a Server, speaking with the
// Client's request head and response parser.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <random>
#include <stdexcept>

#include "client/request_head.hpp"
#include "client/response_parser.hpp"
#include "swoop/app.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"
#include "swoop/server.hpp"
#include "swoop/testing.hpp"
#include "websocket/frame.hpp"

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
    return read_some(out, wait) == Read::data;
  }
  enum class Read { data, closed, timeout };
  /// Appends what arrives within wait, and tells whether anything did.
  Read read_some(std::string& out, std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(wait.count(), 0)));
    if (r == 0) return Read::timeout;
    if (r < 0) return errno == EINTR ? Read::timeout : Read::closed;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return Read::closed;
    out.append(buf, static_cast<std::size_t>(n));
    return Read::data;
  }

 private:
  int fd_;
};

// What TestClient accepts from the server under test: far more than any test needs, but bounded
// like everything swoop reads.
constexpr std::size_t max_body = 256 * 1024 * 1024;
constexpr http::detail::HeadLimits head_limits{
    .max_header_size = 1024 * 1024, .max_header_count = 10'000, .max_informational = 16};
// The largest websocket frame a TestWebSocket takes.
constexpr std::uint64_t max_frame = 64 * 1024 * 1024;

// The URL a TestResponse reports.
std::string url_of(std::string_view scheme, std::uint16_t port, std::string_view target) {
  return std::string{scheme} + "://127.0.0.1:" + std::to_string(port) + std::string{target};
}

// A request as TestClient sends it: the client's request head (Host: 127.0.0.1 unless given)
// with `Connection: close` unless the headers choose, then the body.
std::string build_request(std::string_view method, std::string_view target, std::string_view body,
                          const HeaderList& headers) {
  std::string out;
  if (http::detail::has_header(headers, "connection")) {
    out = http::detail::request_head(method, target, "127.0.0.1", headers, body.size(), {});
  } else {
    HeaderList with_close = headers;
    with_close.emplace_back("Connection", "close");
    out = http::detail::request_head(method, target, "127.0.0.1", with_close, body.size(), {});
  }
  out.append(body);
  return out;
}

}  // namespace

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

namespace {

// Reads one response from s with the client's parser (status 0 when none came within 10 s of
// silence; interim 1xx responses are skipped, as a client does). After a 101, the bytes that
// followed its head (the upgraded protocol's) are left in upgraded. Throws std::runtime_error
// for a response the client's parser refuses: a test server must answer valid HTTP.
TestResponse read_response(Socket& s, std::string_view url, bool head, std::string& upgraded) {
  TestResponse out;
  http::detail::ResponseParser parser{out, head, max_body, head_limits};
  using State = http::detail::ResponseParser::State;
  State state = State::incomplete;
  std::string chunk;
  while (state == State::incomplete) {
    chunk.clear();
    if (!s.receive(chunk, std::chrono::seconds{10})) {
      state = parser.finish();
      break;
    }
    state = parser.feed(chunk);
  }
  if (state == State::error || state == State::too_large) {
    throw std::runtime_error("TestClient: the response is malformed: " + parser.error());
  }
  if (state != State::complete) return {};
  if (out.status == 101) upgraded.assign(chunk, chunk.size() - parser.leftover());
  out.url = url;
  return out;
}

}  // namespace

TestResponse TestClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, const HeaderList& headers) {
  Socket s{port()};
  s.send_all(build_request(method, target, body, headers));
  std::string upgraded;
  return read_response(s, url_of("http", port(), target), method == "HEAD", upgraded);
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
  std::vector<TestResponse> out;
  using State = http::detail::ResponseParser::State;
  while (!bytes.empty()) {
    TestResponse r;
    http::detail::ResponseParser parser{r, head, max_body, head_limits};
    State state = parser.feed(bytes);
    if (state == State::incomplete) state = parser.finish();  // a body that ends with the bytes
    if (state != State::complete) break;
    bytes.remove_prefix(bytes.size() - parser.leftover());
    const bool upgraded = r.status == 101;
    out.push_back(std::move(r));
    if (upgraded) break;  // what follows speaks another protocol
  }
  return out;
}

// ---- websockets ----

namespace {

using Clock = std::chrono::steady_clock;
using detail::Opcode;

std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

}  // namespace

struct TestWebSocket::Impl {
  Socket socket;
  TestResponse response;
  std::string in;       // received bytes not yet taken as frames
  std::string message;  // the fragments so far of the message being received
  bool message_is_text = false;
  bool in_message = false;
  bool close_sent = false;
  bool close_received = false;
  bool dropped = false;
  std::uint16_t close_code = 0;
  std::string close_reason;
  std::mt19937 random{std::random_device{}()};

  explicit Impl(std::uint16_t port) : socket(port) {}

  bool upgraded() const noexcept { return response.status == 101; }

  // A client frame: FIN as given, the payload masked with a fresh key (RFC 6455 5.3).
  void send_frame(Opcode opcode, std::string_view payload, bool fin = true) {
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode)));
    const std::uint64_t n = payload.size();
    if (n < 126) {
      out.push_back(static_cast<char>(0x80 | n));
    } else {
      const int bytes = n <= 0xFFFF ? 2 : 8;
      out.push_back(static_cast<char>(0x80 | (bytes == 2 ? 126 : 127)));
      for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    }
    std::array<std::uint8_t, 4> mask{};
    const std::uint32_t key = random();
    std::memcpy(mask.data(), &key, mask.size());
    out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    const std::size_t start = out.size();
    out.append(payload);
    detail::apply_mask(out.data() + start, payload.size(), mask.data(), 0);
    socket.send_all(out);
  }

  void send_close(std::uint16_t code, std::string_view reason) {
    std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    payload.append(reason.substr(0, 123));
    send_frame(Opcode::close, payload);
    close_sent = true;
  }

  // Takes the next whole frame from the connection; false when none came by the deadline or
  // the connection dropped.
  bool next_frame(detail::FrameHeader& h, std::string& payload, Clock::time_point deadline) {
    for (;;) {
      const int size = detail::parse_frame_header(in.data(), in.size(), h);
      if (size < 0) throw std::runtime_error("websocket: a frame length with its top bit set");
      const auto header = static_cast<std::size_t>(size);
      if (size > 0 && h.length > max_frame) {
        throw std::runtime_error("websocket: a frame of more than 64 MiB");
      }
      if (size > 0 && in.size() - header >= h.length) {
        payload.assign(in, header, static_cast<std::size_t>(h.length));
        in.erase(0, header + static_cast<std::size_t>(h.length));
        return true;
      }
      const Socket::Read r = socket.read_some(in, until(deadline));
      if (r == Socket::Read::timeout) return false;
      if (r == Socket::Read::closed) {
        dropped = true;
        if (close_code == 0) close_code = close_abnormal;
        return false;
      }
    }
  }

  void on_close(std::string_view payload) {
    close_received = true;
    if (payload.size() >= 2) {
      close_code = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                              static_cast<unsigned char>(payload[1]));
      close_reason.assign(payload.substr(2));
    } else {
      close_code = close_no_status;
    }
    if (!close_sent) send_close(close_code == close_no_status ? close_normal : close_code, {});
  }

  // One frame's part in receive(): a whole message when it completes one.
  std::optional<WebSocketMessage> take(const detail::FrameHeader& h, std::string& payload) {
    if (h.masked || h.rsv != 0) {
      throw std::runtime_error("websocket: the server sent a masked or compressed frame");
    }
    switch (static_cast<Opcode>(h.opcode)) {
      case Opcode::ping:
        if (!close_sent) send_frame(Opcode::pong, payload);
        return std::nullopt;
      case Opcode::pong:
        return std::nullopt;
      case Opcode::close:
        on_close(payload);
        return std::nullopt;
      case Opcode::text:
      case Opcode::binary:
        if (in_message)
          throw std::runtime_error("websocket: a new message inside a fragmented one");
        in_message = true;
        message_is_text = h.opcode == static_cast<std::uint8_t>(Opcode::text);
        message = std::move(payload);
        break;
      case Opcode::continuation:
        if (!in_message)
          throw std::runtime_error("websocket: a continuation frame without a message");
        message += payload;
        break;
      default:
        throw std::runtime_error("websocket: a frame with an unknown opcode");
    }
    if (!h.fin) return std::nullopt;
    in_message = false;
    return WebSocketMessage{std::move(message), message_is_text};
  }
};

TestWebSocket::TestWebSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestWebSocket::TestWebSocket(TestWebSocket&& other) noexcept = default;
TestWebSocket& TestWebSocket::operator=(TestWebSocket&& other) noexcept = default;
TestWebSocket::~TestWebSocket() = default;

const TestResponse& TestWebSocket::response() const noexcept { return impl_->response; }

bool TestWebSocket::is_open() const noexcept {
  return impl_->upgraded() && !impl_->close_sent && !impl_->close_received && !impl_->dropped;
}

void TestWebSocket::send(std::string_view text) { send_fragmented(text, true, text.size()); }

void TestWebSocket::send_binary(std::string_view bytes) {
  send_fragmented(bytes, false, bytes.size());
}

void TestWebSocket::send_fragmented(std::string_view payload, bool is_text, std::size_t fragment) {
  if (!is_open()) throw std::logic_error("TestWebSocket: the connection is not open");
  Opcode opcode = is_text ? Opcode::text : Opcode::binary;
  const std::size_t step = std::max<std::size_t>(fragment, 1);
  do {
    const std::string_view part = payload.substr(0, step);
    payload.remove_prefix(part.size());
    impl_->send_frame(opcode, part, payload.empty());
    opcode = Opcode::continuation;
  } while (!payload.empty());
}

void TestWebSocket::ping(std::string_view payload) {
  if (!is_open()) throw std::logic_error("TestWebSocket: the connection is not open");
  if (payload.size() > 125) throw std::invalid_argument("TestWebSocket: a ping over 125 bytes");
  impl_->send_frame(Opcode::ping, payload);
}

std::optional<WebSocketMessage> TestWebSocket::receive(std::chrono::milliseconds wait) {
  Impl& s = *impl_;
  const Clock::time_point deadline = Clock::now() + wait;
  detail::FrameHeader h;
  std::string payload;
  while (s.upgraded() && !s.close_received && !s.dropped) {
    if (!s.next_frame(h, payload, deadline)) return std::nullopt;
    if (auto message = s.take(h, payload)) return message;
  }
  return std::nullopt;
}

void TestWebSocket::close(std::uint16_t code, std::string_view reason,
                          std::chrono::milliseconds wait) {
  Impl& s = *impl_;
  if (!is_open()) return;
  s.send_close(code, reason);
  const Clock::time_point deadline = Clock::now() + wait;
  while (!s.close_received && !s.dropped && Clock::now() < deadline) receive(until(deadline));
}

std::uint16_t TestWebSocket::close_code() const noexcept { return impl_->close_code; }

const std::string& TestWebSocket::close_reason() const noexcept { return impl_->close_reason; }

TestWebSocket TestClient::websocket(std::string_view target, const HeaderList& headers) {
  auto s = std::make_unique<TestWebSocket::Impl>(port());
  std::array<unsigned char, 16> nonce{};
  for (auto& byte : nonce) byte = static_cast<unsigned char>(s->random());
  std::array<unsigned char, 32> encoded{};
  const int length = EVP_EncodeBlock(encoded.data(), nonce.data(), nonce.size());
  const std::string key{reinterpret_cast<const char*>(encoded.data()),
                        static_cast<std::size_t>(length)};
  HeaderList all = headers;
  const std::pair<const char*, std::string> defaults[] = {
      {"Upgrade", "websocket"}, {"Sec-WebSocket-Key", key}, {"Sec-WebSocket-Version", "13"}};
  for (const auto& [name, value] : defaults) {
    if (!http::detail::has_header(headers, name)) all.emplace_back(name, value);
  }
  if (!http::detail::has_header(headers, "connection")) all.emplace_back("Connection", "Upgrade");
  s->socket.send_all(build_request("GET", target, {}, all));
  // in: the frames that came with the 101
  s->response = read_response(s->socket, url_of("ws", port(), target), false, s->in);
  if (s->upgraded() && s->response.header("Sec-WebSocket-Accept") != detail::ws_accept_value(key)) {
    throw std::runtime_error("websocket: the server's Sec-WebSocket-Accept does not match the key");
  }
  return TestWebSocket{std::move(s)};
}

}  // namespace swoop
