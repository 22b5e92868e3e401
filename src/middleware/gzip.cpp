// SPDX-License-Identifier: MIT
// The gzip middleware: compresses textual response bodies with zlib.
#include <zlib.h>

#include <stdexcept>
#include <string>

#include "http/grammar.hpp"
#include "swoop/builtin_middleware.hpp"

namespace swoop {

namespace {

bool accepts_gzip(std::string_view accept) {
  for (const std::string_view item : detail::ListItems{accept}) {
    std::string_view params;
    const std::string_view coding = detail::split_parameters(item, params);
    if (!iequals(coding, "gzip") && coding != "*") continue;
    // RFC 9110 12.5.3: q=0 means "not acceptable"; so does a weight that cannot be read.
    const std::optional<int> q = detail::weight(params);
    return q && *q > 0;
  }
  return false;
}

bool is_compressible(std::string_view type) {
  type = type.substr(0, type.find(';'));
  return type.starts_with("text/") || type.ends_with("/json") || type.ends_with("+json") ||
         type.ends_with("/javascript") || type.ends_with("/xml") || type.ends_with("+xml");
}

std::string compress(const std::string& in, int level) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int r = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (r != Z_STREAM_END) throw std::runtime_error("gzip: deflate failed");
  return out;
}

// RFC 9110 8.8.3.3: a strong entity tag names one representation byte for byte, so the gzip
// coding of a body cannot keep the identity body's strong tag. Made weak, it still validates
// the compressed copy in If-None-Match (weak comparison, 13.1.2) and is never taken for a byte
// range (If-Range needs a strong tag).
void weaken_etag(Response& res) {
  const auto etag = res.headers().get("ETag");
  if (etag && etag->starts_with('"')) res.set_header("ETag", "W/" + std::string{*etag});
}

Task<Response> with_gzip(GzipOptions o, Request& req, Next next) {
  Response res = co_await next(req);
  const auto accept = req.header("Accept-Encoding");
  // A 304 answers a client that may hold the compressed copy: its tag is the one that copy got.
  if (res.status() == 304 && accept && accepts_gzip(*accept)) weaken_etag(res);
  const auto type = res.headers().get("Content-Type");
  if (!accept || !accepts_gzip(*accept) || res.body().size() < o.min_size ||
      res.headers().contains("Content-Encoding") || !type || !is_compressible(*type) ||
      res.status() < 200 || res.status() == 204 || res.status() == 206 || res.status() == 304 ||
      res.is_streamed()) {
    co_return res;
  }
  res.set_body(compress(res.body(), o.level));
  res.set_header("Content-Encoding", "gzip");
  weaken_etag(res);
  res.add_header("Vary", "Accept-Encoding");
  co_return res;
}

}  // namespace

Middleware gzip(GzipOptions options) {
  if (options.level < 1 || options.level > 9) {
    throw std::invalid_argument("gzip: level must be in 1..9");
  }
  return [options](Request& req, Next next) -> Task<Response> {
    return with_gzip(options, req, next);
  };
}

}  // namespace swoop
