// SPDX-License-Identifier: MIT
// Access-log lines: Common Log Format (as Apache and nginx write it) or one JSON object a line.
#include "server/access_log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iterator>

#include "swoop/log.hpp"

namespace swoop::detail {

namespace {

// Quotes and backslashes escaped, control and non-ASCII bytes as \xHH (nginx's escaping),
// so a line stays one line and a quoted field cannot be closed early.
void append_escaped(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\x{:02X}", c);
    } else {
      out += ch;
    }
  }
}

// JSON string content: RFC 8259 escapes; bytes >= 0x80 as \u00XX so that the line is valid
// UTF-8 JSON whatever the client sent (a target is bytes, not necessarily UTF-8).
void append_json_escaped(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
}

std::tm utc_now(int& millis) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  millis = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string format_access(AccessLog format, const AccessRecord& r) {
  int millis = 0;
  const std::tm tm = utc_now(millis);
  std::string out;
  out.reserve(128 + r.target.size());
  if (format == AccessLog::json) {
    out += "{\"time\":\"";
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   millis);
    out += "\",\"remote\":\"";
    append_json_escaped(out, r.remote);
    if (!r.method.empty()) {
      out += "\",\"method\":\"";
      append_json_escaped(out, r.method);
      out += "\",\"target\":\"";
      append_json_escaped(out, r.target);
      fmt::format_to(std::back_inserter(out), "\",\"version\":\"HTTP/{}.{}", r.version / 10,
                     r.version % 10);
    }
    fmt::format_to(std::back_inserter(out), "\",\"status\":{},\"bytes\":{},\"duration_ms\":{}",
                   r.status, r.bytes, r.duration_ms);
    if (!r.error.empty()) {
      out += ",\"error\":\"";
      append_json_escaped(out, r.error);
      out += '"';
    }
    out += '}';
    return out;
  }
  // Common Log Format: host ident authuser [date] "request line" status bytes.
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  append_escaped(out, r.remote);
  fmt::format_to(std::back_inserter(out), " - - [{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000] \"",
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
  if (r.method.empty()) {
    out += '-';
  } else {
    append_escaped(out, r.method);
    out += ' ';
    append_escaped(out, r.target);
    fmt::format_to(std::back_inserter(out), " HTTP/{}.{}", r.version / 10, r.version % 10);
  }
  fmt::format_to(std::back_inserter(out), "\" {} ", r.status);
  if (r.bytes == 0)
    out += '-';  // CLF writes "-" for no body
  else
    fmt::format_to(std::back_inserter(out), "{}", r.bytes);
  return out;
}

void write_access(AccessLog format, const AccessRecord& record) noexcept {
  try {
    log_access(format_access(format, record));
  } catch (...) {
    log_line(LogLevel::error, "access log line could not be formatted");
  }
}

}  // namespace swoop::detail
