// SPDX-License-Identifier: MIT
// multipart/form-data parsing (RFC 7578 on top of RFC 2046 section 5.1): parts, headers, files.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/form_parsing.hpp"
#include "swoop/headers.hpp"
#include "swoop/url.hpp"

namespace swoop::detail {

namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::string_view crlf = "\r\n";

// A delimiter line found in the body.
struct Delimiter {
  std::size_t start = npos;  // its first byte (the CRLF before "--", or 0 at the body's start)
  std::size_t next = 0;      // the first byte after the line: the next part's headers
  bool is_close = false;     // "--boundary--": no part follows, the rest is epilogue
};

// Whether a delimiter line ends well at `pos`, just after "--boundary" (RFC 2046 5.1.1):
// either "--" (the close delimiter) or transport padding (spaces, tabs) and CRLF.
bool finish_delimiter(std::string_view body, std::size_t pos, Delimiter& d) noexcept {
  if (body.substr(pos, 2) == "--") {
    d.is_close = true;
    d.next = body.size();
    return true;
  }
  while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
  if (body.substr(pos, 2) != crlf) return false;
  d.is_close = false;
  d.next = pos + 2;
  return true;
}

// Finds the first delimiter line at or after `from`; `delimiter` is CRLF "--" boundary.
// "\r\n--boundaryX" is part data, not a delimiter, so the search goes on after it. Linear: only
// the CR that starts a candidate is compared against the whole delimiter, and a delimiter holds
// no other CR, so no byte takes part in two failed comparisons.
Delimiter find_delimiter(std::string_view body, std::string_view delimiter, std::size_t from) {
  Delimiter d;
  for (;;) {
    const std::size_t at = body.find(delimiter, from);
    if (at == npos) return d;
    if (finish_delimiter(body, at + delimiter.size(), d)) {
      d.start = at;
      return d;
    }
    from = at + 1;
  }
}

// The first delimiter may open the body with no CRLF before it; anything before it is the
// preamble, which is ignored.
Delimiter find_first_delimiter(std::string_view body, std::string_view delimiter) {
  const std::string_view dash_boundary = delimiter.substr(crlf.size());
  Delimiter d;
  if (body.starts_with(dash_boundary) && finish_delimiter(body, dash_boundary.size(), d)) {
    d.start = 0;
    return d;
  }
  return find_delimiter(body, delimiter, 0);
}

// Reads the header lines of the part at `pos` into `headers`; returns where its content starts.
std::size_t read_part_headers(std::string_view body, std::size_t pos, const FormLimits& limits,
                              std::vector<PartHeader>& headers) {
  headers.clear();
  const std::string_view rest = body.substr(pos);
  if (rest.starts_with(crlf)) return pos + crlf.size();  // a part without header lines
  // Look no further than the limit allows (+2: the CRLF of the blank line), so an endless
  // header block costs at most max_part_header_size bytes of work.
  const std::size_t limit = limits.max_part_header_size;
  const std::string_view window = limit >= rest.size() ? rest : rest.substr(0, limit + 2);
  const std::size_t end = window.find("\r\n\r\n");
  if (end == npos) {
    form_error(400, window.size() < rest.size() ? "multipart part headers too large"
                                                : "multipart body has no final boundary");
  }
  std::string_view block = rest.substr(0, end + crlf.size());  // lines, each ending in CRLF
  while (!block.empty()) {
    const std::size_t eol = block.find(crlf);
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + crlf.size());
    // A line starting with whitespace (obs-fold) has no token before its colon, so it is
    // refused here too (RFC 7578 section 4.8 leaves folding out).
    const std::size_t colon = line.find(':');
    if (colon == npos || !is_token(line.substr(0, colon)) || has_header_breaking_char(line)) {
      form_error(400, "malformed multipart part header");
    }
    headers.emplace_back(line.substr(0, colon), trim_ows(line.substr(colon + 1)));
  }
  return pos + end + 2 * crlf.size();
}

// Decodes an RFC 5987 ext-value (charset'language'%XX...), for UTF-8 only.
std::optional<std::string_view> decode_ext_value(std::string_view value, FormBuilder& out) {
  const std::size_t charset_end = value.find('\'');
  if (charset_end == npos) return std::nullopt;
  const std::size_t language_end = value.find('\'', charset_end + 1);
  if (language_end == npos || !iequals(value.substr(0, charset_end), "UTF-8")) {
    return std::nullopt;
  }
  std::string decoded;
  if (!percent_decode(value.substr(language_end + 1), decoded)) return std::nullopt;
  return out.keep(std::move(decoded));
}

// What a part's headers say about it.
struct PartInfo {
  std::string_view name;
  std::optional<std::string_view> filename;  // set for a file, even when empty
  std::string_view content_type;
};

// Reads the Content-Disposition parameters (RFC 7578 section 4.2) into info.
void read_disposition(std::string_view value, PartInfo& info, FormBuilder& out) {
  std::string_view params;
  if (!iequals(split_parameters(value, params), "form-data")) {
    form_error(400, "multipart part is not form-data");
  }
  std::optional<std::string_view> name, filename, filename_ext;
  HeaderParam param;
  for (;;) {
    const ParamResult result = next_parameter(params, param);
    if (result == ParamResult::end) break;
    if (result == ParamResult::malformed) form_error(400, "malformed Content-Disposition");
    if (!name && iequals(param.name, "name")) {
      name = parameter_value(param, out);
    } else if (!filename && iequals(param.name, "filename")) {
      filename = parameter_value(param, out);
    } else if (!filename_ext && iequals(param.name, "filename*")) {
      // RFC 7578 section 4.2 tells senders not to use it, but some do; decoded when cheap.
      filename_ext = decode_ext_value(parameter_value(param, out), out);
      if (!filename_ext) filename_ext = std::string_view{};
    }
  }
  if (!name) form_error(400, "multipart part without a name");
  info.name = *name;
  if (filename_ext && !filename_ext->empty()) {
    info.filename = filename_ext;
  } else if (filename || filename_ext) {
    info.filename = filename.value_or(std::string_view{});
  }
}

PartInfo read_part_info(const std::vector<PartHeader>& headers, FormBuilder& out) {
  std::optional<std::string_view> disposition;
  PartInfo info;
  info.content_type = "text/plain";  // RFC 7578 section 4.4
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    if (!disposition && iequals(name, "Content-Disposition")) {
      disposition = value;
    } else if (!has_type && iequals(name, "Content-Type")) {
      info.content_type = value;
      has_type = true;
    }
  }
  if (!disposition) form_error(400, "multipart part without Content-Disposition");
  read_disposition(*disposition, info, out);
  return info;
}

void add_part(const PartInfo& info, std::string_view content,
              const std::vector<PartHeader>& headers, const FormLimits& limits, FormBuilder& out) {
  if (!info.filename) {
    if (content.size() > limits.max_field_size) form_error(413, "form field too large");
    out.add_field(info.name, content);
    return;
  }
  if (content.size() > limits.max_file_size) form_error(413, "uploaded file too large");
  UploadedFile& file = out.add_file();
  file.name = info.name;
  file.filename = *info.filename;
  file.content_type = info.content_type;
  file.data = content;
  file.headers = headers;
}

}  // namespace

void parse_multipart(std::string_view body, std::string_view boundary, const FormLimits& limits,
                     FormBuilder& out) {
  std::string delimiter;
  delimiter.reserve(crlf.size() + 2 + boundary.size());
  delimiter.append(crlf).append("--").append(boundary);

  Delimiter at = find_first_delimiter(body, delimiter);
  if (at.start == npos) form_error(400, "multipart body has no boundary line");
  std::vector<PartHeader> headers;  // reused for every part
  std::size_t parts = 0;
  while (!at.is_close) {
    if (++parts > limits.max_parts) form_error(413, "too many parts in the multipart body");
    const std::size_t content = read_part_headers(body, at.next, limits, headers);
    const PartInfo info = read_part_info(headers, out);
    // Counts are checked before the content is searched, so an excess part costs no scan.
    if (!info.filename && out.field_count() >= limits.max_fields) {
      form_error(413, "too many form fields");
    }
    if (info.filename && out.file_count() >= limits.max_files) {
      form_error(413, "too many files in the form");
    }
    const Delimiter end = find_delimiter(body, delimiter, content);
    if (end.start == npos) form_error(400, "multipart body has no final boundary");
    add_part(info, body.substr(content, end.start - content), headers, limits, out);
    at = end;
  }
}

}  // namespace swoop::detail
