// SPDX-License-Identifier: MIT
// Percent decoding and encoding (RFC 3986 section 2) and query-string parsing.
#include "swoop/url.hpp"

#include <array>

#include "http/grammar.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"

namespace swoop {
namespace {

using detail::hex_value;

// Decodes the escape starting at in[i] (which is '%'); returns -1 when it is malformed.
int decode_escape(std::string_view in, std::size_t i) noexcept {
  if (in.size() - i < 3) return -1;
  const int high = hex_value(in[i + 1]);
  const int low = hex_value(in[i + 2]);
  if (high < 0 || low < 0) return -1;
  return high * 16 + low;
}

// RFC 3986 section 2.3.
bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Form decoding as browsers and Python's unquote_plus do it: a malformed escape is kept as is.
void decode_form_component(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && decode_escape(in, i) >= 0) {
      out.push_back(static_cast<char>(decode_escape(in, i)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  const std::size_t original_size = out.size();
  out.reserve(original_size + in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int byte = decode_escape(in, i);
      if (byte < 0) {
        out.resize(original_size);
        return false;
      }
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string percent_encode(std::string_view in, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 0x0F]);
    }
  }
  return out;
}

QueryArgs::QueryArgs(std::string_view query) {
  // Decoding never lengthens text, so one reservation keeps data_ from reallocating.
  data_.reserve(query.size());
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;

    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    Entry entry{};
    entry.name_pos = data_.size();
    decode_form_component(name, data_);
    entry.name_len = data_.size() - entry.name_pos;
    entry.value_pos = data_.size();
    decode_form_component(value, data_);
    entry.value_len = data_.size() - entry.value_pos;
    entries_.push_back(entry);
  }
}

QueryArgs::value_type QueryArgs::operator[](std::size_t i) const noexcept {
  if (i >= entries_.size()) return {};
  const Entry& e = entries_[i];
  const std::string_view data = data_;
  return {data.substr(e.name_pos, e.name_len), data.substr(e.value_pos, e.value_len)};
}

std::optional<std::string_view> QueryArgs::get(std::string_view name) const noexcept {
  for (const auto& [key, value] : *this) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view QueryArgs::get(std::string_view name, std::string_view fallback) const noexcept {
  return get(name).value_or(fallback);
}

namespace detail {

bool parse_bool_text(std::string_view text, bool& out) noexcept {
  for (const bool value : {true, false}) {
    const auto words = value ? std::array<std::string_view, 4>{"true", "1", "yes", "on"}
                             : std::array<std::string_view, 4>{"false", "0", "no", "off"};
    for (const std::string_view word : words) {
      if (iequals(text, word)) {
        out = value;
        return true;
      }
    }
  }
  return false;
}

}  // namespace detail

void QueryArgs::throw_bad_value(std::string_view name, std::string_view expected) {
  throw HttpError{400,
                  "query parameter \"" + std::string{name} + "\" must be " + std::string{expected},
                  {},
                  true};
}

std::vector<std::string_view> QueryArgs::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : *this) {
    if (key == name) values.push_back(value);
  }
  return values;
}

bool QueryArgs::contains(std::string_view name) const noexcept { return get(name).has_value(); }

}  // namespace swoop
