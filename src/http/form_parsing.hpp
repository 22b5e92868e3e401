// SPDX-License-Identifier: MIT
// Internal: what the urlencoded and multipart parsers share (FormData access, header parameters).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "swoop/error.hpp"
#include "swoop/form.hpp"

namespace swoop::detail {

/// Fills a FormData; the parsers' only access to its private members.
class FormBuilder {
 public:
  explicit FormBuilder(FormData& form) noexcept : form_(form) {}

  void add_field(std::string_view name, std::string_view value) {
    form_.fields_.emplace_back(name, value);
  }
  UploadedFile& add_file() { return form_.files_.emplace_back(); }
  std::size_t field_count() const noexcept { return form_.fields_.size(); }
  std::size_t file_count() const noexcept { return form_.files_.size(); }

  /// Returns a string owned by the form whose characters never move, even when the form does;
  /// views into it stay valid as long as the form, provided it never grows past `capacity`.
  std::string& new_storage(std::size_t capacity) {
    std::string& s = form_.storage_.emplace_front();
    s.reserve(capacity);
    return s;
  }
  /// Moves text into the form and returns a view of it, valid as long as the form.
  std::string_view keep(std::string text) { return form_.storage_.emplace_front(std::move(text)); }

 private:
  FormData& form_;
};

/// Throws the HttpError for a form the client got wrong (quiet: an expected outcome).
[[noreturn]] inline void form_error(int status, const char* message) {
  throw HttpError{status, message, {}, true};
}

/// Removes spaces and tabs (RFC 9110 OWS) from both ends of s.
std::string_view trim_ows(std::string_view s) noexcept;

/// One parameter of a header value such as `form-data; name="a"` (RFC 9110 section 5.6.6).
struct HeaderParam {
  std::string_view name;   // as sent; compare case-insensitively
  std::string_view value;  // a token, or the inside of a quoted string with escapes still in
  bool quoted = false;
};

/// Splits a header value at its first ';': returns the trimmed leading value (a media type or
/// a disposition type) and leaves the parameter list in `params`.
std::string_view split_parameters(std::string_view value, std::string_view& params) noexcept;

enum class ParamResult { found, end, malformed };

/// Reads the next parameter from `params` (as left by split_parameters) and consumes it.
/// Empty list elements and parameters without '=' or without a name are skipped; an
/// unterminated quoted string is `malformed`.
ParamResult next_parameter(std::string_view& params, HeaderParam& out) noexcept;

/// Returns the value of a quoted parameter with `\"` and `\\` unescaped (other backslashes
/// kept, as browsers do not escape them in file names); a view into `param` when nothing needed
/// unescaping, else into storage owned by the form being built.
std::string_view parameter_value(const HeaderParam& param, FormBuilder& out);

/// Parses a multipart/form-data body whose boundary was already validated.
void parse_multipart(std::string_view body, std::string_view boundary, const FormLimits& limits,
                     FormBuilder& out);

}  // namespace swoop::detail
