// SPDX-License-Identifier: MIT
// Differential fuzzing of the request head shortcuts (src/server/head_validator.cpp and
// request_parser.cpp): validate_head's one-pass check for plain heads against
// validate_head_reference, and RequestParser with its llhttp-free completion of plain GET and
// HEAD requests against a parser that always runs llhttp.
// Input: byte 0 bit 0 = append CRLF CRLF when the bytes have no head end; bit 1 = end the lines
// in a bare LF instead (every CRLF becomes LF); bit 2 = in a bare CR; the rest is the request
// bytes (a head, perhaps a body, perhaps more requests).
// Invariants: find_head_end finds what a plain search finds; both validators give the same status,
// and on success the same layout and fields; both parsers end in the same state, and agree on the
// error status, the bytes consumed, keep-alive, method, target, version and body; a parser
// still waiting for the head's end has seen no bare CR or LF (it refuses those at once).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "server/head_validator.hpp"
#include "server/request_parser.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"

namespace {

using swoop::detail::HeadLayout;
using swoop::detail::HeadLimits;
using swoop::detail::RequestParser;
using swoop_fuzz::check;

// find_head_end (vectorized) against a plain search, from the start and from the middle.
void compare_head_end(std::string_view bytes) {
  for (const std::size_t from : {std::size_t{0}, bytes.size() / 2}) {
    const std::size_t at = bytes.find("\r\n\r\n", from >= 3 ? from - 3 : 0);
    const std::size_t expected = at == std::string_view::npos ? 0 : at + 4;
    check(swoop::detail::find_head_end(bytes.data(), bytes.size(), from) == expected,
          "find_head_end disagrees with a plain search");
  }
}

void compare_validators(std::string_view bytes) {
  compare_head_end(bytes);
  const std::size_t end = swoop::detail::find_head_end(bytes.data(), bytes.size(), 0);
  if (end == 0) return;
  const HeadLimits limits{.max_target = 64, .max_fields = 8};
  HeadLayout quick_layout, ref_layout;
  swoop::RequestHeaders quick_fields, ref_fields;
  const auto quick =
      swoop::detail::validate_head(bytes.data(), end, limits, quick_layout, quick_fields);
  const auto ref =
      swoop::detail::validate_head_reference(bytes.data(), end, limits, ref_layout, ref_fields);
  check(quick.status == ref.status, "validate_head and its reference disagree on the status");
  if (quick.status != 0) return;
  check(quick_layout.method_off == ref_layout.method_off &&
            quick_layout.method_len == ref_layout.method_len &&
            quick_layout.target_off == ref_layout.target_off &&
            quick_layout.target_len == ref_layout.target_len &&
            quick_layout.version_off == ref_layout.version_off,
        "validate_head and its reference split the request line differently");
  check(quick_fields.size() == ref_fields.size(), "different numbers of fields");
  swoop::detail::Access::rebase(quick_fields, bytes.data());
  swoop::detail::Access::rebase(ref_fields, bytes.data());
  for (std::size_t i = 0; i < quick_fields.size(); ++i) {
    const auto [qn, qv] = quick_fields[i];
    const auto [rn, rv] = ref_fields[i];
    check(qn.data() == rn.data() && qn.size() == rn.size() && qv.data() == rv.data() &&
              qv.size() == rv.size(),
          "a field split differently");
  }
}

struct Parsed {
  RequestParser::State state;
  int status;
  std::size_t consumed;
  bool keep_alive, head;
  std::string method, target, body;
  int version;
};

Parsed parse(std::string_view bytes, bool shortcut) {
  static const swoop::RunOptions options = [] {
    swoop::RunOptions o;
    o.max_header_size = 4096;
    o.max_body_size = 4096;
    return o;
  }();
  RequestParser parser{options};
  parser.set_plain_shortcut(shortcut);
  swoop::Request req;
  std::vector<char> buffer(bytes.begin(), bytes.end());  // the parser de-chunks in place
  parser.begin(req);
  const RequestParser::State state = parser.feed(buffer.data(), buffer.size());
  Parsed p{state, parser.error().status, 0, false, parser.is_head(), {}, {}, {}, 0};
  if (state == RequestParser::State::complete) {
    p.consumed = parser.consumed();
    p.keep_alive = req.is_keep_alive();
    p.method = req.method();
    p.target = req.target();
    p.body = req.body();
    p.version = req.version();
  }
  return p;
}

// Whether the bytes hold an LF not preceded by CR or a CR followed by something else than LF,
// said plainly (has_bare_line_end's reference), looking past any CRLF that opens them.
bool has_bare_line_end(std::string_view bytes) {
  std::size_t i = 0;
  while (bytes.substr(i, 2) == "\r\n") i += 2;
  for (; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return true;
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] != '\n') return true;
  }
  return false;
}

// Every CRLF of bytes replaced by `line_end`.
std::string with_line_ends(std::string_view bytes, std::string_view line_end) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes.substr(i, 2) == "\r\n") {
      out += line_end;
      ++i;
    } else {
      out += bytes[i];
    }
  }
  return out;
}

void compare_parsers(std::string_view bytes) {
  const Parsed fast = parse(bytes, true);
  const Parsed slow = parse(bytes, false);
  check(fast.state == slow.state, "the shortcut and llhttp end in different states");
  check(fast.status == slow.status, "the shortcut and llhttp give different errors");
  check(fast.head == slow.head, "HEAD seen differently");
  check(fast.consumed == slow.consumed, "the shortcut and llhttp consume different lengths");
  check(fast.keep_alive == slow.keep_alive, "the shortcut and llhttp disagree on keep-alive");
  check(fast.method == slow.method && fast.target == slow.target && fast.body == slow.body &&
            fast.version == slow.version,
        "the shortcut and llhttp see a different request");
  if (fast.state == RequestParser::State::head && bytes.size() <= 4096) {
    check(!has_bare_line_end(bytes), "a parser waits for the head's end after a bare CR or LF");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool terminate = (data[0] & 1) != 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 2) != 0) bytes = with_line_ends(bytes, "\n");
  if ((data[0] & 4) != 0) bytes = with_line_ends(bytes, "\r");
  if (terminate && bytes.find("\r\n\r\n") == std::string::npos) bytes += "\r\n\r\n";
  compare_validators(bytes);
  compare_parsers(bytes);
  return 0;
}
