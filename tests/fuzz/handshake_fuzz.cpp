// SPDX-License-Identifier: MIT
// Fuzzes the server's side of the websocket opening handshake (src/websocket/upgrade.hpp:
// detail::answer_handshake, which serve_websocket runs before upgrading): the checks of the
// request, Sec-WebSocket-Key and -Version, Origin, the subprotocol choice and
// permessage-deflate negotiation (negotiate_deflate), against a model of RFC 6455 4.2 and
// RFC 7692 written here, with its own SHA-1 and base64 for the accept value.
// Input: byte 0 = route options and request line: bit 0 compression, bit 1
// compression_no_context_takeover, bit 2 allowed_origins {"https://a.example"}, bit 3
// subprotocols {"chat", "superchat"}, bits 4-5 the method (GET, GET, POST, HEAD), bit 6
// HTTP/1.0; byte 1 = which of Upgrade, Connection, Sec-WebSocket-Version, Sec-WebSocket-Key,
// Sec-WebSocket-Protocol, Sec-WebSocket-Extensions and Origin are sent (bits 0-6); byte 2 =
// which of them are sent twice; then the values in that order (a twice-sent header's second
// value right after its first), each up to '\n'.
// Invariants: answer_handshake throws nothing; it refuses exactly when the model does, with the
// model's status (426 with "Upgrade: websocket" and "Sec-WebSocket-Version: 13" without an
// Upgrade token, 426 with the version header for another version, 400 for a malformed request
// or key, 403 for another origin); an accepted handshake's 101 head has the 24-character key's
// accept value, base64(SHA-1(key + GUID)) (28 characters), the first of the route's
// subprotocols that the client offered (none when it offered none of them), and
// permessage-deflate exactly when compression is on and an offer is acceptable, with the
// parameters of the first acceptable offer.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "server/request_parser.hpp"
#include "server/response_writer.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"
#include "swoop/websocket.hpp"
#include "websocket/upgrade.hpp"

namespace {

using swoop_fuzz::check;
using swoop_fuzz::iequals;
using swoop_fuzz::list_elements;
using swoop_fuzz::trim;

// ---- SHA-1 (FIPS 180-4) and base64 (RFC 4648), independent of OpenSSL ----------------------

std::uint32_t rotl(std::uint32_t x, int n) { return x << n | x >> (32 - n); }

std::array<std::uint8_t, 20> sha1(std::string_view message) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string m{message};
  m += '\x80';
  while (m.size() % 64 != 56) m += '\0';
  const std::uint64_t bits = std::uint64_t{message.size()} * 8;
  for (int i = 7; i >= 0; --i) m += static_cast<char>(bits >> (i * 8));
  for (std::size_t block = 0; block < m.size(); block += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int j = 0; j < 4; ++j)
        w[i] = w[i] << 8 | static_cast<std::uint8_t>(m[block + i * 4 + j]);
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      const std::uint32_t f = i < 20   ? (b & c) | (~b & d)
                              : i < 40 ? b ^ c ^ d
                              : i < 60 ? (b & c) | (b & d) | (c & d)
                                       : b ^ c ^ d;
      const std::uint32_t k = i < 20   ? 0x5A827999
                              : i < 40 ? 0x6ED9EBA1
                              : i < 60 ? 0x8F1BBCDC
                                       : 0xCA62C1D6;
      const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  std::array<std::uint8_t, 20> out{};
  for (int i = 0; i < 20; ++i) out[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - i % 4 * 8));
  return out;
}

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::uint8_t* p, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t v =
        std::uint32_t{p[i]} << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += i + 1 < n ? alphabet[v >> 6 & 63] : '=';
    out += i + 2 < n ? alphabet[v & 63] : '=';
  }
  return out;
}

std::string accept_value(std::string_view key) {
  const auto digest = sha1(std::string{key} + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  return base64(digest.data(), digest.size());
}

// ---- the model ------------------------------------------------------------------------------

// The trimmed, non-empty elements of every value of a comma-separated header.
std::vector<std::string_view> tokens(const swoop::Request& req, std::string_view name) {
  std::vector<std::string_view> out;
  for (std::string_view value : req.headers().get_all(name)) {
    while (true) {
      const std::size_t comma = value.find(',');
      const std::string_view item = trim(value.substr(0, comma));
      if (!item.empty()) out.push_back(item);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return out;
}

bool has_token(const swoop::Request& req, std::string_view name, std::string_view token) {
  for (const std::string_view t : tokens(req, name)) {
    if (iequals(t, token)) return true;
  }
  return false;
}

// RFC 6455 4.1: base64 of 16 bytes is 22 characters and "==".
bool is_key(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         key.substr(0, 22).find_first_not_of(alphabet) == std::string_view::npos;
}

// The status a refused handshake gets (0: accepted), in the order serve_websocket checks.
int refusal_status(const swoop::Request& req, const swoop::WebSocketOptions& options) {
  if (!has_token(req, "Upgrade", "websocket")) return 426;
  if (req.method() != "GET" || req.version() < 11) return 400;
  if (!has_token(req, "Connection", "upgrade")) return 400;
  const auto version = req.header("Sec-WebSocket-Version");
  if (!version || trim(*version) != "13") return 426;
  const auto keys = req.headers().get_all("Sec-WebSocket-Key");
  if (keys.size() != 1 || !is_key(trim(keys[0]))) return 400;
  if (options.allowed_origins.empty()) return 0;
  const auto origin = req.header("Origin");
  for (const std::string& allowed : options.allowed_origins) {
    if (origin && iequals(trim(*origin), allowed)) return 0;
  }
  return 403;
}

struct Deflate {
  bool server_no_context_takeover = false, client_no_context_takeover = false;
  int server_max_window_bits = 15;
};

// A window size 8..15, perhaps quoted (RFC 7692 5.2).
std::optional<int> window(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return v[0] - '0';
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + v[1] - '0';
  return std::nullopt;
}

// One permessage-deflate offer, or nothing when swoop must decline it (RFC 7692 7.1: an
// unknown or repeated parameter or a bad value; and a server window of 8, which zlib's raw
// deflate cannot make).
std::optional<Deflate> offer(std::string_view text) {
  std::vector<std::string_view> params;
  while (true) {
    const std::size_t semi = text.find(';');
    params.push_back(trim(text.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  if (!iequals(params[0], "permessage-deflate")) return std::nullopt;
  Deflate d;
  bool seen[4] = {};
  static constexpr std::string_view names[] = {"server_no_context_takeover",
                                               "client_no_context_takeover",
                                               "server_max_window_bits", "client_max_window_bits"};
  for (std::size_t i = 1; i < params.size(); ++i) {
    const std::size_t eq = params[i].find('=');
    const std::string_view name = trim(params[i].substr(0, eq));
    const std::optional<std::string_view> value =
        eq == std::string_view::npos ? std::nullopt : std::optional{trim(params[i].substr(eq + 1))};
    std::size_t which = 0;
    while (which < 4 && !iequals(name, names[which])) ++which;
    if (which == 4 || seen[which]) return std::nullopt;
    seen[which] = true;
    if (which < 2 && value) return std::nullopt;
    if (which == 0) d.server_no_context_takeover = true;
    if (which == 1) d.client_no_context_takeover = true;
    if (which == 2) {
      const auto bits = value ? window(*value) : std::nullopt;
      if (!bits || *bits == 8) return std::nullopt;
      d.server_max_window_bits = *bits;
    }
    if (which == 3 && value && !window(*value)) return std::nullopt;
  }
  return d;
}

std::optional<Deflate> negotiate(const swoop::Request& req, bool no_context_takeover) {
  // Offers hold parameters whose values may be quoted strings, commas and all.
  for (const std::string_view value : req.headers().get_all("Sec-WebSocket-Extensions")) {
    for (const std::string_view element : list_elements(value)) {
      if (auto d = offer(element)) {
        if (no_context_takeover)
          d->server_no_context_takeover = d->client_no_context_takeover = true;
        return d;
      }
    }
  }
  return std::nullopt;
}

// ---- checks ---------------------------------------------------------------------------------

// The value of name in a response head ("" when absent); each line must be a known field.
std::optional<std::string_view> field(std::string_view head, std::string_view name) {
  std::optional<std::string_view> found;
  head.remove_prefix(head.find("\r\n") + 2);
  while (head.size() > 2) {
    const std::size_t eol = head.find("\r\n");
    check(eol != std::string_view::npos, "a 101 head line without CRLF");
    const std::string_view line = head.substr(0, eol);
    const std::size_t colon = line.find(": ");
    check(colon != std::string_view::npos, "a 101 head line that is no field");
    if (line.substr(0, colon) == name) {
      check(!found, "a 101 head field given twice");
      found = line.substr(colon + 2);
    }
    head.remove_prefix(eol + 2);
  }
  return found;
}

void check_refusal(const swoop::Response& res, int expected, bool upgrade) {
  if (res.status() != expected) {
    std::fprintf(stderr, "refused with %d, the model says %d\n", res.status(), expected);
    check(false, "a refusal with another status than the model's");
  }
  const auto version = res.headers().get("Sec-WebSocket-Version");
  check((expected == 426) == (version == "13"), "Sec-WebSocket-Version: 13 iff 426");
  check(upgrade ? !res.headers().contains("Upgrade") : res.headers().get("Upgrade") == "websocket",
        "Upgrade: websocket iff the request had no websocket Upgrade token");
  check(!res.body().empty(), "a refusal without a message");
}

void check_accepted(const swoop::detail::Handshake& h, const swoop::Request& req,
                    const swoop::WebSocketOptions& options) {
  // The 101 as the connection writes it.
  std::string written;
  swoop::detail::ResponseWriter{written, "Server: swoop\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"}
      .response(h.response, 11, false, true);
  const std::string_view head = written;
  check(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n") && head.ends_with("\r\n\r\n"),
        "a malformed 101 head");
  check(field(head, "Upgrade") == "websocket" && field(head, "Connection") == "Upgrade",
        "a 101 head without Upgrade and Connection");
  const std::string_view key = trim(*req.header("Sec-WebSocket-Key"));
  const auto accept = field(head, "Sec-WebSocket-Accept");
  check(key.size() == 24 && accept && accept->size() == 28 && *accept == accept_value(key),
        "Sec-WebSocket-Accept is not base64(SHA-1(key + GUID))");

  std::string chosen;
  const std::vector<std::string_view> offered = tokens(req, "Sec-WebSocket-Protocol");
  for (const std::string& mine : options.subprotocols) {
    for (const std::string_view o : offered) {
      if (chosen.empty() && o == mine) chosen = mine;
    }
  }
  check(h.subprotocol == chosen, "not the first of the route's subprotocols the client offered");
  check(field(head, "Sec-WebSocket-Protocol") ==
            (chosen.empty() ? std::nullopt : std::optional<std::string_view>{chosen}),
        "Sec-WebSocket-Protocol is not the chosen subprotocol");

  const auto deflate =
      options.compression ? negotiate(req, options.compression_no_context_takeover) : std::nullopt;
  check(h.deflate.has_value() == deflate.has_value(),
        "permessage-deflate agreed on or not wrongly");
  const auto extensions = field(head, "Sec-WebSocket-Extensions");
  check(extensions.has_value() == deflate.has_value(), "Sec-WebSocket-Extensions iff deflate");
  if (!deflate) return;
  check(h.deflate->server_no_context_takeover == deflate->server_no_context_takeover &&
            h.deflate->client_no_context_takeover == deflate->client_no_context_takeover &&
            h.deflate->server_max_window_bits == deflate->server_max_window_bits,
        "deflate parameters other than the first acceptable offer's");
  std::string answer = "permessage-deflate";
  if (deflate->server_no_context_takeover) answer += "; server_no_context_takeover";
  if (deflate->client_no_context_takeover) answer += "; client_no_context_takeover";
  if (deflate->server_max_window_bits != 15) {
    answer += "; server_max_window_bits=" + std::to_string(deflate->server_max_window_bits);
  }
  check(*extensions == answer, "Sec-WebSocket-Extensions does not state the parameters");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  const std::uint8_t flags = in.byte(), sent = in.byte(), twice = in.byte();
  swoop::WebSocketOptions options;
  options.compression = flags & 1;
  options.compression_no_context_takeover = flags & 2;
  if (flags & 4) options.allowed_origins = {"https://a.example"};
  if (flags & 8) options.subprotocols = {"chat", "superchat"};
  static constexpr std::string_view methods[] = {"GET", "GET", "POST", "HEAD"};
  std::string bytes{methods[flags >> 4 & 3]};
  bytes += flags & 64 ? " /ws HTTP/1.0\r\nHost: a\r\n" : " /ws HTTP/1.1\r\nHost: a\r\n";
  static constexpr std::string_view names[] = {"Upgrade",
                                               "Connection",
                                               "Sec-WebSocket-Version",
                                               "Sec-WebSocket-Key",
                                               "Sec-WebSocket-Protocol",
                                               "Sec-WebSocket-Extensions",
                                               "Origin"};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    for (int n = 0; n < ((sent >> i & 1) ? 1 + (twice >> i & 1) : 0); ++n) {
      bytes += names[i];
      bytes += ": ";
      bytes += in.until('\n');
      bytes += "\r\n";
    }
  }
  bytes += "\r\n";
  static const swoop::RunOptions run_options;
  swoop::detail::RequestParser parser{run_options};
  swoop::Request req;
  parser.begin(req);
  if (parser.feed(bytes.data(), bytes.size()) != swoop::detail::RequestParser::State::complete) {
    return 0;  // refused by the server before any route runs
  }

  std::optional<swoop::detail::Handshake> h;
  try {
    h = swoop::detail::answer_handshake(req, options);
  } catch (...) {
    check(false, "answer_handshake threw");
  }
  const int expected = refusal_status(req, options);
  if (h->refusal) {
    check(expected != 0, "a handshake refused that the model accepts");
    check_refusal(*h->refusal, expected, has_token(req, "Upgrade", "websocket"));
  } else {
    if (expected != 0) std::fprintf(stderr, "accepted; the model says %d\n", expected);
    check(expected == 0, "a handshake accepted that the model refuses");
    check_accepted(*h, req, options);
  }
  return 0;
}
