// SPDX-License-Identifier: MIT
// Internal: text made safe to place in HTML (error pages, directory listings).
#pragma once

#include <string>
#include <string_view>

namespace swoop::detail {

/// Appends s with &, <, >, " and ' replaced by character references.
inline void append_html_escaped(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace swoop::detail
