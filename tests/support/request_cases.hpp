// SPDX-License-Identifier: MIT
// Reads tests/data/llhttp_request_cases.txt: upstream llhttp's request cases in swoop's own
// format (the file's header describes it).
#pragma once

#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace swoop::test {

/// One case of the file.
struct RequestCase {
  std::size_t index = 0;       ///< position in the file, from 0
  std::string key;             ///< "file / name"; a repeated key gets " (2)", " (3)", ...
  std::string mode;            ///< "strict", "finish" or a lenient flag ("lenient-headers", ...)
  std::string pause;           ///< where upstream's test pauses the parser; empty: it does not
  bool skip_body = false;      ///< upstream's test skips the body
  bool expect_error = false;   ///< upstream llhttp rejects these bytes
  std::size_t n_messages = 0;  ///< messages upstream completes (before its error, if any)
  std::string upstream_error;  ///< upstream's error code and reason, for failure messages
  std::string raw;             ///< the bytes to send

  /// A case of llhttp's default mode that only feeds bytes (no pause, no skipped body).
  bool is_strict() const { return mode == "strict" && pause.empty() && !skip_body; }
};

/// The bytes of a `raw:` value: \r \n \t \\ and \xNN escapes. False on a malformed escape.
inline bool unescape_raw(std::string_view text, std::string& out) {
  const auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        if (i + 2 >= text.size()) return false;
        const int high = hex(text[i + 1]), low = hex(text[i + 2]);
        if (high < 0 || low < 0) return false;
        out += static_cast<char>(high * 16 + low);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/// Parses an `upstream:` value ("accept N" or "error after N: CODE REASON") into c.
inline bool parse_upstream(std::string_view value, RequestCase& c) {
  const auto number = [](std::string_view digits, std::size_t& n) {
    if (digits.empty()) return false;
    n = 0;
    for (char d : digits) {
      if (d < '0' || d > '9') return false;
      n = n * 10 + static_cast<std::size_t>(d - '0');
    }
    return true;
  };
  if (value.starts_with("accept ")) {
    c.expect_error = false;
    return number(value.substr(7), c.n_messages);
  }
  constexpr std::string_view error = "error after ";
  const std::size_t colon = value.find(": ");
  if (!value.starts_with(error) || colon == std::string_view::npos) return false;
  c.expect_error = true;
  c.upstream_error = std::string{value.substr(colon + 2)};
  return number(value.substr(error.size(), colon - error.size()), c.n_messages);
}

/// Reads every case of the file at path. On failure returns nothing and says why in error.
inline std::vector<RequestCase> load_request_cases(const std::string& path, std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = path + ": cannot open";
    return {};
  }
  std::vector<RequestCase> cases;
  std::map<std::string, int> seen;
  RequestCase current;
  bool open = false, has_raw = false, has_upstream = false;
  std::size_t line_number = 0;
  const auto fail = [&](std::string_view why) {
    error = path + ":" + std::to_string(line_number) + ": " + std::string{why};
    return std::vector<RequestCase>{};
  };
  const auto close_case = [&] {
    if (const int n = ++seen[current.key]; n > 1) current.key += " (" + std::to_string(n) + ")";
    current.index = cases.size();
    cases.push_back(std::move(current));
    current = RequestCase{};
    open = has_raw = has_upstream = false;
  };
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.starts_with("#")) continue;
    if (line.empty()) {
      if (open && !(has_raw && has_upstream)) return fail("case without raw: or upstream:");
      if (open) close_case();
      continue;
    }
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) return fail("expected `field: value`");
    const std::string_view field = std::string_view{line}.substr(0, colon);
    const std::string_view value = std::string_view{line}.substr(colon + 2);
    if (field == "case") {
      if (open) return fail("case: inside a case");
      current.key = std::string{value};
      open = true;
      continue;
    }
    if (!open) return fail("field before case:");
    if (field == "mode") {
      current.mode = std::string{value};
    } else if (field == "pause") {
      current.pause = std::string{value};
    } else if (field == "skip-body") {
      current.skip_body = value == "yes";
    } else if (field == "upstream") {
      if (!parse_upstream(value, current)) return fail("malformed upstream:");
      has_upstream = true;
    } else if (field == "raw") {
      if (!unescape_raw(value, current.raw)) return fail("malformed escape in raw:");
      has_raw = true;
    } else if (field != "note") {
      return fail("unknown field");
    }
  }
  if (open && !(has_raw && has_upstream)) return fail("case without raw: or upstream:");
  if (open) close_case();
  return cases;
}

}  // namespace swoop::test
