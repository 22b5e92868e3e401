// SPDX-License-Identifier: MIT
// permessage-deflate (RFC 7692): offer negotiation and the zlib streams of a connection.
#include "websocket/deflate.hpp"

#include <zlib.h>

#include <charconv>

#include "http/grammar.hpp"
#include "swoop/headers.hpp"

namespace swoop::detail {

namespace {

// Parses "8".."15" (a quoted value is allowed, RFC 7692 5.2; a leading zero is not, 7.1.2).
std::optional<int> window_bits(std::string_view v) noexcept {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.starts_with('0')) return {};
  int bits = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), bits);
  if (ec != std::errc{} || end != v.data() + v.size() || bits < 8 || bits > 15) return {};
  return bits;
}

// One offer: "permessage-deflate; param[=value]; ...". Nothing if it cannot be accepted.
std::optional<DeflateParams> parse_offer(std::string_view offer) {
  std::size_t semi = offer.find(';');
  if (!iequals(trim_ows(offer.substr(0, semi)), "permessage-deflate")) return {};
  DeflateParams p;
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  while (semi != std::string_view::npos) {
    offer.remove_prefix(semi + 1);
    semi = offer.find(';');
    const std::string_view param = trim_ows(offer.substr(0, semi));
    const std::size_t eq = param.find('=');
    const std::string_view name = trim_ows(param.substr(0, eq));
    const std::optional<std::string_view> value =
        eq == std::string_view::npos ? std::nullopt : std::optional{trim_ows(param.substr(eq + 1))};
    // RFC 7692 7.1: an unknown parameter, a repeated one or a bad value declines the offer.
    if (iequals(name, "server_no_context_takeover")) {
      if (seen_snct || value) return {};
      seen_snct = p.server_no_context_takeover = true;
    } else if (iequals(name, "client_no_context_takeover")) {
      if (seen_cnct || value) return {};
      seen_cnct = p.client_no_context_takeover = true;
    } else if (iequals(name, "server_max_window_bits")) {
      if (seen_smwb || !value) return {};
      const auto bits = window_bits(*value);
      // zlib cannot make a raw deflate stream with a 256-byte window: decline 8.
      if (!bits || *bits == 8) return {};
      seen_smwb = true;
      p.server_max_window_bits = *bits;
    } else if (iequals(name, "client_max_window_bits")) {
      if (seen_cmwb || (value && !window_bits(*value))) return {};
      seen_cmwb = true;  // our inflater takes any window up to 15
    } else {
      return {};
    }
  }
  return p;
}

}  // namespace

std::optional<DeflateParams> negotiate_deflate(const std::vector<std::string_view>& offers,
                                               bool no_context_takeover, std::string& response) {
  for (const std::string_view value : offers) {
    for (const std::string_view offer : ListItems{value}) {
      if (auto p = parse_offer(offer)) {
        if (no_context_takeover)
          p->server_no_context_takeover = p->client_no_context_takeover = true;
        response = "permessage-deflate";
        if (p->server_no_context_takeover) response += "; server_no_context_takeover";
        if (p->client_no_context_takeover) response += "; client_no_context_takeover";
        if (p->server_max_window_bits != 15) {
          response += "; server_max_window_bits=";
          response += std::to_string(p->server_max_window_bits);
        }
        return p;
      }
    }
  }
  return std::nullopt;
}

struct PerMessageDeflate::Streams {
  z_stream deflate{};
  z_stream inflate{};
  bool deflate_ready = false;
  bool inflate_ready = false;
  bool inflate_ended = false;  // the message's stream ended with a final block
};

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params) noexcept : params_(params) {}

PerMessageDeflate::~PerMessageDeflate() {
  if (!streams_) return;
  if (streams_->deflate_ready) deflateEnd(&streams_->deflate);
  if (streams_->inflate_ready) inflateEnd(&streams_->inflate);
}

bool PerMessageDeflate::compress(std::string_view message, std::string& out) {
  if (!streams_) streams_ = std::make_unique<Streams>();
  z_stream& z = streams_->deflate;
  if (!streams_->deflate_ready) {
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -params_.server_max_window_bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return false;
    }
    streams_->deflate_ready = true;
  }
  const std::size_t start = out.size();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  for (;;) {
    const std::size_t room = deflateBound(&z, z.avail_in) + 16;
    const std::size_t at = out.size();
    out.resize(at + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = static_cast<uInt>(room);
    const int r = deflate(&z, Z_SYNC_FLUSH);
    out.resize(at + room - z.avail_out);
    if (r != Z_OK && r != Z_BUF_ERROR) return false;
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  // RFC 7692 7.2.1: drop the 00 00 FF FF that the sync flush ends with.
  if (out.size() - start >= 4 && out.compare(out.size() - 4, 4, "\x00\x00\xff\xff", 4) == 0) {
    out.resize(out.size() - 4);
  }
  if (params_.server_no_context_takeover) {
    deflateEnd(&z);
    streams_->deflate_ready = false;
  }
  return true;
}

InflateResult PerMessageDeflate::run_inflate(const char* p, std::size_t n, std::string& out,
                                             std::size_t limit) {
  if (!streams_) streams_ = std::make_unique<Streams>();
  z_stream& z = streams_->inflate;
  if (!streams_->inflate_ready) {
    if (inflateInit2(&z, -15) != Z_OK) return InflateResult::error;
    streams_->inflate_ready = true;
    streams_->inflate_ended = false;
  }
  if (streams_->inflate_ended) return n == 0 ? InflateResult::ok : InflateResult::error;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
  z.avail_in = static_cast<uInt>(n);
  char chunk[16 * 1024];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int r = inflate(&z, Z_SYNC_FLUSH);
    const std::size_t produced = sizeof chunk - z.avail_out;
    // The bound is checked before anything is kept: a bomb costs one chunk, not its size.
    if (produced > limit - std::min(limit, out.size())) return InflateResult::too_big;
    out.append(chunk, produced);
    if (r == Z_STREAM_END) {
      streams_->inflate_ended = true;
      return z.avail_in == 0 ? InflateResult::ok : InflateResult::error;
    }
    if (r == Z_BUF_ERROR && produced == 0) return InflateResult::ok;  // needs more input
    if (r != Z_OK && r != Z_BUF_ERROR) return InflateResult::error;
    if (z.avail_in == 0 && z.avail_out != 0) return InflateResult::ok;
  }
}

InflateResult PerMessageDeflate::decompress(const char* p, std::size_t n, std::string& out,
                                            std::size_t limit) {
  if (n == 0) return InflateResult::ok;
  return run_inflate(p, n, out, limit);
}

InflateResult PerMessageDeflate::finish_message(std::string& out, std::size_t limit) {
  static constexpr char tail[4] = {0x00, 0x00, static_cast<char>(0xFF), static_cast<char>(0xFF)};
  InflateResult r = InflateResult::ok;
  if (!streams_ || !streams_->inflate_ready || !streams_->inflate_ended) {
    r = run_inflate(tail, sizeof tail, out, limit);
  }
  if (streams_ && streams_->inflate_ready) {
    if (params_.client_no_context_takeover || streams_->inflate_ended) {
      inflateEnd(&streams_->inflate);  // the next message starts a new stream
      streams_->inflate_ready = false;
    }
  }
  return r;
}

}  // namespace swoop::detail
