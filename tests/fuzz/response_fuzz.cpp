// SPDX-License-Identifier: MIT
// Fuzzes the HTTP client's response parser (src/client/response_parser.hpp: llhttp in
// response mode, interim responses, HEAD, chunked / Content-Length / close-delimited bodies,
// the body limit).
// Byte 0: bit 0 = the request was HEAD, bits 1-2 pick max_body (0, 16, 1 KiB, 1 MiB),
// bit 3 = report EOF after the bytes; byte 1: the size of the pieces the rest is fed in.
// Invariants: feeding the bytes whole or in pieces gives the same state and the same
// response; a complete response has a final status (not 1xx but 101), its body fits
// max_body and is empty for HEAD; with a single head, every header line is one entry, with
// a name made of token characters and a value without CR, LF or NUL; once the parser stops
// (complete, error, too_large) more bytes change nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/response_parser.hpp"
#include "fuzz_support.hpp"

namespace {

using swoop::http::ClientResponse;
using swoop::http::detail::ResponseParser;
using swoop_fuzz::check;
using State = ResponseParser::State;

struct Outcome {
  State state = State::incomplete;
  ClientResponse response;
  bool reusable = false;
};

// Feeds bytes in pieces as the client does: it stops at the first piece that completes or
// fails the response; bytes left after that stay in the socket, which then is not reused.
Outcome parse(std::string_view bytes, std::size_t piece, bool head, std::size_t max_body,
              bool eof) {
  Outcome out;
  ResponseParser parser{out.response, head, max_body};
  State state = State::incomplete;
  std::size_t at = 0;
  for (; at < bytes.size() && state == State::incomplete; at += piece) {
    state = parser.feed(bytes.substr(at, piece));
  }
  const bool leftover = at < bytes.size();
  if (leftover) check(parser.feed(bytes.substr(at)) == state, "a stopped parser changed state");
  if (eof && !leftover) state = parser.finish();
  if (state == State::error) check(!parser.error().empty(), "an error without a message");
  out.state = state;
  out.reusable = parser.is_reusable() && !leftover;
  return out;
}

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view{"\"(),/:;<=>?@[\\]{}"}.find(c) == std::string_view::npos;
}

// The number of header lines in a head that starts the input, counted without llhttp, to
// catch entries the callbacks merged or split; SIZE_MAX when there is no whole head or it
// has a bare LF (llhttp accepts some in responses, which makes lines ambiguous to count).
// A line starting with SP or HTAB is obs-fold, which llhttp joins to the previous value
// (RFC 9112 5.2 lets a client do that).
std::size_t header_lines(std::string_view bytes) {
  // llhttp skips CR and LF bytes before the status line ("\r\r\n" too).
  while (!bytes.empty() && (bytes.front() == '\r' || bytes.front() == '\n')) bytes.remove_prefix(1);
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return SIZE_MAX;
  std::size_t count = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (bytes[i] != '\n') continue;
    if (i == 0 || bytes[i - 1] != '\r') return SIZE_MAX;
    if (bytes[i + 1] != ' ' && bytes[i + 1] != '\t') ++count;  // obs-fold continues a line
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t piece = 1 + data[1] % 64;
  const std::string_view bytes{reinterpret_cast<const char*>(data) + 2, size - 2};
  const bool head = (flags & 1) != 0;
  constexpr std::size_t limits[] = {0, 16, 1024, 1 << 20};
  const std::size_t max_body = limits[(flags >> 1) & 3];
  const bool eof = (flags & 8) != 0;

  const Outcome whole = parse(bytes, bytes.empty() ? 1 : bytes.size(), head, max_body, eof);
  const Outcome split = parse(bytes, piece, head, max_body, eof);
  check(whole.state == split.state, "pieces changed the outcome");
  if (whole.state != State::complete) return 0;

  const ClientResponse& a = whole.response;
  const ClientResponse& b = split.response;
  check(a.status == b.status && a.reason == b.reason && a.body == b.body,
        "pieces changed status, reason or body");
  check(a.headers == b.headers, "pieces changed the headers");
  check(whole.reusable == split.reusable, "pieces changed reusability");
  check(a.status >= 100 && a.status <= 999, "status out of range");
  check(a.status >= 200 || a.status == 101, "an interim response was returned");
  check(a.body.size() <= max_body, "a body over max_body was accepted");
  if (head) check(a.body.empty(), "a HEAD response has a body");
  for (const auto& [name, value] : a.headers) {
    check(!name.empty(), "an empty header name");
    for (char c : name) check(is_token_char(c), "a header name with a non-token byte");
    check(value.find_first_of(std::string_view{"\r\n\0", 3}) == std::string::npos,
          "a header value with CR, LF or NUL");
  }
  const std::size_t lines = header_lines(bytes);
  if (lines != SIZE_MAX && a.status >= 200 && bytes.find("HTTP/", 5) == std::string_view::npos) {
    // One head only: each of its header lines is exactly one entry (llhttp strict mode has
    // no obs-fold, so a line is a header).
    check(a.headers.size() == lines, "header lines merged or split");
  }
  return 0;
}
