// SPDX-License-Identifier: MIT
// The RFC 6455 frame codec, incremental UTF-8 validation and the handshake's key functions.
#include "websocket/frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <cstring>

namespace swoop::detail {

int parse_frame_header(const char* p, std::size_t n, FrameHeader& h) noexcept {
  if (n < 2) return 0;
  const auto b0 = static_cast<unsigned char>(p[0]);
  const auto b1 = static_cast<unsigned char>(p[1]);
  h.fin = (b0 & 0x80) != 0;
  h.rsv = static_cast<std::uint8_t>((b0 >> 4) & 0x7);
  h.opcode = static_cast<std::uint8_t>(b0 & 0x0F);
  h.masked = (b1 & 0x80) != 0;
  std::size_t size = 2;
  std::uint64_t len = b1 & 0x7F;
  if (len == 126) {
    if (n < 4) return 0;
    len = (std::uint64_t{static_cast<unsigned char>(p[2])} << 8) | static_cast<unsigned char>(p[3]);
    size = 4;
  } else if (len == 127) {
    if (n < 10) return 0;
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(p[i]);
    if ((len >> 63) != 0) return -1;  // RFC 6455 5.2: the most significant bit must be 0
    size = 10;
  }
  h.length = len;
  if (h.masked) {
    if (n < size + 4) return 0;
    std::memcpy(h.mask, p + size, 4);
    size += 4;
  }
  return static_cast<int>(size);
}

void apply_mask(char* data, std::size_t n, const std::uint8_t mask[4],
                std::uint64_t offset) noexcept {
  unsigned char m[4];
  for (int i = 0; i < 4; ++i) m[i] = mask[(offset + i) & 3];
  auto* d = reinterpret_cast<unsigned char*>(data);
  // Eight bytes at a time (the mask twice), then the tail byte by byte: ~8 instructions per
  // byte became ~1 for a 32-byte message.
  std::uint32_t m32;
  std::memcpy(&m32, m, 4);
  const std::uint64_t m64 = (std::uint64_t{m32} << 32) | m32;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, d + i, 8);
    w ^= m64;
    std::memcpy(d + i, &w, 8);
  }
  for (; i < n; ++i) d[i] ^= m[i & 3];
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin,
                  std::uint8_t rsv) {
  char head[10];
  std::size_t size = 2;
  head[0] = static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | static_cast<int>(opcode));
  const std::uint64_t len = payload.size();
  if (len < 126) {
    head[1] = static_cast<char>(len);
  } else if (len <= 0xFFFF) {
    head[1] = 126;
    head[2] = static_cast<char>(len >> 8);
    head[3] = static_cast<char>(len & 0xFF);
    size = 4;
  } else {
    head[1] = 127;
    for (int i = 0; i < 8; ++i) head[2 + i] = static_cast<char>((len >> (56 - 8 * i)) & 0xFF);
    size = 10;
  }
  out.reserve(out.size() + size + payload.size());
  out.append(head, size);
  out.append(payload);
}

// ---- UTF-8 ----------------------------------------------------------------------------------

namespace {

// The length of the sequence a lead byte starts; 0 for a byte that cannot start one.
int sequence_length(unsigned char b) noexcept {
  if (b < 0x80) return 1;
  if (b < 0xC2) return 0;  // continuation bytes and overlong C0/C1
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  if (b < 0xF5) return 4;
  return 0;
}

// Whether byte k (k >= 1) of a sequence starting with lead is allowed (RFC 3629 section 4).
bool valid_continuation(unsigned char lead, int k, unsigned char b) noexcept {
  if (k == 1) {
    switch (lead) {
      case 0xE0:
        return b >= 0xA0 && b <= 0xBF;  // no overlong 3-byte forms
      case 0xED:
        return b >= 0x80 && b <= 0x9F;  // no surrogates
      case 0xF0:
        return b >= 0x90 && b <= 0xBF;  // no overlong 4-byte forms
      case 0xF4:
        return b >= 0x80 && b <= 0x8F;  // nothing above U+10FFFF
      default:
        break;
    }
  }
  return b >= 0x80 && b <= 0xBF;
}

}  // namespace

bool Utf8Validator::complete_pending(const char*& p, std::size_t& n) noexcept {
  const int need = sequence_length(buf_[0]);
  while (pending_ < need && n > 0) {
    const auto b = static_cast<unsigned char>(*p);
    if (!valid_continuation(buf_[0], pending_, b)) return false;
    buf_[pending_++] = b;
    ++p;
    --n;
  }
  if (pending_ == need) pending_ = 0;
  return true;
}

bool Utf8Validator::feed(const char* p, std::size_t n) noexcept {
  if (pending_ > 0) {
    if (!complete_pending(p, n)) return false;
    if (pending_ > 0) return true;  // still inside the code point: the piece was used up
  }
  // Hold back an incomplete code point at the end; validate the rest in bulk.
  std::size_t whole = n;
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const unsigned char b = u[n - back];
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte: keep looking for the lead
    const int len = sequence_length(b);
    if (len > static_cast<int>(back)) whole = n - back;
    break;
  }
  if (whole > 0 && !simdjson::validate_utf8(p, whole)) return false;
  for (std::size_t i = whole; i < n; ++i) {
    const auto b = static_cast<unsigned char>(p[i]);
    if (i > whole && !valid_continuation(buf_[0], pending_, b)) return false;
    buf_[pending_++] = b;
  }
  return true;
}

bool Utf8Validator::finish() noexcept {
  const bool ok = pending_ == 0;
  pending_ = 0;
  return ok;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

// ---- handshake ------------------------------------------------------------------------------

namespace {
bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}
}  // namespace

bool is_valid_ws_key(std::string_view key) noexcept {
  // 16 bytes encode to 22 characters and "==".
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i) {
    if (!is_base64_char(key[i])) return false;
  }
  return true;
}

std::string ws_accept_value(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(key.size() + guid.size());
  input.append(key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[32];
  const int len = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string{reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(len)};
}

bool is_valid_close_code(std::uint16_t code) noexcept {
  if (code >= 3000 && code <= 4999) return true;  // registered and private use
  switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
      return true;
    default:
      return false;  // 1004-1006, 1015 and unassigned codes
  }
}

}  // namespace swoop::detail
