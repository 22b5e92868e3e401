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

#include "swoop/options.hpp"

namespace swoop {

class App;

/// What a TestClient request returns.
struct TestResponse {
  int status = 0;                                            ///< 0 if no response came
  std::string reason;                                        ///< the reason phrase sent
  std::vector<std::pair<std::string, std::string>> headers;  ///< in wire order, names as sent
  std::string body;                                          ///< de-chunked body

  /// The first value of a header, case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
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

  /// Extra request headers as (name, value) pairs.
  using HeaderList = std::vector<std::pair<std::string, std::string>>;

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
