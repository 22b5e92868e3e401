// SPDX-License-Identifier: MIT
// Internal: the handle a Request keeps on its parsed JSON body, without the JSON headers.
#pragma once

#include <memory>

namespace swoop::detail {

/// A parsed document: simdjson's parser and tape, defined in src/ so that no public header
/// includes simdjson.h.
struct JsonDocument;
/// Gives a document back to its thread's pool of parsers (or frees it).
struct JsonDocumentRelease {
  void operator()(JsonDocument* document) const noexcept;
};
/// Owns a document borrowed from the thread's pool.
using JsonDocumentPtr = std::unique_ptr<JsonDocument, JsonDocumentRelease>;

}  // namespace swoop::detail
