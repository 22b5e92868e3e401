// SPDX-License-Identifier: MIT
// Fuzzes percent_decode, percent_encode and QueryArgs (swoop/url.hpp).
// Invariants: decode(encode(x)) == x for every x (with and without keep_slash); encode only
// writes unreserved bytes and %XX; a failed decode leaves the output as it was; QueryArgs'
// accessors agree with each other and with its iteration, also after a copy and a move.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_support.hpp"
#include "swoop/url.hpp"

namespace {

using swoop_fuzz::check;

bool is_encoded_byte(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '%' || c == '/';
}

void check_round_trip(std::string_view text, bool keep_slash) {
  const std::string encoded = swoop::percent_encode(text, keep_slash);
  for (const char c : encoded) {
    check(is_encoded_byte(c) && (keep_slash || c != '/'), "percent_encode wrote a raw byte");
  }
  for (const bool plus : {false, true}) {
    std::string decoded = "prefix";
    check(swoop::percent_decode(encoded, decoded, plus), "decoding an encoded text failed");
    check(decoded.substr(6) == text, "decode(encode(x)) != x");
  }
}

void check_decode(std::string_view text) {
  for (const bool plus : {false, true}) {
    std::string out = "kept";
    if (!swoop::percent_decode(text, out, plus)) {
      check(out == "kept", "a failed decode changed the output");
    } else {
      check(out.size() >= 4 && out.size() - 4 <= text.size(), "decode grew the text");
    }
  }
}

void check_query(const swoop::QueryArgs& args) {
  std::size_t count = 0;
  for (const auto& [name, value] : args) {
    check(args[count] == std::pair{name, value}, "operator[] and iteration disagree");
    if (++count > 32) continue;  // the look-ups are linear: check the first pairs only
    const auto first = args.get(name);
    check(first.has_value(), "an iterated name is not found by get()");
    check(args.contains(name), "an iterated name is not contained");
    const auto all = args.get_all(name);
    check(!all.empty() && all.front() == *first, "get_all() and get() disagree");
  }
  check(count == args.size(), "size() and iteration disagree");
  check(args.empty() == (count == 0), "empty() and size() disagree");
  check(args[count] == swoop::QueryArgs::value_type{}, "operator[] past the end is not empty");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_round_trip(text, false);
  check_round_trip(text, true);
  check_decode(text);

  swoop::QueryArgs args{text};
  check_query(args);
  swoop::QueryArgs copy = args;
  check_query(copy);
  check(copy.size() == args.size(), "a copy has a different size");
  swoop::QueryArgs moved = std::move(copy);
  copy = swoop::QueryArgs{};
  check_query(moved);
  for (std::size_t i = 0; i < args.size(); ++i) {
    check(moved[i] == args[i], "a moved QueryArgs differs from the original");
  }
  return 0;
}
