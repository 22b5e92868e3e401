// SPDX-License-Identifier: MIT
// Fuzzes req.json()'s machinery (src/json/document.hpp: the padded copy, BOM skipping,
// simdjson, the error locator) and JsonView, then the writer round trip (swoop/json.hpp).
// Invariants: malformed input gives a 400 (or 413) with a message; a parsed document can be
// walked completely, and typed reads either succeed or throw HttpError 400; to_json(view)
// equals to_json(view.get<JsonValue>()); that output parses again to an equal JsonValue and
// is written back byte for byte the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "json/document.hpp"
#include "swoop/error.hpp"
#include "swoop/json.hpp"
#include "swoop/json_view.hpp"

namespace {

using swoop_fuzz::check;

template <typename T>
void try_get(const swoop::JsonView& v) {
  try {
    (void)v.get<T>();
  } catch (const swoop::HttpError& e) {
    check(e.status() == 400, "a typed read threw a status other than 400");
  }
}

void walk(const swoop::JsonView& v, std::size_t depth) {
  try_get<bool>(v);
  try_get<std::int8_t>(v);
  try_get<std::int64_t>(v);
  try_get<std::uint16_t>(v);
  try_get<std::uint64_t>(v);
  try_get<float>(v);
  try_get<double>(v);
  try_get<std::string_view>(v);
  check(v.is_number() == (v.is_integer() || v.is_double()), "is_number disagrees");
  if (depth < 4) (void)v.path();  // paths are quadratic in depth: only near the root
  if (v.is_array()) {
    std::size_t n = 0;
    for (const swoop::JsonView element : v.elements()) {
      walk(element, depth + 1);
      ++n;
    }
    check(n == v.size(), "array size() and iteration disagree");
    if (n > 0) (void)v[n - 1];
    try {
      (void)v[n];
      check(false, "an index past the end did not throw");
    } catch (const swoop::HttpError& e) {
      check(e.status() == 400, "an index past the end threw a status other than 400");
    }
  } else if (v.is_object()) {
    std::size_t n = 0;
    for (const swoop::JsonViewMember member : v.members()) {
      check(v.contains(member.key), "an iterated key is not found");
      walk(member.value, depth + 1);
      ++n;
    }
    check(n == v.size(), "object size() and iteration disagree");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  swoop::detail::JsonDocumentPtr doc = swoop::detail::acquire_json_document();
  doc->parse(text);
  if (!doc->ok()) {
    check(doc->error_status == 400 || doc->error_status == 413, "a parse error that is not 400");
    check(!doc->error.empty(), "a parse error without a message");
    return 0;
  }
  const swoop::JsonView root = swoop::detail::json_root(*doc);
  walk(root, 0);
  const swoop::JsonValue value = root.get<swoop::JsonValue>();
  const std::string written = swoop::to_json(root);
  check(written == swoop::to_json(value), "to_json(view) != to_json(JsonValue)");

  swoop::detail::JsonDocumentPtr again = swoop::detail::acquire_json_document();
  again->parse(written);
  check(again->ok(), "to_json wrote JSON that does not parse");
  const swoop::JsonValue reread = swoop::detail::json_root(*again).get<swoop::JsonValue>();
  check(reread == value, "the written JSON reads back as a different value");
  check(swoop::to_json(reread) == written, "writing is not stable across a round trip");
  return 0;
}
