// SPDX-License-Identifier: MIT
// Form bodies: application/x-www-form-urlencoded and multipart/form-data fields and files.
#pragma once

#include <concepts>
#include <cstddef>
#include <forward_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/setting.hpp"

namespace swoop {

namespace detail {
class FormBuilder;
}

/// Limits that parse_form applies; beyond any of them it throws HttpError 413, except for
/// max_part_header_size (400, as a broken multipart body). Each field is a Setting
/// (setting.hpp): in RunOptions::form_limits, App::run fills the fields not given from the
/// config (SWOOP_FORM_MAX_FIELDS, ...).
///
/// Example:
///     auto form = swoop::parse_form(type, body, {.max_files = 1, .max_file_size = 1 << 20});
struct FormLimits {
  /// Non-file fields, in either encoding (a urlencoded body stops being read at the first
  /// field past it, so a body of a million `a=1&` pairs costs max_fields pairs of work).
  Setting<std::size_t> max_fields = defaults_to<std::size_t>(1000);
  /// Uploaded files (multipart parts with a filename).
  Setting<std::size_t> max_files = defaults_to<std::size_t>(100);
  /// Parts of a multipart body, fields and files together.
  Setting<std::size_t> max_parts = defaults_to<std::size_t>(1000);
  /// Bytes of one part's header lines (CRLFs included, the blank line after them excluded).
  Setting<std::size_t> max_part_header_size = defaults_to<std::size_t>(8 * 1024);
  /// Bytes of one field's value, and of one urlencoded field's name (after decoding).
  Setting<std::size_t> max_field_size = defaults_to<std::size_t>(1024 * 1024);
  /// Bytes of one file; unlimited by default, since the server's max_body_size bounds it.
  Setting<std::size_t> max_file_size =
      defaults_to<std::size_t>(std::numeric_limits<std::size_t>::max());
};

/// One part header (name, value) as sent, value trimmed.
using PartHeader = std::pair<std::string_view, std::string_view>;

/// A file uploaded in a multipart/form-data body.
///
/// Lifetime: every view points into the body given to parse_form or into the FormData that
/// holds this file; it is valid while both are (for `req.form()`, until the handler's Task
/// completes). Copy what you keep.
struct UploadedFile {
  /// The form field name (Content-Disposition `name`).
  std::string_view name;
  /// The client's file name: `filename*` (RFC 5987, UTF-8 only) when present and decodable,
  /// else `filename`; may be empty. Untrusted: never use it as a path.
  std::string_view filename;
  /// The part's Content-Type, or "text/plain" when the part had none (RFC 7578 section 4.4).
  std::string_view content_type;
  /// The file's bytes, exactly as sent (binary-safe; a view, never copied).
  std::string_view data;
  /// Every header of the part, in order, names as sent.
  std::vector<PartHeader> headers;

  /// The number of bytes in the file.
  std::size_t size() const noexcept { return data.size(); }
};

/// The fields and files of a form body, as parse_form produced them.
///
/// Fields keep their order and every repeated name, like QueryArgs; names are compared
/// exactly (case-sensitively). A multipart field's value is its raw bytes; a urlencoded name or
/// value is decoded (`+` is a space, `%XX` a byte, a malformed escape stays as it is).
///
/// Lifetime: views point into the body given to parse_form (multipart values, file data,
/// undecoded text) or into storage the FormData owns (decoded text). They are valid while
/// both the body and this object are alive; moving the FormData keeps them valid, which is why
/// it cannot be copied. For `req.form()` that is until the handler's Task completes.
/// Thread safety: const members may be called from several threads at once.
/// Example:
///     const swoop::FormData& form = req.form();
///     std::string_view title = form.get("title", "untitled");
///     if (const swoop::UploadedFile* f = form.file("avatar")) store(f->content_type, f->data);
class FormData {
 public:
  /// One field as (name, value).
  using value_type = std::pair<std::string_view, std::string_view>;
  /// Iterates over the fields (not the files) in body order.
  using const_iterator = std::vector<value_type>::const_iterator;

  /// Makes an empty form.
  FormData() = default;
  /// Moves a form; views into it stay valid, since its decoded text does not move.
  FormData(FormData&&) noexcept = default;
  /// Moves a form in; views into the form moved from stay valid, views into this one do not.
  FormData& operator=(FormData&&) noexcept = default;
  /// Not copyable: a copy's views would point into the original's storage.
  FormData(const FormData&) = delete;
  /// Not copyable (see the copy constructor).
  FormData& operator=(const FormData&) = delete;

  /// Returns the first value of the field `name`, or nothing when there is none.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// Returns the first value of the field `name`, or `fallback`.
  std::string_view get(std::string_view name, std::string_view fallback) const noexcept {
    return get(name).value_or(fallback);
  }
  /// Returns every value of the field `name`, in body order (empty when there is none).
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// The same as get_all() (Flask's and Sanic's name).
  std::vector<std::string_view> getlist(std::string_view name) const { return get_all(name); }
  /// Returns true when at least one field is called `name` (files are not fields).
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  /// Returns the number of fields, repeated names counted each time (files not counted).
  std::size_t size() const noexcept { return fields_.size(); }
  /// Returns true when the form has neither fields nor files.
  bool empty() const noexcept { return fields_.empty() && files_.empty(); }
  /// Returns an iterator to the first field.
  const_iterator begin() const noexcept { return fields_.begin(); }
  /// Returns the iterator past the last field.
  const_iterator end() const noexcept { return fields_.end(); }

  /// Returns the first file sent under the field name `name`, or nullptr.
  /// Lifetime: the pointer is valid as long as this object.
  const UploadedFile* file(std::string_view name) const noexcept;
  /// Returns every file sent under `name` (an `<input type=file multiple>`), in body order.
  std::vector<const UploadedFile*> files(std::string_view name) const;
  /// Returns every file of the form, in body order.
  const std::vector<UploadedFile>& files() const noexcept { return files_; }

 private:
  friend class detail::FormBuilder;

  std::vector<value_type> fields_;
  std::vector<UploadedFile> files_;
  // Decoded text the views may point into; list nodes never move, even when the form does.
  std::forward_list<std::string> storage_;
};

/// Parses a form body according to its Content-Type header value.
///
/// Understands application/x-www-form-urlencoded (parsed like QueryArgs; a charset parameter
/// is ignored, text is taken as UTF-8 bytes) and multipart/form-data (RFC 7578 / RFC 2046:
/// boundary parameter quoted or not, CRLF line ends, preamble and epilogue ignored, transport
/// padding after a boundary allowed, part headers case-insensitive, a backslash-escaped quote or
/// backslash unescaped in
/// quoted Content-Disposition parameters and any other backslash kept, so Windows paths
/// survive). An empty content type with an empty body gives an empty form. Linear in the body
/// size; file data is never copied.
///
/// Throws HttpError:
/// - 415 for any other content type (an empty one with a non-empty body included);
/// - 400 for a multipart type without a valid boundary (1..70 RFC 2046 characters), a body
///   without a boundary line or without the final boundary, part headers that are malformed,
///   folded or larger than max_part_header_size, a part that is not `form-data` or has no
///   `name` parameter;
/// - 413 for more fields, files or parts than the limits, or a field or file too large.
///
/// Lifetime: the result views into `body` (see FormData); keep the body alive as long as it.
/// Example:
///     auto form = swoop::parse_form("application/x-www-form-urlencoded", "a=1&b=x+y");
///     form.get("b");  // "x y"
FormData parse_form(std::string_view content_type, std::string_view body,
                    const FormLimits& limits = {});

/// Refused: the form would view into a std::string destroyed at the end of the statement.
template <std::same_as<std::string> Body>  // an rvalue std::string: Body&& is std::string&&
FormData parse_form(std::string_view, Body&&, const FormLimits& = {}) {
  static_assert(!std::same_as<Body, std::string>,
                "swoop::parse_form: the form views into the body, and this std::string is a "
                "temporary destroyed at the end of the statement; keep the body in a variable "
                "that outlives the form");
  return {};
}

}  // namespace swoop
