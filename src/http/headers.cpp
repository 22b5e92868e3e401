// SPDX-License-Identifier: MIT
// Header containers: case-insensitive look-up and validation against header injection.
#include "swoop/headers.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "http/grammar.hpp"

namespace swoop {

namespace {
void check_field(std::string_view name, std::string_view value) {
  if (!is_token(name)) {
    throw std::invalid_argument("invalid header name: must be a non-empty token");
  }
  if (has_header_breaking_char(value)) {
    throw std::invalid_argument("invalid header value: CR, LF and NUL are not allowed");
  }
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (detail::ascii_lower(a[i]) != detail::ascii_lower(b[i])) return false;
  }
  return true;
}

bool has_header_breaking_char(std::string_view value) noexcept {
  // Eight bytes at a time: a word has a zero byte iff (v - 0x01..) & ~v & 0x80.. is not 0.
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  auto has_zero = [](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
  const char* p = value.data();
  std::size_t n = value.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if (has_zero(v) || has_zero(v ^ (ones * '\n')) || has_zero(v ^ (ones * '\r'))) return true;
  }
  for (; n > 0; ++p, --n) {
    if (*p == '\r' || *p == '\n' || *p == '\0') return true;
  }
  return false;
}

bool is_token(std::string_view name) noexcept {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return detail::is_token_char(static_cast<unsigned char>(c)); });
}

void Headers::set(std::string_view name, std::string_view value) {
  check_field(name, value);
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (iequals(it->name, name)) {
      it->value.assign(value);
      fields_.erase(std::remove_if(std::next(it), fields_.end(),
                                   [&](const Field& f) { return iequals(f.name, name); }),
                    fields_.end());
      return;
    }
  }
  fields_.push_back({std::string{name}, std::string{value}});
}

void Headers::add(std::string_view name, std::string_view value) {
  check_field(name, value);
  fields_.push_back({std::string{name}, std::string{value}});
}

std::size_t Headers::remove(std::string_view name) noexcept {
  const auto before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return iequals(f.name, name); }),
                fields_.end());
  return before - fields_.size();
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) return std::string_view{f.value};
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) out.emplace_back(f.value);
  }
  return out;
}

std::optional<std::string_view> RequestHeaders::get(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    auto [n, v] = (*this)[i];
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string_view> RequestHeaders::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    auto [n, v] = (*this)[i];
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

}  // namespace swoop
