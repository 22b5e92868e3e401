// SPDX-License-Identifier: MIT
// The compact JSON serializer (RFC 8259) with UTF-8 repair, for JsonValue and JsonWriter.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "http/utf8.hpp"
#include "swoop/json.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace swoop {

// ---------------------------------------------------------------------------------------------
// Serializer

namespace {

// Where the JsonValue serializer writes: straight through a pointer into `out`, which is grown
// ahead of the writes (std::string::resize, so zero-filled) a window at a time and cut back to
// what was written by finish(). Each piece then costs a compare instead of std::string's
// capacity check and call. push_back and append mirror std::string's, so that the writers
// below serve both (JsonWriter's calls, one small piece each, append to the string directly).
class Sink {
 public:
  // `window`: how far to grow at least, so that a document grows its string a few times
  // instead of once per piece.
  Sink(std::string& out, std::size_t window) noexcept
      : out_(out), used_(out.size()), window_(window) {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Returns where the next n bytes go; advance_to() then says where the writing ended.
  char* room(std::size_t n) {
    if (out_.size() - used_ < n) out_.resize(used_ + std::max(n, window_));
    return out_.data() + used_;
  }
  void advance_to(const char* end) noexcept { used_ = static_cast<std::size_t>(end - out_.data()); }

  void push_back(char c) {
    *room(1) = c;
    ++used_;
  }
  void append(const char* s, std::size_t n) {
    std::memcpy(room(n), s, n);
    used_ += n;
  }

  // Cuts `out` back to what was written. The Sink must not be used afterwards.
  void finish() {
    if (used_ != out_.size()) out_.resize(used_);
  }

 private:
  std::string& out_;
  std::size_t used_;  // bytes of out_ written; the rest up to out_.size() is room
  std::size_t window_;
};

// A whole document or subtree grows its output at least this much at a time.
constexpr std::size_t document_window = 256;

// What a byte needs in a JSON string: 0 copy as is, 1 escape, 2 validate as UTF-8.
constexpr std::array<std::uint8_t, 256> byte_classes = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) table[c] = 2;
  return table;
}();

#if defined(__SSE2__)
// The bytes of `v` that are a control character, '"', '\\' or non-ASCII, as a bit mask.
unsigned attention_mask(__m128i v) noexcept {
  // Signed compare: bytes 0x80-0xff are negative, so below SP like the control bytes.
  const __m128i marks = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(marks));
}

std::uint32_t load32(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Returns the first byte in [p, end) that is not plain printable ASCII. Blocks of 16 bytes,
// the last one ending at `end` (it overlaps bytes already known to be plain); a shorter
// string is loaded as two overlapping halves of 8 or 4 bytes, so that even a short key or
// value takes one compare. Below 4 bytes, one byte at a time.
const char* skip_plain(const char* p, const char* end) noexcept {
  const auto n = end - p;
  if (n >= 16) {
    const char* const last = end - 16;
    for (;; p += 16) {
      if (p > last) p = last;
      const unsigned mask = attention_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      if (mask != 0) return p + std::countr_zero(mask);
      if (p == last) return end;
    }
  }
  if (n >= 4) {
    // Lanes [0, half) hold p's first bytes, [half, 2 * half) the last `half` bytes; a mark in
    // the second half is past the first half, so past the bytes both halves share.
    const int half = n >= 8 ? 8 : 4;
    const __m128i v =
        half == 8 ? _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)),
                                       _mm_loadl_epi64(reinterpret_cast<const __m128i*>(end - 8)))
                  : _mm_unpacklo_epi32(_mm_cvtsi32_si128(static_cast<int>(load32(p))),
                                       _mm_cvtsi32_si128(static_cast<int>(load32(end - 4))));
    const unsigned mask = attention_mask(v) & ((1U << (2 * half)) - 1);
    if (mask == 0) return end;
    const int at = std::countr_zero(mask);
    return at < half ? p + at : end - half + (at - half);
  }
  while (p != end && byte_classes[static_cast<unsigned char>(*p)] == 0) ++p;
  return p;
}
#else
constexpr std::uint64_t repeat_byte(std::uint8_t b) noexcept { return 0x0101010101010101ULL * b; }

// True when one of the 8 bytes of `w` is a control character, '"', '\\' or non-ASCII: exact
// presence tests from "Bit Twiddling Hacks" (haszero / hasless with n <= 128).
constexpr bool needs_attention(std::uint64_t w) noexcept {
  constexpr std::uint64_t high = repeat_byte(0x80);
  const auto has_zero = [](std::uint64_t x) { return (x - repeat_byte(0x01)) & ~x & high; };
  const std::uint64_t below_space = (w - repeat_byte(0x20)) & ~w & high;
  const std::uint64_t quote = has_zero(w ^ repeat_byte('"'));
  const std::uint64_t backslash = has_zero(w ^ repeat_byte('\\'));
  return ((w & high) | below_space | quote | backslash) != 0;
}

// Returns the first byte in [p, end) that is not plain printable ASCII: 8 bytes at a time,
// then one at a time.
const char* skip_plain(const char* p, const char* end) noexcept {
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if (needs_attention(w)) break;
    p += 8;
  }
  while (p != end && byte_classes[static_cast<unsigned char>(*p)] == 0) ++p;
  return p;
}
#endif

// RFC 8259 section 7: the two-character escapes where they exist, else \u00XX. Writes at most
// 6 bytes at `to` and returns the end of what it wrote.
char* put_escape(char* to, unsigned char c) noexcept {
  char short_form = 0;
  switch (c) {
    case '"':
      short_form = '"';
      break;
    case '\\':
      short_form = '\\';
      break;
    case '\b':
      short_form = 'b';
      break;
    case '\t':
      short_form = 't';
      break;
    case '\n':
      short_form = 'n';
      break;
    case '\f':
      short_form = 'f';
      break;
    case '\r':
      short_form = 'r';
      break;
    default:
      break;
  }
  *to++ = '\\';
  if (short_form != 0) {
    *to++ = short_form;
    return to;
  }
  constexpr char hex[] = "0123456789abcdef";
  const char escape[5] = {'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  std::memcpy(to, escape, sizeof escape);
  return to + sizeof escape;
}

// The rest of a string from `p`, the first byte that is not plain ASCII, with escapes and
// U+FFFD for bytes that are not well-formed UTF-8, and the closing quote.
void write_string_tail(Sink& out, const char* p, const char* end) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  const char* run = p;  // start of the bytes not yet copied, all needing no change
  while ((p = skip_plain(p, end)) != end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      if (const std::size_t n = detail::utf8_sequence_length(p, end); n != 0) {
        p += n;  // well-formed: stays in the run
        continue;
      }
    }
    // The run, then at most 6 bytes: \u00XX, a two-character escape or U+FFFD's 3.
    const auto plain = static_cast<std::size_t>(p - run);
    char* to = out.room(plain + 6);
    std::memcpy(to, run, plain);
    to += plain;
    if (c >= 0x80) {
      std::memcpy(to, replacement.data(), replacement.size());
      to += replacement.size();
    } else {
      to = put_escape(to, c);
    }
    out.advance_to(to);
    run = ++p;
  }
  const auto plain = static_cast<std::size_t>(end - run);
  char* to = out.room(plain + 1);
  std::memcpy(to, run, plain);
  to[plain] = '"';
  out.advance_to(to + plain + 1);
}

// Writes `s` as a JSON string to a Sink or a std::string.
template <typename Out>
void write_string(Out& out, std::string_view s) {
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  const char* const plain_end = skip_plain(begin, end);
  out.push_back('"');
  out.append(begin, static_cast<std::size_t>(plain_end - begin));
  if (plain_end == end) {  // the usual case: nothing to change
    out.push_back('"');
    return;
  }
  if constexpr (std::is_same_v<Out, Sink>) {
    write_string_tail(out, plain_end, end);
  } else {
    Sink sink{out, 0};
    write_string_tail(sink, plain_end, end);
    sink.finish();
  }
}

// Doubles and floats: each in the shortest form that reads back to the same value of its type.
template <std::floating_point F>
void write_floating(auto& out, F d) {
  if (std::isnan(d)) throw std::domain_error("swoop::write_json: NaN cannot be written as JSON");
  if (std::isinf(d)) {
    throw std::domain_error(d > 0 ? "swoop::write_json: +infinity cannot be written as JSON"
                                  : "swoop::write_json: -infinity cannot be written as JSON");
  }
  // The shortest form of a finite double takes at most 24 characters, as in
  // "-2.2250738585072014e-308" (17 significant digits, sign, point, "e-", 3 exponent digits),
  // and ".0" may follow.
  char text[32];
  char* end = fmt::format_to(text, FMT_COMPILE("{}"), d);
  // An integral double prints as digits only; ".0" keeps it a floating-point number for
  // readers that distinguish (Python's json, for one).
  if (std::string_view(text, static_cast<std::size_t>(end - text)).find_first_of(".eE") ==
      std::string_view::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  out.append(text, static_cast<std::size_t>(end - text));
}

void write_integer(auto& out, auto i) {
  const fmt::format_int text(i);
  out.append(text.data(), text.size());
}

void write_value(Sink& out, const JsonValue& value);

void write_array(Sink& out, const JsonArray& array) {
  out.push_back('[');
  bool first = true;
  for (const JsonValue& element : array) {
    if (!first) out.push_back(',');
    first = false;
    write_value(out, element);
  }
  out.push_back(']');
}

void write_object(Sink& out, const JsonObject& object) {
  out.push_back('{');
  bool first = true;
  for (const JsonMember& member : object) {
    if (!first) out.push_back(',');
    first = false;
    write_string(out, member.key);
    out.push_back(':');
    write_value(out, member.value);
  }
  out.push_back('}');
}

void write_value(Sink& out, const JsonValue& value) {
  switch (value.kind()) {
    case JsonKind::null:
      out.append("null", 4);
      return;
    case JsonKind::boolean:
      value.as_bool() ? out.append("true", 4) : out.append("false", 5);
      return;
    case JsonKind::int64:
      write_integer(out, value.as_int());
      return;
    case JsonKind::uint64:
      write_integer(out, value.as_uint());
      return;
    case JsonKind::float64:
      write_floating(out, value.as_double());
      return;
    case JsonKind::string:
      write_string(out, value.as_string());
      return;
    case JsonKind::array:
      write_array(out, value.as_array());
      return;
    case JsonKind::object:
      write_object(out, value.as_object());
      return;
  }
}

// Appends what `write` writes to a Sink over `out`; on an exception `out` is left as it was.
template <typename Write>
void append_to(std::string& out, std::size_t window, Write&& write) {
  const std::size_t old_size = out.size();
  Sink sink{out, window};
  try {
    write(sink);
  } catch (...) {
    out.resize(old_size);  // strong guarantee: no partial document is left behind
    throw;
  }
  sink.finish();
}

}  // namespace

void write_json(std::string& out, const JsonValue& value) {
  append_to(out, document_window, [&](Sink& sink) { write_value(sink, value); });
}

std::string to_json(const JsonValue& value) {
  std::string out;
  write_json(out, value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JsonWriter: scalars and keys append to the string directly; a JsonValue, JsonObject or
// JsonArray subtree goes through a Sink.

void JsonWriter::key(std::string_view name) {
  SWOOP_ASSERT(depth_ > 0 && !after_key_, "JsonWriter: a key outside an object or after a key");
  if (need_comma_) out_->push_back(',');
  swoop::write_string(*out_, name);
  out_->push_back(':');
  need_comma_ = false;
  after_key_ = true;
}

void JsonWriter::write_null() {
  separate();
  out_->append("null", 4);
  need_comma_ = true;
}

void JsonWriter::write_bool(bool b) {
  separate();
  b ? out_->append("true", 4) : out_->append("false", 5);
  need_comma_ = true;
}

void JsonWriter::write_int(std::int64_t i) {
  separate();
  write_integer(*out_, i);
  need_comma_ = true;
}

void JsonWriter::write_uint(std::uint64_t u) {
  separate();
  write_integer(*out_, u);
  need_comma_ = true;
}

void JsonWriter::write_double(double d) {
  separate();
  write_floating(*out_, d);
  need_comma_ = true;
}

void JsonWriter::write_float(float f) {
  separate();
  write_floating(*out_, f);
  need_comma_ = true;
}

void JsonWriter::write_enum_name(std::string_view name) {
  if (name.empty())
    throw std::domain_error("JSON cannot hold an enum value the description does not name");
  write_string(name);
}

void JsonWriter::write_string(std::string_view s) {
  separate();
  swoop::write_string(*out_, s);
  need_comma_ = true;
}

void JsonWriter::write_json_value(const JsonValue& v) {
  separate();
  append_to(*out_, document_window, [&](Sink& sink) { write_value(sink, v); });
  need_comma_ = true;
}

void JsonWriter::write_json_object(const JsonObject& o) {
  separate();
  append_to(*out_, document_window, [&](Sink& sink) { write_object(sink, o); });
  need_comma_ = true;
}

void JsonWriter::write_json_array(const JsonArray& a) {
  separate();
  append_to(*out_, document_window, [&](Sink& sink) { write_array(sink, a); });
  need_comma_ = true;
}

}  // namespace swoop
