// SPDX-License-Identifier: MIT
// Fuzzes parse_cookies and format_set_cookie (swoop/cookies.hpp).
// Input: byte 0 picks options; the text up to '\n' is a Cookie header value, then the name,
// value, path and domain for format_set_cookie, each ending at '\n'.
// Invariants: parsed names are non-empty, trimmed and view into the header, at most
// max_cookies are kept, get() agrees with iteration; format_set_cookie either throws
// std::invalid_argument or returns a value without CR, LF or NUL that starts with name=value.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "swoop/cookies.hpp"

namespace {

using swoop_fuzz::check;

void check_parse(std::string_view header, std::size_t max) {
  const swoop::RequestCookies cookies = swoop::parse_cookies(header, max);
  check(cookies.size() <= max, "more cookies than max_cookies");
  for (const auto& [name, value] : cookies) {
    check(!name.empty(), "an empty cookie name");
    check(name.front() != ' ' && name.back() != ' ' && name.front() != '\t' && name.back() != '\t',
          "an untrimmed cookie name");
    check(
        name.data() >= header.data() && name.data() + name.size() <= header.data() + header.size(),
        "a name outside the header");
    check(value.empty() || (value.data() >= header.data() &&
                            value.data() + value.size() <= header.data() + header.size()),
          "a value outside the header");
    for (const char c : name) {
      check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != ';' && c != '=',
            "a control byte, ';' or '=' in a name");
    }
    const auto first = cookies.get(name);
    check(first.has_value() && cookies.get_all(name).front() == *first, "get/get_all disagree");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  const std::uint8_t flags = in.byte();
  const std::string header{in.until('\n')};  // owned: ASan sees reads past its end
  check_parse(header, 1000);
  check_parse(header, flags % 4);

  const std::string name{in.until('\n')};
  const std::string value{in.until('\n')};
  swoop::CookieOptions options;
  options.path = std::string{in.until('\n')};
  options.domain = std::string{in.until('\n')};
  options.secure = (flags & 1) != 0;
  options.http_only = (flags & 2) != 0;
  options.same_site = static_cast<swoop::SameSite>((flags >> 2) % 4);
  options.partitioned = (flags & 16) != 0;
  const std::uint8_t t = in.byte();
  if (flags & 32) options.max_age = std::chrono::seconds{static_cast<std::int8_t>(t) * 1000LL};
  if (flags & 64) {
    // system_clock counts nanoseconds, so only about 1678..2262 can be expressed at all.
    const long long seconds = static_cast<std::int8_t>(t) * 70'000'000LL + in.byte() * 86'400LL;
    options.expires = std::chrono::system_clock::time_point{std::chrono::seconds{seconds}};
  }
  try {
    const std::string out = swoop::format_set_cookie(name, value, options);
    check(out.find_first_of(std::string_view{"\r\n\0", 3}) == std::string::npos,
          "CR, LF or NUL in a Set-Cookie value");
    check(out.starts_with(name + "=" + value), "the value does not start with name=value");
    // What a browser would read back: the first pair of the header is the cookie itself.
    const swoop::RequestCookies back = swoop::parse_cookies(out, 1);
    check(back.size() == 1 && back.begin()->first == name, "the cookie does not read back");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
