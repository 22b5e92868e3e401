// SPDX-License-Identifier: MIT
// TestClient: serve an App on 127.0.0.1 in the background and send it real HTTP requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/client.hpp"
#include "swoop/options.hpp"
#include "swoop/websocket.hpp"

namespace swoop {

class App;

/// What a TestClient request returns: the client's response type (status 0 when no response
/// came; url is the request's, on the test server).
using TestResponse = http::ClientResponse;

/// A websocket connection a TestClient opened (TestClient::websocket): a blocking client for
/// tests. It sends masked frames as a client must, answers the server's pings, and returns
/// whole messages (fragments joined) from receive(). It offers no extension, so the server
/// sends nothing compressed.
///
/// Lifetime: must not outlive its TestClient. Destroying an open one drops the TCP connection
/// without a close handshake (the server sees 1006). A moved-from one may only be assigned to
/// or destroyed.
/// Thread safety: one thread at a time.
/// Example:
///     auto ws = client.websocket("/echo");
///     REQUIRE(ws.is_open());
///     ws.send("hi");
///     CHECK(ws.receive()->text() == "hi");
///     ws.close();
///     CHECK(ws.close_code() == 1000);
class TestWebSocket {
 public:
  /// Takes over other's connection.
  TestWebSocket(TestWebSocket&& other) noexcept;
  /// Drops this connection, then takes over other's.
  TestWebSocket& operator=(TestWebSocket&& other) noexcept;
  /// Drops the connection if it is still open.
  ~TestWebSocket();

  /// The handshake's response: 101 when the server upgraded, else its refusal (404, 403, 426,
  /// ...), body included.
  const TestResponse& response() const noexcept;
  /// Whether messages can be sent: upgraded, and no close frame sent or received.
  bool is_open() const noexcept;

  /// Sends a text message in one frame. Throws std::logic_error when not open.
  void send(std::string_view text);
  /// Sends a binary message in one frame. Throws std::logic_error when not open.
  void send_binary(std::string_view bytes);
  /// Sends a message in frames of at most fragment bytes each (a continuation sequence).
  void send_fragmented(std::string_view payload, bool is_text, std::size_t fragment);
  /// Sends a ping (payload at most 125 bytes); the server's pong is not a message.
  void ping(std::string_view payload = {});
  /// The next message from the server; empty once the server closed (close_code() says how)
  /// or when nothing whole came within wait. Throws std::runtime_error for a frame a server
  /// may not send (masked, compressed, a bad opcode).
  std::optional<WebSocketMessage> receive(
      std::chrono::milliseconds wait = std::chrono::milliseconds{10000});
  /// Sends a close frame (code, reason up to 123 bytes) and waits up to wait for the server's;
  /// messages that arrive meanwhile are dropped. Nothing is sent when already closing.
  void close(std::uint16_t code = 1000, std::string_view reason = {},
             std::chrono::milliseconds wait = std::chrono::milliseconds{10000});
  /// The code of the server's close frame: 0 while none came, 1005 for one without a code,
  /// 1006 when the connection dropped without one.
  std::uint16_t close_code() const noexcept;
  /// The reason in the server's close frame.
  const std::string& close_reason() const noexcept;

 private:
  friend class TestClient;
  struct Impl;
  explicit TestWebSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Starts app on 127.0.0.1, port 0, on worker threads; each call sends one request on a new
/// connection and blocks until the response arrived (or the timeout passed).
///
/// Lifetime: the App must outlive the client; the destructor shuts the server down gracefully.
/// Thread safety: calls may come from any thread, concurrently.
/// Example:
///     swoop::TestClient client{app};
///     auto res = client.get("/items/7");
///     CHECK(res.status == 200);
class TestClient {
 public:
  /// Starts the server; options.host and options.port are overridden (127.0.0.1, 0).
  explicit TestClient(App& app, RunOptions options = {});
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  /// Sends a request with an optional body (sent with Content-Length) and extra headers.
  TestResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       const HeaderList& headers = {});
  /// Sends a GET request.
  TestResponse get(std::string_view target, const HeaderList& headers = {}) {
    return request("GET", target, {}, headers);
  }
  /// Sends a HEAD request (the response has no body).
  TestResponse head(std::string_view target, const HeaderList& headers = {}) {
    return request("HEAD", target, {}, headers);
  }
  /// Sends an OPTIONS request.
  TestResponse options(std::string_view target, const HeaderList& headers = {}) {
    return request("OPTIONS", target, {}, headers);
  }
  /// Sends a DELETE request.
  TestResponse del(std::string_view target, const HeaderList& headers = {}) {
    return request("DELETE", target, {}, headers);
  }
  /// Sends a POST request with a body.
  TestResponse post(std::string_view target, std::string_view body,
                    const HeaderList& headers = {}) {
    return request("POST", target, body, headers);
  }
  /// Sends a PUT request with a body.
  TestResponse put(std::string_view target, std::string_view body, const HeaderList& headers = {}) {
    return request("PUT", target, body, headers);
  }
  /// Sends a PATCH request with a body.
  TestResponse patch(std::string_view target, std::string_view body,
                     const HeaderList& headers = {}) {
    return request("PATCH", target, body, headers);
  }

  /// Opens a websocket to target (a GET with Upgrade: websocket, Sec-WebSocket-Key and
  /// Sec-WebSocket-Version: 13, unless headers give them) and returns it, open when the server
  /// answered 101 with the right Sec-WebSocket-Accept; see TestWebSocket::response() for a
  /// refusal. Throws std::runtime_error for a 101 whose Sec-WebSocket-Accept is wrong.
  TestWebSocket websocket(std::string_view target, const HeaderList& headers = {});

  /// Sends raw bytes on a new connection and returns every byte received until the server
  /// closes the connection or `wait` passes without data.
  std::string raw(std::string_view bytes,
                  std::chrono::milliseconds wait = std::chrono::milliseconds{2000});

  /// Parses a byte stream of zero or more responses (as returned by raw()).
  static std::vector<TestResponse> parse_responses(std::string_view bytes, bool head = false);

  /// The port the server listens on.
  std::uint16_t port() const noexcept;
  /// The server's open client connections (see Server::connections()).
  std::size_t connections() const noexcept;
  /// Stops the server gracefully and waits for it (also done by the destructor).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swoop
