// SPDX-License-Identifier: MIT
// Fuzzes the answer to a file request (src/http/file_response.hpp: detail::respond behind
// swoop::file and static_files): validators, If-Match, If-Unmodified-Since, If-None-Match,
// If-Modified-Since, Range and If-Range, on an in-memory file of up to 2 KB, against a model
// of RFC 9110 13.2.2 and 14.2 written here.
// Input: byte 0 = the method (GET, GET, HEAD, POST); bytes 1-2 = the file size (mod 2049);
// bytes 3-6 = the modification time (a signed 32-bit count of 2 s); byte 7 = its nanoseconds;
// byte 8 = which of Range, If-Range, If-None-Match, If-Modified-Since, If-Match and
// If-Unmodified-Since are sent (bits 0-5); then their values in that order, each up to '\n'.
// In a value "@E" stands for the file's ETag, "@D" for its Last-Modified, "@P" and "@N" for
// the dates one second before and after it, "@S" for its size and "@s" for its size - 1.
// Invariants: respond throws nothing; Last-Modified is the modification time as an
// IMF-fixdate; the status is the model's (304 only when a validator matches, a date only when
// it is a valid IMF-fixdate; 412 only when a precondition fails; 416 only when no range is
// satisfiable; 206 only for a GET whose If-Range matches); a 206 body holds exactly the
// requested bytes, each range within the file, ranges ascending and apart (merged), one range
// plain and several as multipart/byteranges; a 416 carries "Content-Range: bytes */<size>";
// 200 sends the whole file.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "http/file_response.hpp"
#include "server/request_parser.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"

namespace {

using swoop_fuzz::check;
using swoop_fuzz::iequals;
using swoop_fuzz::list_elements;
using swoop_fuzz::trim;

constexpr std::array<std::string_view, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::size_t max_ranges = 64;  // swoop ignores a Range with more (RFC 9110 14.2)

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms), so that dates
// are checked without the C library swoop uses.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string imf_fixdate(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const std::int64_t secs = t - days * 86400;
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d GMT",
                day_names[static_cast<std::size_t>(weekday)].data(), d,
                month_names[static_cast<std::size_t>(m - 1)].data(), static_cast<long long>(y),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view s) {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

// A valid IMF-fixdate (RFC 9110 5.6.7: the day name, a day the month has, hour 0-23, minute
// 0-59, second 0-60) as seconds since 1970; nothing for anything else.
std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  bool day_name = false;
  for (const std::string_view name : day_names) day_name |= s.substr(0, 3) == name;
  int month = 0;
  for (std::size_t i = 0; i < month_names.size(); ++i) {
    if (s.substr(8, 3) == month_names[i]) month = static_cast<int>(i) + 1;
  }
  const std::string_view day = s.substr(5, 2), year = s.substr(12, 4), hour = s.substr(17, 2),
                         minute = s.substr(20, 2), second = s.substr(23, 2);
  if (!day_name || month == 0 || !digits(day) || !digits(year) || !digits(hour) ||
      !digits(minute) || !digits(second)) {
    return std::nullopt;
  }
  const int y = number(year);
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days_in_month = month_days[month - 1] + (month == 2 && leap ? 1 : 0);
  if (number(day) < 1 || number(day) > days_in_month || number(hour) > 23 || number(minute) > 59 ||
      number(second) > 60) {
    return std::nullopt;
  }
  return days_from_civil(y, month, number(day)) * 86400 + number(hour) * 3600 +
         number(minute) * 60 + number(second);
}

// If-Match (strong comparison) and If-None-Match (weak): RFC 9110 8.8.3.2, 13.1.1, 13.1.2.
bool etag_listed(std::string_view list, std::string_view etag, bool weak) {
  for (std::string_view tag : list_elements(list)) {
    if (tag == "*") return true;
    if (tag.starts_with("W/")) {
      if (!weak) continue;
      tag.remove_prefix(2);
    }
    if (tag == etag) return true;
  }
  return false;
}

std::uint64_t to_u64(std::string_view s) {  // saturating, like any length beyond the file
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v;
}

// RFC 9110 14.1.2 and 14.2: nothing when the Range is to be ignored (malformed, another unit,
// too many ranges); otherwise which bytes of a file of size bytes it asks for (all false:
// none is satisfiable).
std::optional<std::vector<bool>> requested(std::string_view range, std::uint64_t size) {
  const std::size_t eq = range.find('=');
  if (eq == std::string_view::npos || !iequals(trim(range.substr(0, eq)), "bytes")) return {};
  const std::vector<std::string_view> specs = list_elements(range.substr(eq + 1));
  if (specs.empty() || specs.size() > max_ranges) return {};
  std::vector<bool> wanted(size, false);
  for (const std::string_view spec : specs) {
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
    std::uint64_t first = 0, end = 0;  // [first, end) within the file
    if (a.empty()) {
      if (!digits(b)) return {};
      const std::uint64_t suffix = to_u64(b);
      first = suffix >= size ? 0 : size - suffix;
      end = suffix == 0 ? 0 : size;
    } else {
      if (!digits(a) || (!b.empty() && !digits(b))) return {};
      first = to_u64(a);
      const std::uint64_t last = b.empty() ? UINT64_MAX : to_u64(b);
      if (last < first) return {};
      end = last >= size ? size : last + 1;
    }
    for (std::uint64_t i = first; i < end; ++i) wanted[i] = true;
  }
  return wanted;
}

// "bytes a-b/size": the range, within the file.
std::pair<std::uint64_t, std::uint64_t> content_range(std::string_view field, std::uint64_t size) {
  const std::string tail = "/" + std::to_string(size);
  check(field.starts_with("bytes ") && field.ends_with(tail), "a malformed Content-Range");
  field = field.substr(6, field.size() - 6 - tail.size());
  const std::size_t dash = field.find('-');
  check(dash != std::string_view::npos && digits(field.substr(0, dash)) &&
            digits(field.substr(dash + 1)),
        "a malformed Content-Range");
  const std::uint64_t first = to_u64(field.substr(0, dash)), last = to_u64(field.substr(dash + 1));
  check(first <= last && last < size, "a Content-Range outside the file");
  return {first, last};
}

struct Part {
  std::uint64_t first, last;
  std::string_view data;
};

// The parts of a multipart/byteranges body (RFC 9110 14.6), by the lengths their
// Content-Range fields give.
std::vector<Part> byteranges(std::string_view body, std::string_view boundary, std::uint64_t size) {
  std::vector<Part> parts;
  const std::string delimiter = "\r\n--" + std::string{boundary};
  while (true) {
    check(body.starts_with(delimiter), "a byteranges part without its delimiter");
    body.remove_prefix(delimiter.size());
    if (body == "--\r\n") return parts;
    const std::size_t head_end = body.find("\r\n\r\n");
    check(body.starts_with("\r\n") && head_end != std::string_view::npos,
          "a byteranges part without a head");
    std::string_view head = body.substr(2, head_end - 2);
    body.remove_prefix(head_end + 4);
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    while (!head.empty()) {
      const std::size_t eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      if (line.starts_with("Content-Range: ")) range = content_range(line.substr(15), size);
      head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    }
    check(range.has_value(), "a byteranges part without Content-Range");
    const std::uint64_t length = range->second - range->first + 1;
    check(length <= body.size(), "a byteranges part shorter than its range");
    parts.push_back({range->first, range->second, body.substr(0, length)});
    body.remove_prefix(length);
  }
}

struct ParsedRequest {
  std::string bytes;  // the request the parser reads; the Request views into it
  swoop::Request req;
};

// Parses method and headers into a Request; false when the parser refuses it.
bool build(ParsedRequest& r, std::string_view method,
           const std::vector<std::pair<std::string_view, std::string>>& headers) {
  r.bytes = std::string{method} + " /f HTTP/1.1\r\nHost: a\r\n";
  for (const auto& [name, value] : headers) {
    r.bytes += name;
    r.bytes += ": ";
    r.bytes += value;
    r.bytes += "\r\n";
  }
  r.bytes += "\r\n";
  static const swoop::RunOptions options;
  swoop::detail::RequestParser parser{options};
  parser.begin(r.req);
  return parser.feed(r.bytes.data(), r.bytes.size()) ==
         swoop::detail::RequestParser::State::complete;
}

swoop::Response answer(const ParsedRequest& r, const std::string& content, std::int64_t mtime,
                       std::int64_t mtime_ns) {
  swoop::detail::Opened f;
  f.found = true;
  f.size = content.size();
  f.mtime = mtime;
  f.mtime_ns = mtime_ns;
  f.content = content;
  f.name = "f.txt";
  try {
    return swoop::detail::respond(r.req, std::move(f), swoop::FileOptions{});
  } catch (...) {
    check(false, "respond threw");
    throw;
  }
}

std::string header(const swoop::Response& res, std::string_view name) {
  return std::string{res.headers().get(name).value_or("")};
}

std::string substitute(std::string_view value, const std::vector<std::string>& by) {
  static constexpr std::string_view keys = "EDPNSs";
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::size_t key = i + 1 < value.size() ? keys.find(value[i + 1]) : std::string::npos;
    if (value[i] == '@' && key != std::string_view::npos) {
      out += by[key];
      ++i;
    } else if (value[i] != '\r' && value[i] != '\0') {
      out += value[i];
    }
  }
  return out;
}

// The status RFC 9110 13.2.2 gives before ranges are looked at; 0 when the request goes on.
int precondition_status(const swoop::Request& req, std::string_view etag, std::int64_t mtime) {
  const bool get_or_head = req.method() == "GET" || req.method() == "HEAD";
  if (const auto im = req.header("If-Match")) {
    if (!etag_listed(*im, etag, false)) return 412;
  } else if (const auto ius = req.header("If-Unmodified-Since")) {
    const auto date = parse_date(*ius);
    if (date && mtime > *date) return 412;
  }
  if (const auto inm = req.header("If-None-Match")) {
    if (etag_listed(*inm, etag, true)) return get_or_head ? 304 : 412;
  } else if (const auto ims = req.header("If-Modified-Since"); ims && get_or_head) {
    const auto date = parse_date(*ims);
    if (date && mtime <= *date) return 304;
  }
  return 0;
}

// Checks a 206 body against the bytes asked for.
void check_partial(const swoop::Response& res, const std::string& content,
                   const std::vector<bool>& wanted) {
  const std::string type = header(res, "Content-Type");
  std::vector<Part> parts;
  if (type.starts_with("multipart/byteranges; boundary=")) {
    check(!res.headers().contains("Content-Range"), "Content-Range on a multipart 206");
    parts = byteranges(res.body(), std::string_view{type}.substr(31), content.size());
    check(parts.size() >= 2, "a multipart/byteranges 206 with fewer than two parts");
  } else {
    const auto [first, last] = content_range(header(res, "Content-Range"), content.size());
    parts.push_back({first, last, res.body()});
    check(res.body().size() == last - first + 1, "a 206 body longer or shorter than its range");
  }
  std::vector<bool> sent(content.size(), false);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    check(i == 0 || p.first > parts[i - 1].last + 1, "206 ranges not ascending and apart");
    check(p.data == std::string_view{content}.substr(p.first, p.last - p.first + 1),
          "a 206 range does not hold the file's bytes");
    for (std::uint64_t b = p.first; b <= p.last; ++b) sent[b] = true;
  }
  check(sent == wanted, "a 206 sends other bytes than the Range asks for");
}

// A file of the input's size and modification time, with the validators a plain GET gets.
struct File {
  std::string content;
  std::int64_t mtime = 0, mtime_ns = 0;
  std::string etag, modified;
};

File make_file(swoop_fuzz::Input& in) {
  File f;
  const std::size_t low = in.byte(), high = in.byte();
  f.content.resize((low | high << 8) % 2049);
  for (std::size_t i = 0; i < f.content.size(); ++i) {
    f.content[i] = static_cast<char>('!' + i * 7 % 94);
  }
  std::uint32_t t = 0;
  for (int i = 0; i < 4; ++i) t = t << 8 | in.byte();
  f.mtime = std::int64_t{static_cast<std::int32_t>(t)} * 2;
  f.mtime_ns = std::int64_t{in.byte()} * 3'906'250;
  ParsedRequest plain;
  check(build(plain, "GET", {}), "the parser refused a plain GET");
  const swoop::Response full = answer(plain, f.content, f.mtime, f.mtime_ns);
  check(full.status() == 200 && full.body() == f.content, "a plain GET did not get the file");
  f.etag = header(full, "ETag");
  f.modified = header(full, "Last-Modified");
  check(f.modified == imf_fixdate(f.mtime), "Last-Modified is not the modification time");
  check(f.etag.size() >= 2 && f.etag.front() == '"' && f.etag.back() == '"' &&
            f.etag.find_first_of("\",", 1) == f.etag.size() - 1,
        "the ETag is not a strong entity tag");
  return f;
}

// The header fields the input sends, with "@E", "@D", ... replaced.
std::vector<std::pair<std::string_view, std::string>> conditions(swoop_fuzz::Input& in,
                                                                 const File& f) {
  static constexpr std::string_view names[] = {
      "Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"};
  const std::int64_t size = static_cast<std::int64_t>(f.content.size());
  const std::vector<std::string> by = {f.etag,
                                       f.modified,
                                       imf_fixdate(f.mtime - 1),
                                       imf_fixdate(f.mtime + 1),
                                       std::to_string(size),
                                       std::to_string(size - 1)};
  const std::uint8_t sent = in.byte();
  std::vector<std::pair<std::string_view, std::string>> headers;
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (sent & (1u << i)) headers.emplace_back(names[i], substitute(in.until('\n'), by));
  }
  return headers;
}

// Checks res, the answer to req for f, against the model.
void check_answer(const swoop::Response& res, const swoop::Request& req, const File& f) {
  int expected = precondition_status(req, f.etag, f.mtime);
  std::optional<std::vector<bool>> wanted;
  const auto range = req.header("Range");
  const auto if_range = req.header("If-Range");
  if (expected == 0 && range && req.method() == "GET" &&
      (!if_range || *if_range == f.etag || *if_range == f.modified)) {
    wanted = requested(*range, f.content.size());
  }
  if (expected == 0) {
    const bool none = wanted && std::find(wanted->begin(), wanted->end(), true) == wanted->end();
    expected = !wanted ? 200 : none ? 416 : 206;
  }
  if (res.status() != expected) {
    std::fprintf(stderr, "status %d, the model says %d\n", res.status(), expected);
    check(false, "the status is not the model's");
  }
  switch (res.status()) {
    case 200:
      check(res.body() == f.content, "a 200 without the whole file");
      check(header(res, "Accept-Ranges") == "bytes", "a 200 without Accept-Ranges");
      break;
    case 206:
      check_partial(res, f.content, *wanted);
      break;
    case 304:
      check(header(res, "ETag") == f.etag && header(res, "Last-Modified") == f.modified,
            "a 304 without the validators");
      [[fallthrough]];
    case 412:
      check(res.body().empty(), "a 304 or 412 with a body");
      break;
    case 416:
      check(header(res, "Content-Range") == "bytes */" + std::to_string(f.content.size()),
            "a 416 without Content-Range bytes */size");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  static constexpr std::string_view methods[] = {"GET", "GET", "HEAD", "POST"};
  const std::string_view method = methods[in.byte() % 4];
  const File f = make_file(in);
  ParsedRequest r;
  if (!build(r, method, conditions(in, f))) return 0;  // never reaches a handler
  check_answer(answer(r, f.content, f.mtime, f.mtime_ns), r.req, f);
  return 0;
}
