// SPDX-License-Identifier: MIT
// Internal: permessage-deflate (RFC 7692) with zlib: negotiation, compressing and bounded
// decompressing of messages.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swoop::detail {

/// The parameters agreed on for one connection.
struct DeflateParams {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;  // our compressor's window
};

/// Picks the first acceptable permessage-deflate offer among the Sec-WebSocket-Extensions
/// values; fills response with the header value to send back. no_context_takeover: ask for
/// (and use) no context takeover both ways, so no zlib state is kept between messages.
std::optional<DeflateParams> negotiate_deflate(const std::vector<std::string_view>& offers,
                                               bool no_context_takeover, std::string& response);

/// What decompressing a piece did.
enum class InflateResult { ok, too_big, error };

/// One connection's zlib streams; each is created on first use and, without context
/// takeover, freed after every message so that an idle connection holds none.
class PerMessageDeflate {
 public:
  explicit PerMessageDeflate(const DeflateParams& params) noexcept;
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  /// Compresses one whole message into out (the RFC 7692 7.2.1 form, without the trailing
  /// 00 00 FF FF); false if zlib failed.
  bool compress(std::string_view message, std::string& out);
  /// Decompresses a piece of a message's payload, appending to out; stops with too_big as
  /// soon as out would exceed limit bytes (nothing beyond the limit is allocated).
  InflateResult decompress(const char* p, std::size_t n, std::string& out, std::size_t limit);
  /// Ends a message (feeds the 00 00 FF FF tail), appending what remains to out.
  InflateResult finish_message(std::string& out, std::size_t limit);

 private:
  struct Streams;
  InflateResult run_inflate(const char* p, std::size_t n, std::string& out, std::size_t limit);
  DeflateParams params_;
  std::unique_ptr<Streams> streams_;
};

}  // namespace swoop::detail
