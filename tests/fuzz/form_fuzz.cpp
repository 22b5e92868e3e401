// SPDX-License-Identifier: MIT
// Fuzzes parse_form (swoop/form.hpp) with urlencoded and multipart bodies, under small limits
// so that every limit is reached. HttpError 400/413/415 is an expected outcome.
// Input: byte 0 picks the content type and limits; for multipart, the text up to the first
// '\n' is the boundary. The rest is the body, used both as is and wrapped in a well-formed
// multipart frame (boundary lines added) so the part parser is reached more often.
// Invariants: only 400, 413 or 415 are thrown; the result respects the limits; every
// multipart value, file and header views into the body; accessors agree with iteration.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "swoop/error.hpp"
#include "swoop/form.hpp"

namespace {

using swoop_fuzz::check;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool is_content_type(std::string_view name) {
  constexpr std::string_view expected = "content-type";
  if (name.size() != expected.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] + 32) : name[i];
    if (c != expected[i]) return false;
  }
  return true;
}

void check_form(const swoop::FormData& form, std::string_view body, bool multipart,
                const swoop::FormLimits& limits) {
  check(form.size() <= limits.max_fields, "more fields than max_fields");
  check(form.files().size() <= limits.max_files, "more files than max_files");
  check(form.size() + form.files().size() <= limits.max_parts || !multipart,
        "more parts than max_parts");
  std::size_t i = 0;
  for (const auto& [name, value] : form) {
    check(value.size() <= limits.max_field_size, "a field larger than max_field_size");
    const auto first = form.get(name);
    check(first.has_value() && form.get_all(name).front() == *first, "get/get_all disagree");
    if (multipart) check(inside(value, body), "a multipart value outside the body");
    ++i;
  }
  check(i == form.size(), "size() and iteration disagree");
  for (const swoop::UploadedFile& f : form.files()) {
    check(multipart, "a file in a urlencoded form");
    check(f.size() <= limits.max_file_size, "a file larger than max_file_size");
    check(inside(f.data, body), "file data outside the body");
    bool empty_type_sent = false;  // "Content-Type:" with an empty value is kept as sent
    for (const auto& [hname, hvalue] : f.headers) {
      check(inside(hname, body) && inside(hvalue, body), "a part header outside the body");
      empty_type_sent |= hvalue.empty() && is_content_type(hname);
    }
    check(!f.content_type.empty() || empty_type_sent, "a file without a content type");
    check(form.file(f.name) != nullptr, "file(name) misses an uploaded file");
  }
}

void parse(std::string_view type, std::string_view body, const swoop::FormLimits& limits,
           bool multipart) {
  try {
    const swoop::FormData form = swoop::parse_form(type, body, limits);
    check_form(form, body, multipart, limits);
  } catch (const swoop::HttpError& e) {
    check(e.status() == 400 || e.status() == 413 || e.status() == 415,
          "parse_form threw an unexpected status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  const std::uint8_t mode = in.byte();
  swoop::FormLimits limits;
  if (mode & 1) {
    limits = {.max_fields = 3,
              .max_files = 2,
              .max_parts = 4,
              .max_part_header_size = 64,
              .max_field_size = 16,
              .max_file_size = 32};
  }
  const bool multipart = (mode & 2) != 0;
  if (!multipart) {
    const std::string type = (mode & 4) ? "application/x-www-form-urlencoded; charset=utf-8"
                                        : "application/x-www-form-urlencoded";
    // Copied, so a view past the end is caught by ASan.
    const std::string body{in.rest()};
    parse(type, body, limits, false);
    return 0;
  }
  const std::string boundary{in.until('\n')};
  const std::string raw{in.rest()};
  const std::string type = (mode & 4) ? "multipart/form-data; boundary=\"" + boundary + "\""
                                      : "multipart/form-data; boundary=" + boundary;
  parse(type, raw, limits, true);
  // The rest as the parts of a framed body: parts are separated by the byte 0x01.
  std::string framed = "--" + boundary;
  std::string_view parts = raw;
  while (true) {
    const std::size_t at = parts.find('\x01');
    framed += "\r\n";
    framed += parts.substr(0, at);
    framed += "\r\n--" + boundary;
    if (at == std::string_view::npos) break;
    parts.remove_prefix(at + 1);
  }
  framed += "--\r\n";
  parse(type, framed, limits, true);
  return 0;
}
