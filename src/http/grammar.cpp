// SPDX-License-Identifier: MIT
// The small grammar HTTP fields share: lists, parameters and q-values.
#include "http/grammar.hpp"

#include <algorithm>

#include "swoop/headers.hpp"

namespace swoop::detail {

namespace {

constexpr std::size_t npos = std::string_view::npos;

// RFC 9110 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
std::optional<int> parse_qvalue(std::string_view v) noexcept {
  if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  if (v.size() > 1 && v[1] != '.') return std::nullopt;
  int q = (v[0] - '0') * 1000;
  int scale = 100;
  for (const char c : v.substr(std::min<std::size_t>(2, v.size()))) {
    if (c < '0' || c > '9') return std::nullopt;
    q += (c - '0') * scale;
    scale /= 10;
  }
  if (q > 1000) return std::nullopt;
  return q;
}

// Whether a '"' after `before` (the element so far) starts a quoted-string: where the grammar
// has one, a whole element (an entity tag), after "W/" (a weak one) or a parameter's value.
// Elsewhere (inside a token, where no quote belongs) it is an ordinary byte, so a stray quote
// cannot hide the commas after it.
bool opens_quoted_string(std::string_view before) noexcept {
  before = trim_ows(before);
  return before.empty() || before == "W/" || before.back() == '=';
}

}  // namespace

std::string_view trim_ows(std::string_view s) noexcept {
  const std::size_t first = s.find_first_not_of(" \t");
  if (first == npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool next_list_item(std::string_view& list, std::string_view& item) noexcept {
  while (!list.empty()) {
    std::size_t end = 0;
    bool quoted = false;
    for (; end < list.size(); ++end) {
      const char c = list[end];
      if (quoted) {
        if (c == '\\' && end + 1 < list.size()) {
          ++end;  // a quoted-pair: the escaped byte is never a delimiter
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == ',') {
        break;
      } else if (c == '"') {
        quoted = opens_quoted_string(list.substr(0, end));
      }
    }
    item = trim_ows(list.substr(0, end));
    list.remove_prefix(std::min(end + 1, list.size()));
    if (!item.empty()) return true;
  }
  return false;
}

bool has_list_token(std::string_view list, std::string_view token) noexcept {
  return any_token_item(list, [token](std::string_view item) { return iequals(item, token); });
}

std::string_view split_parameters(std::string_view value, std::string_view& params) noexcept {
  const std::size_t semi = value.find(';');
  params = semi == npos ? std::string_view{} : value.substr(semi + 1);
  return trim_ows(value.substr(0, semi));
}

ParamResult next_parameter(std::string_view& params, HeaderParam& out) noexcept {
  for (;;) {
    const std::size_t first = params.find_first_not_of(" \t;");
    if (first == npos) {
      params = {};
      return ParamResult::end;
    }
    params.remove_prefix(first);
    const std::size_t stop = params.find_first_of("=;");
    if (stop == npos || params[stop] == ';') {
      params.remove_prefix(stop == npos ? params.size() : stop);
      continue;  // a parameter without a value: ignored
    }
    out.name = trim_ows(params.substr(0, stop));
    params.remove_prefix(stop + 1);
    params.remove_prefix(std::min(params.find_first_not_of(" \t"), params.size()));
    out.quoted = !params.empty() && params.front() == '"';
    if (out.quoted) {
      std::size_t close = 1;
      while (close < params.size() && params[close] != '"') close += params[close] == '\\' ? 2 : 1;
      if (close >= params.size()) return ParamResult::malformed;
      out.value = params.substr(1, close - 1);
      params.remove_prefix(close + 1);
    }
    // For a token, the value runs to the next ';'; after a quoted string, the rest up to it
    // is ignored.
    const std::size_t next = params.find(';');
    if (!out.quoted) out.value = trim_ows(params.substr(0, next));
    params.remove_prefix(next == npos ? params.size() : next);
    if (!out.name.empty()) return ParamResult::found;
  }
}

std::optional<int> weight(std::string_view params) noexcept {
  HeaderParam param;
  ParamResult result;
  while ((result = next_parameter(params, param)) == ParamResult::found) {
    if (param.name.size() == 1 && ascii_lower(param.name[0]) == 'q') {
      return param.quoted ? std::nullopt : parse_qvalue(param.value);
    }
  }
  if (result == ParamResult::malformed) return std::nullopt;
  return 1000;
}

}  // namespace swoop::detail
