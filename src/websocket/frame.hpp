// SPDX-License-Identifier: MIT
// Internal: the RFC 6455 frame codec (header parsing, frame writing, masking), incremental
// UTF-8 validation and the handshake's key check and accept value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swoop::detail {

/// Frame opcodes (RFC 6455 section 5.2).
enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// A parsed frame header.
struct FrameHeader {
  bool fin = false;
  std::uint8_t rsv = 0;     // the three reserved bits, as bits 6..4 of the first byte
  std::uint8_t opcode = 0;  // raw, possibly unknown
  bool masked = false;
  std::uint64_t length = 0;
  std::uint8_t mask[4] = {};

  bool is_control() const noexcept { return (opcode & 0x8) != 0; }
};

/// Parses a frame header from the start of [p, p+n): the header's size in bytes, 0 if more
/// bytes are needed, -1 if a 64-bit length has its most significant bit set. Lengths not in
/// their shortest form are accepted.
int parse_frame_header(const char* p, std::size_t n, FrameHeader& h) noexcept;

/// XORs [data, data+n) with mask, starting at mask byte offset % 4.
void apply_mask(char* data, std::size_t n, const std::uint8_t mask[4],
                std::uint64_t offset) noexcept;

/// Appends an unmasked server frame (FIN set) with opcode and payload to out.
void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin = true,
                  std::uint8_t rsv = 0);

/// Checks UTF-8 given in pieces: feed() each piece, then finish() at the end of the message.
/// Fails as soon as a byte makes the input invalid, even in the middle of a code point that is
/// split across pieces.
class Utf8Validator {
 public:
  /// False once the input so far cannot be the start of valid UTF-8.
  bool feed(const char* p, std::size_t n) noexcept;
  /// False if the input ended inside a code point. Resets for the next message.
  bool finish() noexcept;
  void reset() noexcept { pending_ = 0; }

 private:
  bool complete_pending(const char*& p, std::size_t& n) noexcept;
  unsigned char buf_[4] = {};
  std::uint8_t pending_ = 0;  // bytes of an incomplete code point held in buf_
};

/// Whether bytes are valid UTF-8 (whole input).
bool is_valid_utf8(std::string_view bytes) noexcept;

/// Whether a Sec-WebSocket-Key is valid: base64 of exactly 16 bytes (RFC 6455 section 4.1).
bool is_valid_ws_key(std::string_view key) noexcept;

/// The Sec-WebSocket-Accept value for key: base64(SHA-1(key + GUID)) (RFC 6455 section 4.2.2).
std::string ws_accept_value(std::string_view key);

/// Whether a close code may be sent by a peer (RFC 6455 section 7.4).
bool is_valid_close_code(std::uint16_t code) noexcept;

}  // namespace swoop::detail
