// SPDX-License-Identifier: MIT
// Finds where a JSON text simdjson refused goes wrong, and words the 400 message about it.
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include "http/grammar.hpp"
#include "http/utf8.hpp"
#include "json/document.hpp"

namespace swoop::detail {

namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(const char* p, const char* end) noexcept { return p < end && *p >= '0' && *p <= '9'; }
bool ends_token(const char* p, const char* end) noexcept {
  return p == end || is_space(*p) || *p == ',' || *p == ']' || *p == '}';
}

// Reads "\uXXXX" at p; returns the code unit, or -1.
long read_u_escape(const char* p, const char* end) noexcept {
  if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return -1;
  long unit = 0;
  for (int i = 2; i < 6; ++i) {
    const int h = hex_value(p[i]);
    if (h < 0) return -1;
    unit = unit * 16 + h;
  }
  return unit;
}

// A strict RFC 8259 scanner with simdjson's limits. It runs only on text simdjson refused, so
// it favours plain code over speed.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : begin_(text.data()), end_(begin_ + text.size()) {}

  // Returns true and fills `out` at the first error.
  bool run(JsonErrorPosition& out);

 private:
  enum class State { value, key, after_value };

  bool fail(const char* p, const char* what) {
    error_ = {static_cast<std::size_t>(p - begin_), what};
    return false;
  }
  void skip_space() {
    while (p_ < end_ && is_space(*p_)) ++p_;
  }
  bool value();
  bool key();
  bool after_value(State& next);
  bool open(char bracket, State& next);
  bool string();
  bool escape();
  bool number();
  bool literal();
  bool number_in_range(const char* start, bool negative, bool fractional, const char* int_end);

  const char* const begin_;
  const char* const end_;
  const char* p_ = begin_;
  std::string stack_;  // '[' and '{' of the open containers
  JsonErrorPosition error_;
};

bool Scanner::run(JsonErrorPosition& out) {
  State state = State::value;
  for (;;) {
    skip_space();
    bool ok = true;
    if (state == State::after_value) {
      if (stack_.empty()) {
        if (p_ == end_) return false;
        fail(p_, "unexpected text after the JSON value");
        ok = false;
      } else {
        ok = after_value(state);
      }
    } else if (state == State::key) {
      ok = key();
      state = State::value;
    } else if (p_ < end_ && (*p_ == '[' || *p_ == '{')) {
      ok = open(*p_, state);
    } else {
      ok = value();
      state = State::after_value;
    }
    if (!ok) {
      out = error_;
      return true;
    }
  }
}

bool Scanner::open(char bracket, State& next) {
  if (stack_.size() == json_max_depth) {
    return fail(p_, "arrays and objects nested more than 1024 deep");
  }
  stack_.push_back(bracket);
  ++p_;
  skip_space();
  const char close = bracket == '[' ? ']' : '}';
  if (p_ < end_ && *p_ == close) {
    ++p_;
    stack_.pop_back();
    next = State::after_value;
  } else {
    next = bracket == '[' ? State::value : State::key;
  }
  return true;
}

bool Scanner::key() {
  if (p_ == end_) return fail(p_, "the text ends where an object key was expected");
  if (*p_ != '"') return fail(p_, "expected a string as the object key");
  if (!string()) return false;
  skip_space();
  if (p_ == end_) return fail(p_, "the text ends where ':' was expected");
  if (*p_ != ':') return fail(p_, "expected ':' after the object key");
  ++p_;
  return true;
}

bool Scanner::after_value(State& next) {
  const bool array = stack_.back() == '[';
  if (p_ == end_) {
    return fail(p_, array ? "the text ends inside an array; expected ',' or ']'"
                          : "the text ends inside an object; expected ',' or '}'");
  }
  if (*p_ == ',') {
    ++p_;
    next = array ? State::value : State::key;
    return true;
  }
  if (*p_ == (array ? ']' : '}')) {
    ++p_;
    stack_.pop_back();
    return true;
  }
  return fail(p_, array ? "expected ',' or ']' after an array element"
                        : "expected ',' or '}' after an object member");
}

bool Scanner::value() {
  if (p_ == end_) return fail(p_, "the text ends where a value was expected");
  switch (*p_) {
    case '"':
      return string();
    case 't':
    case 'f':
    case 'n':
      return literal();
    default:
      if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return number();
      return fail(p_, "expected a value (object, array, string, number, true, false or null)");
  }
}

bool Scanner::string() {
  const char* const start = p_++;
  for (;;) {
    if (p_ == end_) return fail(start, "unterminated string");
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c < 0x20) return fail(p_, "unescaped control character in a string");
    if (c == '\\') {
      if (!escape()) return false;
    } else if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(p_, end_);
      if (n == 0) return fail(p_, "invalid UTF-8");
      p_ += n;
    } else {
      ++p_;
    }
  }
}

bool Scanner::escape() {
  if (end_ - p_ < 2) return fail(p_, "unterminated string");
  const char e = p_[1];
  if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
      e == 't') {
    p_ += 2;
    return true;
  }
  if (e != 'u') return fail(p_, "invalid escape sequence in a string");
  const long unit = read_u_escape(p_, end_);
  if (unit < 0) return fail(p_, "invalid \\u escape (four hex digits expected)");
  if (unit >= 0xDC00 && unit <= 0xDFFF) return fail(p_, "unpaired UTF-16 surrogate escape");
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    const long low = read_u_escape(p_ + 6, end_);
    if (low < 0xDC00 || low > 0xDFFF) return fail(p_, "unpaired UTF-16 surrogate escape");
    p_ += 6;
  }
  p_ += 6;
  return true;
}

bool Scanner::literal() {
  const char* const start = p_;
  const std::string_view word = *p_ == 't' ? "true" : *p_ == 'f' ? "false" : "null";
  if (static_cast<std::size_t>(end_ - p_) < word.size() ||
      std::string_view(p_, word.size()) != word || !ends_token(p_ + word.size(), end_)) {
    return fail(start, "invalid literal (true, false or null expected)");
  }
  p_ += word.size();
  return true;
}

bool Scanner::number() {
  const char* const start = p_;
  const bool negative = *p_ == '-';
  if (negative) ++p_;
  if (!is_digit(p_, end_)) return fail(start, "invalid number");
  if (*p_ == '0') {
    ++p_;
  } else {
    while (is_digit(p_, end_)) ++p_;
  }
  const char* const int_end = p_;
  bool fractional = false;
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (!is_digit(p_, end_)) return fail(start, "invalid number");
    while (is_digit(p_, end_)) ++p_;
    fractional = true;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (!is_digit(p_, end_)) return fail(start, "invalid number");
    while (is_digit(p_, end_)) ++p_;
    fractional = true;
  }
  if (!ends_token(p_, end_)) return fail(start, "invalid number");
  return number_in_range(start, negative, fractional, int_end);
}

// simdjson refuses integers outside int64/uint64 and doubles that overflow (not underflow).
bool Scanner::number_in_range(const char* start, bool negative, bool fractional,
                              const char* int_end) {
  if (!fractional) {
    std::errc ec;
    if (negative) {
      std::int64_t i;
      ec = std::from_chars(start, p_, i).ec;
    } else {
      std::uint64_t u;
      ec = std::from_chars(start, p_, u).ec;
    }
    if (ec != std::errc{}) return fail(start, "integer outside the 64-bit range");
    return true;
  }
  double d;
  if (std::from_chars(start, p_, d).ec != std::errc::result_out_of_range) return true;
  // Out of range: an overflow when the magnitude is at least 1, that is when the decimal
  // exponent of the first significant digit is not negative.
  const char* digits = start + (negative ? 1 : 0);
  while (digits < int_end && *digits == '0') ++digits;
  long long exponent = int_end - digits - 1;  // first significant digit in the integer part
  const char* q = int_end;
  if (digits == int_end && q < p_ && *q == '.') {
    for (++q; q < p_ && *q == '0'; ++q) --exponent;
  }
  const char* e = p_;
  while (e > start && *(e - 1) != 'e' && *(e - 1) != 'E') --e;
  long long written = 0;
  bool minus = false;
  if (e > start) {
    if (*e == '+' || *e == '-') minus = *e++ == '-';
    for (; e < p_ && written < 1'000'000'000; ++e) written = written * 10 + (*e - '0');
  }
  exponent += minus ? -written : written;
  if (exponent >= 0) return fail(start, "number too large for a double");
  return true;
}

// The first byte that is not well-formed UTF-8.
bool locate_utf8_error(std::string_view text, JsonErrorPosition& out) {
  const char* const end = text.data() + text.size();
  for (const char* p = text.data(); p < end;) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    const std::size_t n = utf8_sequence_length(p, end);
    if (n == 0) {
      out = {static_cast<std::size_t>(p - text.data()), "invalid UTF-8"};
      return true;
    }
    p += n;
  }
  return false;
}

// simdjson's first stage finds strings by quote parity (a backslash escapes the next byte
// everywhere) and refuses a control character inside one.
bool locate_control_character(std::string_view text, JsonErrorPosition& out) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool escaped = text[i] == '\\';
    if (escaped && ++i == text.size()) break;  // an escaped control character is refused too
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' && !escaped) {
      in_string = !in_string;
    } else if (in_string && c < 0x20) {
      out = {i, "unescaped control character in a string"};
      return true;
    }
  }
  return false;
}

}  // namespace

bool locate_json_error(std::string_view text, simdjson::error_code code, JsonErrorPosition& out) {
  switch (code) {
    case simdjson::UTF8_ERROR:
      return locate_utf8_error(text, out);
    case simdjson::UNESCAPED_CHARS:
      return locate_control_character(text, out);
    default:
      // Including UNCLOSED_STRING: an odd number of quotes, whose first cause (`{a":1}`) the
      // grammar finds better than the position of the last quote would show.
      return Scanner{text}.run(out);
  }
}

std::string describe_json_error(std::string_view text, std::size_t offset,
                                simdjson::error_code code) {
  std::string message = "malformed JSON";
  JsonErrorPosition position;
  if (code == simdjson::EMPTY) {
    message = "malformed JSON: the body holds no JSON value, only whitespace";
  } else if (locate_json_error(text, code, position)) {
    // Lines end at LF; columns count code points (all bytes before the error are valid
    // UTF-8), both from 1. The byte offset counts from the start of the body.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < position.byte; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    message = fmt::format("malformed JSON at line {}, column {} (byte offset {}): {}", line, column,
                          position.byte + offset, position.what);
  }
  return fmt::format("{} (simdjson: {})", message, simdjson::error_message(code));
}

}  // namespace swoop::detail
