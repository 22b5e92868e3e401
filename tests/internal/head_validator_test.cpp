// SPDX-License-Identifier: MIT
// The vectorized parts of head validation (src/server/head_validator.cpp) against plain loops:
// the end-of-head search and the field value scan, at every offset around their 16-byte steps.
#include "server/head_validator.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using swoop::detail::find_head_end;

std::size_t naive_head_end(std::string_view bytes, std::size_t from) {
  const std::size_t at = bytes.find("\r\n\r\n", from >= 3 ? from - 3 : 0);
  return at == std::string_view::npos ? 0 : at + 4;
}

int status_of(std::string_view head, bool reference) {
  swoop::detail::HeadLayout layout;
  swoop::RequestHeaders fields;
  const swoop::detail::HeadLimits limits;
  return (reference
              ? swoop::detail::validate_head_reference(head.data(), head.size(), limits, layout,
                                                       fields)
              : swoop::detail::validate_head(head.data(), head.size(), limits, layout, fields))
      .status;
}

}  // namespace

TEST_CASE("find_head_end finds the first CRLF CRLF wherever it lies, and only a whole one") {
  for (std::size_t pad = 0; pad < 48; ++pad) {
    // Lone CRs, CR LF pairs and a CR LF CR without its LF before the real end.
    const std::string noise = "GET / HTTP/1.1\r\nA: \r\r\n\r" + std::string(pad, 'x');
    const std::string whole = noise + "\r\n\r\nnext";
    for (std::size_t len = 0; len <= whole.size(); ++len) {
      const std::string_view bytes{whole.data(), len};
      for (std::size_t from : {std::size_t{0}, len / 2, len}) {
        CAPTURE(pad);
        CAPTURE(len);
        CAPTURE(from);
        CHECK(find_head_end(bytes.data(), bytes.size(), from) == naive_head_end(bytes, from));
      }
    }
  }
}

TEST_CASE("the quick field-value scan refuses exactly what the reference refuses") {
  // Every byte value at every position of a value long enough for two 16-byte steps.
  for (std::size_t at = 0; at < 40; ++at) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string value(40, 'v');
      value[at] = static_cast<char>(byte);
      const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + value + "\r\n\r\n";
      CAPTURE(at);
      CAPTURE(byte);
      const int quick = status_of(head, false);
      CHECK(quick == status_of(head, true));
      const bool allowed = byte == '\t' || (byte >= 0x20 && byte != 0x7f);
      CHECK((quick == 0) == allowed);
    }
  }
}
