// SPDX-License-Identifier: MIT
// FormData look-ups, parse_form's dispatch on the content type, and urlencoded form parsing.
#include "swoop/form.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/form_parsing.hpp"
#include "swoop/headers.hpp"

namespace swoop {

namespace {

using detail::hex_value;

constexpr std::size_t npos = std::string_view::npos;

// WHATWG URL "application/x-www-form-urlencoded parsing": '+' is a space, %XX is a byte and a
// malformed escape stays as it is (percent_decode refuses those instead, hence this copy).
void decode_component(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
}

bool needs_decoding(std::string_view s) noexcept { return s.find_first_of("+%") != npos; }

// Returns `in` decoded: `in` itself when there is nothing to decode, else a view of the copy
// appended to `storage`, whose capacity was reserved for the whole body, so it never moves.
std::string_view decode(std::string_view in, std::string& storage) {
  if (!needs_decoding(in)) return in;
  const std::size_t start = storage.size();
  decode_component(in, storage);
  return std::string_view{storage}.substr(start);
}

void parse_urlencoded(std::string_view body, const FormLimits& limits, detail::FormBuilder& out) {
  std::string* storage = nullptr;  // created for the first piece that needs decoding
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('&', start);
    if (end == npos) end = body.size();
    const std::string_view piece = body.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    // Checked before any work on the piece, so a huge field count stops here, early.
    if (out.field_count() >= limits.max_fields) detail::form_error(413, "too many form fields");

    const std::size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value = eq == npos ? std::string_view{} : piece.substr(eq + 1);
    if (storage == nullptr && (needs_decoding(name) || needs_decoding(value))) {
      // Decoding never lengthens text: the body's size is enough for every decoded piece.
      storage = &out.new_storage(body.size());
    }
    if (storage != nullptr) {
      name = decode(name, *storage);
      value = decode(value, *storage);
    }
    if (name.size() > limits.max_field_size || value.size() > limits.max_field_size) {
      detail::form_error(413, "form field too large");
    }
    out.add_field(name, value);
  }
}

// RFC 2046 section 5.1.1: bchars, 1 to 70 of them, not ending in a space.
bool is_valid_boundary(std::string_view boundary) noexcept {
  constexpr std::string_view specials = "'()+_,-./:=? ";
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
  for (const char c : boundary) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && specials.find(c) == npos) return false;
  }
  return true;
}

std::string_view find_boundary(std::string_view params) {
  detail::HeaderParam param;
  for (;;) {
    switch (detail::next_parameter(params, param)) {
      case detail::ParamResult::found:
        if (!iequals(param.name, "boundary")) break;
        if (!is_valid_boundary(param.value)) detail::form_error(400, "invalid multipart boundary");
        return param.value;
      case detail::ParamResult::end:
        detail::form_error(400, "multipart/form-data without a boundary");
      case detail::ParamResult::malformed:
        detail::form_error(400, "malformed Content-Type parameters");
    }
  }
}

}  // namespace

namespace detail {

std::string_view parameter_value(const HeaderParam& param, FormBuilder& out) {
  const std::string_view v = param.value;
  if (!param.quoted || v.find('\\') == npos) return v;
  std::string unescaped;
  unescaped.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\\')) ++i;
    unescaped.push_back(v[i]);
  }
  return out.keep(std::move(unescaped));
}

}  // namespace detail

std::optional<std::string_view> FormData::get(std::string_view name) const noexcept {
  for (const auto& [key, value] : fields_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> FormData::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : fields_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

const UploadedFile* FormData::file(std::string_view name) const noexcept {
  for (const UploadedFile& f : files_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<const UploadedFile*> FormData::files(std::string_view name) const {
  std::vector<const UploadedFile*> found;
  for (const UploadedFile& f : files_) {
    if (f.name == name) found.push_back(&f);
  }
  return found;
}

FormData parse_form(std::string_view content_type, std::string_view body,
                    const FormLimits& limits) {
  FormData form;
  detail::FormBuilder out{form};
  std::string_view params;
  const std::string_view media_type = detail::split_parameters(content_type, params);
  if (iequals(media_type, "application/x-www-form-urlencoded")) {
    parse_urlencoded(body, limits, out);
  } else if (iequals(media_type, "multipart/form-data")) {
    detail::parse_multipart(body, find_boundary(params), limits, out);
  } else if (!media_type.empty() || !body.empty()) {
    detail::form_error(415,
                       "unsupported form content type: expected "
                       "application/x-www-form-urlencoded or multipart/form-data");
  }
  return form;
}

}  // namespace swoop
