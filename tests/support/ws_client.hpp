// SPDX-License-Identifier: MIT
// WsRawClient: a byte-level websocket client for protocol tests (any frame, masked or not).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support/raw_socket.hpp"

namespace swoop::test {

/// One frame as received from the server.
struct WsFrame {
  bool fin = false;
  std::uint8_t rsv = 0;
  std::uint8_t opcode = 0;
  bool masked = false;
  std::string payload;

  /// The status code of a close frame; 1005 when it has none.
  int close_code() const {
    if (payload.size() < 2) return 1005;
    return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
  }
};

/// Builds a client frame: mask on by default (key 0x37fa213d, the RFC's example).
inline std::string ws_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                            std::uint8_t rsv = 0, bool mask = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | opcode));
  const char m = mask ? static_cast<char>(0x80) : 0;
  const std::uint64_t len = payload.size();
  if (len < 126) {
    f.push_back(static_cast<char>(m | static_cast<char>(len)));
  } else if (len <= 0xFFFF) {
    f.push_back(static_cast<char>(m | 126));
    f.push_back(static_cast<char>(len >> 8));
    f.push_back(static_cast<char>(len & 0xFF));
  } else {
    f.push_back(static_cast<char>(m | 127));
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((len >> (56 - 8 * i)) & 0xFF));
  }
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (mask) f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f.push_back(mask ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
  }
  return f;
}

/// A close frame's payload: code and reason.
inline std::string ws_close_payload(int code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

/// A websocket connection opened with a raw handshake.
class WsRawClient {
 public:
  /// Connects and sends the handshake for target (plus extra header lines, each ending in
  /// CRLF); opened() says whether 101 came back.
  explicit WsRawClient(std::uint16_t port, std::string_view target = "/echo",
                       std::string_view extra = {})
      : sock_(port) {
    std::string req = "GET ";
    req.append(target);
    req.append(
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    req.append(extra);
    req.append("\r\n");
    sock_.send(req);
    const std::string got = sock_.read_until("\r\n\r\n", std::chrono::milliseconds{3000});
    const std::size_t end = got.find("\r\n\r\n");
    if (end == std::string::npos) return;
    head_ = got.substr(0, end + 4);
    sock_.consume(end + 4);
  }

  bool opened() const { return head_.starts_with("HTTP/1.1 101 "); }
  const std::string& head() const { return head_; }

  /// Sends a frame (see ws_frame) or raw bytes.
  bool send(std::uint8_t opcode, std::string_view payload, bool fin = true, std::uint8_t rsv = 0,
            bool mask = true) {
    return sock_.send(ws_frame(opcode, payload, fin, rsv, mask));
  }
  bool send_raw(std::string_view bytes) { return sock_.send(bytes); }

  /// The next frame, or nothing on EOF or timeout.
  std::optional<WsFrame> read(std::chrono::milliseconds timeout = std::chrono::milliseconds{3000}) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto f = parse()) return f;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !sock_.read_more(left)) return std::nullopt;
    }
  }

  /// Reads frames until a close frame; its code, or -1 if none came.
  int read_close(std::chrono::milliseconds timeout = std::chrono::milliseconds{3000}) {
    while (auto f = read(timeout)) {
      if (f->opcode == 0x8) return f->close_code();
    }
    return -1;
  }

  /// Whether the server closed the TCP connection within timeout (after what was read).
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::milliseconds{3000}) {
    return sock_.wait_closed(timeout);
  }

  RawSocket& socket() { return sock_; }

 private:
  std::optional<WsFrame> parse() {
    const std::string& b = sock_.received();
    if (b.size() < 2) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(b[0]);
    const auto b1 = static_cast<unsigned char>(b[1]);
    std::size_t at = 2;
    std::uint64_t len = b1 & 0x7F;
    if (len == 126) {
      if (b.size() < 4) return std::nullopt;
      len = (static_cast<unsigned char>(b[2]) << 8) | static_cast<unsigned char>(b[3]);
      at = 4;
    } else if (len == 127) {
      if (b.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(b[i]);
      at = 10;
    }
    const bool masked = (b1 & 0x80) != 0;
    if (masked) at += 4;
    if (b.size() < at + len) return std::nullopt;
    WsFrame f;
    f.fin = (b0 & 0x80) != 0;
    f.rsv = static_cast<std::uint8_t>((b0 >> 4) & 7);
    f.opcode = static_cast<std::uint8_t>(b0 & 0xF);
    f.masked = masked;
    f.payload = b.substr(at, len);
    sock_.consume(at + len);
    return f;
  }

  RawSocket sock_;
  std::string head_;
};

}  // namespace swoop::test
