// SPDX-License-Identifier: MIT
// Reading a JSON text as a described type in a test: the value, or the issues of its 422.
#pragma once

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "json/document.hpp"
#include "swoop/describe.hpp"

namespace swoop::test {

/// A JSON text parsed by the request body's parser (simdjson, the thread's pool).
struct Parsed {
  explicit Parsed(std::string_view text) : document(detail::acquire_json_document()) {
    document->parse(text);
  }
  /// The root value; the text must have parsed.
  JsonView root() const {
    REQUIRE_MESSAGE(document->ok(), document->error);
    return detail::json_root(*document);
  }
  detail::JsonDocumentPtr document;
};

/// text read as T (a ValidationError when it does not fit).
template <typename T>
T read(std::string_view text) {
  Parsed p{text};
  return from_json<T>(p.root());
}

/// The issues reading text as T raises (none: it was read without error).
template <typename T>
std::vector<ValidationIssue> issues(std::string_view text) {
  try {
    read<T>(text);
  } catch (const ValidationError& e) {
    CHECK(e.status() == 422);
    CHECK(e.is_quiet());
    return e.issues();
  }
  return {};
}

}  // namespace swoop::test
