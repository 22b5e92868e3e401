// SPDX-License-Identifier: MIT
// gunzip: the bytes of a gzip stream, for tests of responses swoop compressed.
#pragma once

#include <zlib.h>

#include <string>

namespace swoop::test {

/// The decompressed bytes of one gzip stream; "<corrupt>" unless it ends properly.
inline std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<no zlib>";
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return r == Z_STREAM_END ? out : std::string{"<corrupt>"};
}

}  // namespace swoop::test
