// SPDX-License-Identifier: MIT
// Files as responses: opening safely, conditional requests, ranges, sendfile bodies.
#include "swoop/static_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/file_body.hpp"
#include "http/file_response.hpp"
#include "http/grammar.hpp"
#include "http/html.hpp"
#include "swoop/blocking.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/error.hpp"
#include "swoop/url.hpp"

namespace swoop {

namespace detail {

namespace {

// Files up to this size are read whole in the opening job and sent as plain bodies: one
// thread-pool round trip instead of several, and the server's plain-response fast path.
constexpr std::uint64_t small_file = 64 * 1024;
constexpr std::size_t max_ranges = 64;  // more are ignored (RFC 9110 14.2 allows it)

bool is_inside(const std::string& real, const std::string& root) {
  if (root == "/") return true;
  return real == root || (real.size() > root.size() && real.compare(0, root.size(), root) == 0 &&
                          real[root.size()] == '/');
}

// The path of what fd refers to, with every symlink resolved.
std::string real_path_of(int fd, const std::string& path) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
  if (::realpath(path.c_str(), buf) != nullptr) return buf;
  return {};
}

std::string base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string{slash == std::string_view::npos ? path : path.substr(slash + 1)};
}

// Opens path (blocking; run on the thread pool). With a root, refuses anything that resolves
// outside it.
void open_file(Opened& out, const std::string& path, const std::string& root_real) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return;
  out.fd.value = fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return;
  if (!root_real.empty() && !is_inside(real_path_of(fd, path), root_real)) return;
  out.is_dir = S_ISDIR(st.st_mode);
  if (!out.is_dir && !S_ISREG(st.st_mode)) return;  // devices, FIFOs, sockets
  out.found = true;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime = st.st_mtim.tv_sec;
  out.mtime_ns = st.st_mtim.tv_nsec;
  out.name = base_name(path);
  if (!out.is_dir && out.size <= small_file) {
    out.content.resize(static_cast<std::size_t>(out.size));
    std::size_t got = 0;
    while (got < out.content.size()) {
      const ssize_t n =
          ::pread(fd, out.content.data() + got, out.content.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    out.content.resize(got);
    out.size = got;
  }
}

std::string list_directory(const std::string& path, std::string_view shown) {
  std::vector<std::pair<std::string, bool>> entries;
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* e = ::readdir(dir)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st {};
      const bool is_dir = ::fstatat(::dirfd(dir), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
      entries.emplace_back(name, is_dir);
    }
    ::closedir(dir);
  }
  std::sort(entries.begin(), entries.end());
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ";
  append_html_escaped(html, shown);
  html += "</title></head><body><h1>Index of ";
  append_html_escaped(html, shown);
  html += "</h1><ul>\n";
  for (const auto& [name, is_dir] : entries) {
    const std::string href = percent_encode(name) + (is_dir ? "/" : "");
    html += "<li><a href=\"";
    append_html_escaped(html, href);
    html += "\">";
    append_html_escaped(html, name + (is_dir ? "/" : ""));
    html += "</a></li>\n";
  }
  html += "</ul></body></html>\n";
  return html;
}

// ---- dates and validators ----------------------------------------------------------------

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// RFC 9110 5.6.7 IMF-fixdate, in English whatever the locale.
std::string http_date(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", day_names[tm.tm_wday],
                tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

int two_digits(std::string_view s, std::size_t at) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
    return -1;
  }
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). The obsolete formats of RFC 9110
// 5.6.7 are not accepted: a condition with a date we cannot read (also an unknown day name or
// a day the month does not have) is ignored, as the RFC says.
std::optional<std::int64_t> parse_http_date(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT" ||
      std::find(std::begin(day_names), std::end(day_names), s.substr(0, 3)) ==
          std::end(day_names)) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_mday = two_digits(s, 5);
  tm.tm_mon = -1;
  for (int m = 0; m < 12; ++m) {
    if (s.substr(8, 3) == month_names[m]) tm.tm_mon = m;
  }
  const int century = two_digits(s, 12), year = two_digits(s, 14);
  tm.tm_hour = two_digits(s, 17);
  tm.tm_min = two_digits(s, 20);
  tm.tm_sec = two_digits(s, 23);
  if (tm.tm_mday < 1 || tm.tm_mon < 0 || century < 0 || year < 0 || tm.tm_hour < 0 ||
      tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  const int full_year = century * 100 + year;
  const bool leap = full_year % 4 == 0 && (full_year % 100 != 0 || full_year % 400 == 0);
  constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (tm.tm_mday > month_days[tm.tm_mon] + (tm.tm_mon == 1 && leap ? 1 : 0)) return std::nullopt;
  tm.tm_year = full_year - 1900;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Whether a list of entity tags (If-None-Match, If-Match) names etag; weak comparison drops
// the W/ prefix on both sides (RFC 9110 8.8.3.2).
bool etag_listed(std::string_view list, std::string_view etag, bool weak) {
  for (std::string_view tag : detail::ListItems{list}) {
    if (tag == "*") return true;
    if (tag.starts_with("W/")) {
      if (!weak) continue;
      tag.remove_prefix(2);
    }
    if (tag == etag) return true;
  }
  return false;
}

// ---- ranges ------------------------------------------------------------------------------

struct ByteRange {
  std::uint64_t first, last;  // inclusive
};

bool parse_number(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;  // saturate: beyond any file
  }
  out = v;
  return true;
}

// RFC 9110 14.1.2: nullopt when the field is to be ignored (malformed, another unit, too
// many ranges); an empty list when no range is satisfiable; otherwise sorted, merged ranges.
std::optional<std::vector<ByteRange>> parse_ranges(std::string_view spec, std::uint64_t len) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos || !iequals(detail::trim_ows(spec.substr(0, eq)), "bytes")) {
    return std::nullopt;
  }
  std::vector<ByteRange> out;
  std::size_t count = 0;
  for (const std::string_view item : detail::ListItems{spec.substr(eq + 1)}) {
    if (++count > max_ranges) return std::nullopt;
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view a = item.substr(0, dash);
    const std::string_view b = item.substr(dash + 1);
    std::uint64_t first = 0, last = 0;
    if (a.empty()) {  // suffix: the last b bytes
      if (!parse_number(b, last)) return std::nullopt;
      if (last == 0 || len == 0) continue;
      out.push_back({len - std::min(last, len), len - 1});
      continue;
    }
    if (!parse_number(a, first)) return std::nullopt;
    if (b.empty()) {
      last = UINT64_MAX;
    } else if (!parse_number(b, last) || last < first) {
      return std::nullopt;
    }
    if (first >= len) continue;  // unsatisfiable
    out.push_back({first, std::min(last, len - 1)});
  }
  if (count == 0) return std::nullopt;
  std::sort(out.begin(), out.end(),
            [](const ByteRange& x, const ByteRange& y) { return x.first < y.first; });
  std::vector<ByteRange> merged;
  for (const ByteRange& r : out) {
    if (!merged.empty() && r.first <= merged.back().last + 1)
      merged.back().last = std::max(merged.back().last, r.last);
    else
      merged.push_back(r);
  }
  return merged;
}

std::string make_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "swoop-%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string range_field(const ByteRange& r, std::uint64_t len) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
         std::to_string(len);
}

std::string fmt_etag(std::uint64_t size, std::int64_t mtime, std::int64_t mtime_ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime) * 1000000000ULL +
                    static_cast<unsigned long long>(mtime_ns));
  return buf;
}

// ---- the response ------------------------------------------------------------------------

bool is_get_or_head(const Request& req) { return req.method() == "GET" || req.method() == "HEAD"; }

}  // namespace

Response respond(const Request& req, Opened&& f, const FileOptions& o) {
  const std::string etag = fmt_etag(f.size, f.mtime, f.mtime_ns);
  const std::string modified = http_date(f.mtime);
  const std::string type{o.content_type.empty() ? content_type_of(f.name) : o.content_type};
  auto validators = [&](Response& r) {
    r.set_header("ETag", etag);
    r.set_header("Last-Modified", modified);
    if (o.max_age)
      r.set_header("Cache-Control", "public, max-age=" + std::to_string(o.max_age->count()));
  };
  // RFC 9110 13.2.2: preconditions in this order.
  if (const auto im = req.header("If-Match")) {
    if (!etag_listed(*im, etag, false)) return Response{412};
  } else if (const auto ius = req.header("If-Unmodified-Since")) {
    const auto date = parse_http_date(*ius);
    if (date && f.mtime > *date) return Response{412};
  }
  if (const auto inm = req.header("If-None-Match")) {
    if (etag_listed(*inm, etag, true)) {
      Response r{is_get_or_head(req) ? 304 : 412};
      validators(r);
      return r;
    }
  } else if (const auto ims = req.header("If-Modified-Since"); ims && is_get_or_head(req)) {
    const auto date = parse_http_date(*ims);
    if (date && f.mtime <= *date) {
      Response r{304};
      validators(r);
      return r;
    }
  }
  std::optional<std::vector<ByteRange>> ranges;
  const auto range = req.header("Range");
  if (range && req.method() == "GET") {
    bool applies = true;
    if (const auto if_range = req.header("If-Range")) {
      // RFC 9110 13.1.5: a strong entity tag match, or exactly the Last-Modified date.
      const std::string_view v = detail::trim_ows(*if_range);
      applies = v.starts_with("\"") ? v == etag : v == modified;
    }
    if (applies) ranges = parse_ranges(*range, f.size);
  }
  Response res{200};
  validators(res);
  res.set_header("Accept-Ranges", "bytes");
  if (!o.download_name.empty()) {
    res.set_header("Content-Disposition",
                   "attachment; filename*=UTF-8''" + percent_encode(o.download_name));
  }
  std::vector<FileSegment> segments;
  if (ranges && ranges->empty()) {
    Response r{416};
    r.set_header("Content-Range", "bytes */" + std::to_string(f.size));
    return r;
  }
  if (ranges && ranges->size() == 1) {
    const ByteRange& r = ranges->front();
    res.set_status(206);
    res.set_header("Content-Range", range_field(r, f.size));
    res.set_header("Content-Type", type);
    segments.push_back({{}, r.first, r.last - r.first + 1});
  } else if (ranges) {
    const std::string boundary = make_boundary();
    res.set_status(206);
    res.set_header("Content-Type", "multipart/byteranges; boundary=" + boundary);
    for (const ByteRange& r : *ranges) {
      segments.push_back({"\r\n--" + boundary + "\r\nContent-Type: " + type +
                              "\r\nContent-Range: " + range_field(r, f.size) + "\r\n\r\n",
                          r.first, r.last - r.first + 1});
    }
    segments.push_back({"\r\n--" + boundary + "--\r\n", 0, 0});
  } else {
    res.set_header("Content-Type", type);
    segments.push_back({{}, 0, f.size});
  }
  if (f.fd.value >= 0 && f.size > small_file) {
    Access::set_body_source(res,
                            make_file_body(std::exchange(f.fd.value, -1), std::move(segments)));
    return res;
  }
  std::string body;
  for (const FileSegment& s : segments) {
    body += s.prefix;
    body.append(f.content, static_cast<std::size_t>(s.offset), static_cast<std::size_t>(s.length));
  }
  res.set_body(std::move(body));
  return res;
}

namespace {

// Whether a decoded relative path stays below its root: no "..", no backslash, no NUL.
bool is_safe_relative(std::string_view rel) {
  if (rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos) {
    return false;
  }
  while (!rel.empty()) {
    const std::size_t slash = rel.find('/');
    const std::string_view seg = rel.substr(0, slash);
    if (seg == "..") return false;
    rel = slash == std::string_view::npos ? std::string_view{} : rel.substr(slash + 1);
  }
  return true;
}

}  // namespace

Task<Response> serve_static(const Request& req, std::string root, std::string relative,
                            StaticOptions options) {
  if (!is_safe_relative(relative)) throw HttpError{404, "not found"};
  const bool want_listing = options.directory_listing;
  std::string shown{req.path()};
  Opened f = co_await run_blocking([&root, &relative, &options, want_listing, &shown] {
    Opened out;
    char buf[PATH_MAX];
    if (::realpath(root.c_str(), buf) == nullptr) return out;
    const std::string root_real = buf;
    std::string path = root_real + "/" + relative;
    open_file(out, path, root_real);
    if (!out.found || !out.is_dir) return out;
    if (!shown.ends_with('/')) return out;  // the caller redirects to the slash form
    if (!options.index.empty()) {
      Opened index;
      open_file(index, path + (path.ends_with('/') ? "" : "/") + options.index, root_real);
      if (index.found && !index.is_dir) return index;
    }
    if (want_listing) out.listing = list_directory(path, shown);
    return out;
  });
  if (!f.found) throw HttpError{404, "not found"};
  if (f.is_dir) {
    if (!shown.ends_with('/')) {
      // A directory is served at its slash form, so that relative links in it resolve.
      const std::string_view target = req.target();
      const std::size_t q = target.find('?');
      std::string location{target.substr(0, q)};
      location += '/';
      if (q != std::string_view::npos) location += target.substr(q);
      co_return redirect(location, 301);
    }
    if (!options.directory_listing) throw HttpError{404, "not found"};
    co_return html(std::move(f.listing));
  }
  FileOptions fo;
  fo.max_age = options.max_age;
  co_return respond(req, std::move(f), fo);
}

}  // namespace detail

Task<Response> file(const Request& req, std::string path, FileOptions options) {
  if (path.find('\0') != std::string::npos) throw HttpError{404, "not found"};
  detail::Opened f = co_await run_blocking([&path] {
    detail::Opened out;
    detail::open_file(out, path, {});
    return out;
  });
  if (!f.found || f.is_dir) throw HttpError{404, "not found"};
  co_return detail::respond(req, std::move(f), options);
}

}  // namespace swoop
