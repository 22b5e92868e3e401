// SPDX-License-Identifier: MIT
// Internal: turns a connection's bytes into Requests with llhttp plus swoop's own strictness.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "http/request_builder.hpp"
#include "server/head_validator.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"

namespace swoop::detail {

/// Parses one request at a time from a buffer the connection owns.
///
/// The connection calls begin() at the first byte of a request, then feed() with the request's
/// bytes so far (always from the same start) until it returns complete or error.
class RequestParser {
 public:
  enum class State { head, body, complete, error };

  explicit RequestParser(const RunOptions& options);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  /// Starts a new request, filling req as parsing goes. req_is_reset: req was reset since its
  /// last request (RequestBuilder::reset), so begin() need not do it again.
  void begin(Request& req, bool req_is_reset = false) noexcept;
  /// Parses [base, base+avail); base is where begin()'s request starts. Offsets are kept
  /// relative to base, so the connection may move the bytes between calls.
  State feed(char* base, std::size_t avail);

  /// Bytes of the buffer this request used (valid once complete).
  std::size_t consumed() const noexcept { return consumed_; }
  /// Bytes the buffer must hold to finish a Content-Length body (0: no requirement).
  std::size_t needed() const noexcept { return needed_; }
  /// The status and reason of an error.
  const HeadError& error() const noexcept { return error_; }
  /// Whether "100 Continue" should be sent now; true at most once per request.
  bool take_continue() noexcept;
  /// Whether the request was CONNECT or a protocol switch llhttp will not parse past.
  bool is_tunnel() const noexcept { return tunnel_; }
  /// Whether the request is HEAD (known from its first bytes, before any error is found).
  bool is_head() const noexcept { return head_method_; }
  /// The state of the current request.
  State state() const noexcept { return state_; }

  /// Whether plain GET and HEAD requests are completed without llhttp (on by default; the
  /// differential fuzz target turns it off in a second parser to compare the two).
  void set_plain_shortcut(bool on) noexcept { shortcut_ = on; }

  /// Streamed bodies: once the head of a request with a body is parsed, probe(ctx) says
  /// whether its handler reads the body as it arrives. Such a body has no size limit, and its
  /// bytes are appended to sink instead of staying in the buffer.
  void set_streaming(bool (*probe)(void* ctx) noexcept, void* ctx, std::string* sink) noexcept {
    probe_ = probe;
    probe_ctx_ = ctx;
    sink_ = sink;
  }
  /// Whether the current request's body is streamed.
  bool is_streaming() const noexcept { return streaming_; }
  /// Streamed body: forgets the body bytes parsed so far (they are in the sink) and returns
  /// how many bytes at body_offset() the caller must cut out of the buffer.
  std::size_t drop_streamed() noexcept;
  /// Where the body starts, from the base given to feed().
  std::size_t body_offset() const noexcept { return body_off_; }

 private:
  static int on_headers_complete(llhttp_t* p) noexcept;
  static int on_body(llhttp_t* p, const char* at, std::size_t len) noexcept;
  static int on_message_complete(llhttp_t* p) noexcept;
  static int on_chunk_header(llhttp_t* p) noexcept;
  static int on_chunk_complete(llhttp_t* p) noexcept;
  static int on_chunk_extension(llhttp_t* p, const char* at, std::size_t len) noexcept;
  static int on_trailer_name(llhttp_t* p, const char* at, std::size_t len) noexcept;
  static int on_trailer_value(llhttp_t* p, const char* at, std::size_t len) noexcept;
  static int check_trailer(llhttp_t* p, const char* at, std::size_t len,
                           bool (*allowed)(unsigned char) noexcept) noexcept;

  State parse_head(char* base, std::size_t avail);
  State execute(char* base, const char* from, std::size_t len);
  bool complete_plain(std::size_t head_len, int version) noexcept;
  State fail(int status, const char* reason) noexcept;
  HeadError check_framing() noexcept;

  const RunOptions& options_;
  llhttp_settings_t settings_{};
  llhttp_t llhttp_{};
  Request* req_ = nullptr;
  char* base_ = nullptr;
  State state_ = State::head;
  HeadError error_;
  std::size_t lead_ = 0;      // leading CRLFs skipped before the request line
  std::size_t scanned_ = 0;   // how far the search for the head's end got
  std::size_t fed_ = 0;       // bytes given to llhttp so far (from base)
  std::size_t body_off_ = 0;  // where the (de-chunked) body starts
  std::size_t body_len_ = 0;  // body bytes so far
  std::size_t raw_end_ = 0;   // offset just past the last chunk data seen
  std::size_t chunk_size_ = 0;
  std::size_t chunk_ext_ = 0;  // chunk-extension bytes of the current chunk
  std::size_t trailer_ = 0;    // trailer bytes so far
  std::size_t consumed_ = 0;
  std::size_t needed_ = 0;
  bool expect_continue_ = false;
  bool tunnel_ = false;
  bool head_method_ = false;
  bool streaming_ = false;
  bool shortcut_ = true;
  bool (*probe_)(void*) noexcept = nullptr;
  void* probe_ctx_ = nullptr;
  std::string* sink_ = nullptr;
};

}  // namespace swoop::detail
