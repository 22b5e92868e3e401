// SPDX-License-Identifier: MIT
// req.json(): the Content-Type check, the per-thread pool of simdjson parsers, and parsing.
#include <array>
#include <bit>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

#include "http/grammar.hpp"
#include "json/document.hpp"
#include "swoop/error.hpp"
#include "swoop/headers.hpp"
#include "swoop/request.hpp"

namespace swoop {
namespace detail {

namespace {

// Why a pool per thread rather than one parser per thread or per connection: a handler is a
// coroutine, so while one request's handler is suspended another request on the same worker
// may parse JSON; each Request therefore holds its own document (tape and strings) until it
// is reset, and a thread_local parser would be overwritten under it. A parser per connection
// would keep the largest document it ever parsed for the connection's whole life. The pool
// gives each request an exclusive parser while it needs one and reuses the parser's buffers
// across requests and connections; it keeps a few small ones and frees big ones.
constexpr std::size_t pool_size = 8;
constexpr std::size_t pooled_capacity = std::size_t{1} << 20;  // bytes of JSON text

thread_local std::uint64_t parse_count = 0;
// Trivially destructible, so readable until the thread ends, after the pool is destroyed: a
// Request destroyed late in a thread's exit frees its document instead of pooling it.
thread_local bool pool_destroyed = false;

struct Pool {
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    pool_destroyed = true;
    for (std::size_t i = 0; i < count; ++i) delete documents[i];
  }
  std::array<JsonDocument*, pool_size> documents{};  // fixed: releasing never allocates
  std::size_t count = 0;
};

Pool& pool() noexcept {
  thread_local Pool instance;
  return instance;
}

// RFC 9110 section 8.3.1: media-type = type "/" subtype parameters, case-insensitive. JSON is
// application/json (RFC 8259 section 11) or any type with the +json suffix (RFC 6839 3.1).
bool is_json_media_type(std::string_view value) noexcept {
  std::string_view params;
  value = split_parameters(value, params);
  const std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view type = value.substr(0, slash);
  const std::string_view subtype = value.substr(slash + 1);
  if (!is_token(type) || !is_token(subtype)) return false;
  if (iequals(type, "application") && iequals(subtype, "json")) return true;
  return subtype.size() > 5 && iequals(subtype.substr(subtype.size() - 5), "+json");
}

void check_content_type(std::optional<std::string_view> content_type) {
  if (!content_type) {
    throw HttpError{
        415, "a JSON body needs Content-Type application/json (or a +json type)", {}, true};
  }
  if (is_json_media_type(*content_type)) return;
  constexpr std::size_t shown = 100;  // a header value holds no CR or LF, only its length
  std::string message = "a JSON body needs Content-Type application/json (or a +json type), not \"";
  message.append(content_type->substr(0, shown));
  message.append(content_type->size() > shown ? "...\"" : "\"");
  throw HttpError{415, std::move(message), {}, true};
}

}  // namespace

JsonDocumentPtr acquire_json_document() {
  if (!pool_destroyed) {
    Pool& p = pool();
    if (p.count > 0) return JsonDocumentPtr{p.documents[--p.count]};
  }
  return JsonDocumentPtr{new JsonDocument};
}

void JsonDocumentRelease::operator()(JsonDocument* document) const noexcept {
  if (!pool_destroyed && document->parser.capacity() <= pooled_capacity &&
      document->padded_capacity <= pooled_capacity + simdjson::SIMDJSON_PADDING) {
    Pool& p = pool();
    if (p.count < pool_size) {
      p.documents[p.count++] = document;
      return;
    }
  }
  delete document;
}

std::uint64_t json_parse_count() noexcept { return parse_count; }

void JsonDocument::parse(std::string_view text) {
  ++parse_count;
  dom = nullptr;
  error_status = 0;
  error.clear();
  // RFC 8259 section 8.1: a parser may ignore a byte order mark; simdjson 3.0 refuses it.
  std::size_t skipped = 0;
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.remove_prefix(3);
    skipped = 3;
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the text; the body sits in a connection
  // buffer whose bytes after it belong to the next request (or to no one), so it is copied.
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (padded_capacity < needed) {
    padded.reset();
    padded_capacity = 0;
    padded = std::make_unique_for_overwrite<char[]>(needed);
    padded_capacity = needed;
  }
  if (!text.empty()) std::memcpy(padded.get(), text.data(), text.size());
  std::memset(padded.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element root;
  const simdjson::error_code code = parser.parse(padded.get(), text.size(), false).get(root);
  if (code == simdjson::SUCCESS) {
    static_assert(sizeof(root) == sizeof(simdjson::internal::tape_ref) &&
                      std::is_trivially_copyable_v<simdjson::dom::element> &&
                      std::is_trivially_copyable_v<simdjson::internal::tape_ref>,
                  "simdjson::dom::element is expected to be exactly a tape_ref");
    dom = std::bit_cast<simdjson::internal::tape_ref>(root).doc;
    return;
  }
  if (code == simdjson::MEMALLOC) throw std::bad_alloc();
  if (code == simdjson::CAPACITY) {
    error_status = 413;
    error = "the JSON body is larger than the JSON parser accepts (4 GiB)";
    return;
  }
  error_status = 400;
  error = describe_json_error(text, skipped, code);
}

}  // namespace detail

JsonView Request::json() const {
  if (host_ == nullptr || !host_->json_any_content_type()) {
    detail::check_content_type(header("Content-Type"));
  }
  if (!json_) {
    const std::string_view text = body();
    if (text.empty()) throw HttpError{400, "the request has no body; JSON was expected", {}, true};
    detail::JsonDocumentPtr document = detail::acquire_json_document();
    document->parse(text);  // on bad_alloc, nothing is cached
    json_ = std::move(document);
  }
  if (!json_->ok()) throw HttpError{json_->error_status, json_->error, {}, true};
  return detail::json_root(*json_);
}

}  // namespace swoop
