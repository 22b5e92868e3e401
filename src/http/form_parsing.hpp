// SPDX-License-Identifier: MIT
// Internal: what the urlencoded and multipart parsers share (FormData access, header parameters).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "http/grammar.hpp"
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

/// Returns the value of a quoted parameter with `\"` and `\\` unescaped (other backslashes
/// kept, as browsers do not escape them in file names); a view into `param` when nothing needed
/// unescaping, else into storage owned by the form being built.
std::string_view parameter_value(const HeaderParam& param, FormBuilder& out);

/// Parses a multipart/form-data body whose boundary was already validated.
void parse_multipart(std::string_view body, std::string_view boundary, const FormLimits& limits,
                     FormBuilder& out);

}  // namespace swoop::detail
