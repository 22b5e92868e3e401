// SPDX-License-Identifier: MIT
// Internal: a parsed JSON request body (simdjson DOM), the per-thread parser pool, and views.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "swoop/json_view.hpp"

namespace swoop::detail {

/// One simdjson parser with its document, the padded copy of the text it parsed, and the
/// outcome of the last parse.
///
/// Lifetime: owned through a JsonDocumentPtr, by a Request (req.json()) from the first parse
/// until RequestBuilder::reset, then given back to the pool of the thread that releases it.
/// The tape and strings that JsonViews point into live in `parser` and stay unchanged until
/// the next parse(), which only happens after the document went back to the pool.
struct JsonDocument {
  /// Parses `text` (a leading UTF-8 byte order mark is skipped, RFC 8259 section 8.1); on
  /// failure, `error` holds the 400 message (see describe_json_error) and `error_status` its
  /// status. Throws std::bad_alloc when memory runs out.
  void parse(std::string_view text);

  /// Whether the last parse succeeded.
  bool ok() const noexcept { return error_status == 0; }

  simdjson::dom::parser parser;
  const simdjson::dom::document* dom = nullptr;  // the tape, after a successful parse
  std::unique_ptr<char[]> padded;                // the text, followed by SIMDJSON_PADDING bytes
  std::size_t padded_capacity = 0;
  int error_status = 0;  // 0 after a successful parse, else 400 or 413
  std::string error;
};

/// How deeply arrays and objects may nest: simdjson's default, which the parser keeps (the
/// error locator's message says 1024).
inline constexpr std::size_t json_max_depth = 1024;
static_assert(json_max_depth == simdjson::DEFAULT_MAX_DEPTH);

/// The tape index of a document's root value.
inline constexpr std::size_t json_root_index = 1;

/// Takes a document from this thread's pool (or makes one).
///
/// Thread safety: the pool is thread_local; a document may be released on any thread (it
/// then joins that thread's pool).
JsonDocumentPtr acquire_json_document();

/// How many parses ran on this thread (a test hook for the req.json() cache).
std::uint64_t json_parse_count() noexcept;

/// Makes JsonViews from inside src/.
class JsonViewAccess {
 public:
  static JsonView make(const JsonDocument* document, std::size_t index) noexcept {
    return JsonView{document, index};
  }
  static const JsonDocument* document(const JsonView& view) noexcept { return view.document_; }
  static std::size_t index(const JsonView& view) noexcept { return view.index_; }
};

/// The root of a successfully parsed document.
inline JsonView json_root(const JsonDocument& document) noexcept {
  return JsonViewAccess::make(&document, json_root_index);
}

/// Builds the 400 message for text that simdjson refused with `code`: what went wrong and,
/// when the position can be found, where (see locate_json_error). `offset` is added to every
/// byte position reported (the length of a skipped byte order mark).
std::string describe_json_error(std::string_view text, std::size_t offset,
                                simdjson::error_code code);

/// Where and why a JSON text is malformed.
struct JsonErrorPosition {
  std::size_t byte = 0;  // offset of the offending byte (the text's size at the end)
  const char* what = "";
};

/// Finds the first place in `text` where JSON that simdjson refused with `code` goes wrong.
///
/// simdjson reports what failed but not where. Its first stage validates UTF-8 and refuses
/// control characters inside strings over the whole text, before any structure is checked,
/// so for those two codes the first such byte is the answer. For the others (an unclosed
/// string included), a strict RFC 8259 scan with simdjson's limits (depth json_max_depth,
/// 64-bit integers, finite doubles) finds the first offending byte. Returns false when the
/// scan finds nothing wrong (a disagreement with simdjson).
bool locate_json_error(std::string_view text, simdjson::error_code code, JsonErrorPosition& out);

/// Extends a path in JavaScript notation by a member: `.name`, or `['any key']` (escaped, cut
/// to about 64 bytes).
void append_path_key(std::string& path, std::string_view key);
/// Extends a path by an element: `[3]`.
void append_path_index(std::string& path, std::size_t index);

}  // namespace swoop::detail
