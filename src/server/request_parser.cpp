// SPDX-License-Identifier: MIT
// RequestParser: llhttp for framing, with the checks llhttp 8.1 lacks added around it.
#include "server/request_parser.hpp"

#include <algorithm>
#include <cstring>

#include "swoop/detail/access.hpp"

namespace swoop::detail {

namespace {

constexpr std::size_t max_leading_empty_lines = 8;
constexpr std::size_t max_chunk_extension = 256;

RequestParser& self_of(llhttp_t* p) noexcept { return *static_cast<RequestParser*>(p->data); }

// What follows the last comma of a list, trimmed (empty after a trailing comma).
std::string_view last_element(std::string_view list) noexcept {
  const std::size_t comma = list.rfind(',');
  return trim_ows(comma == std::string_view::npos ? list : list.substr(comma + 1));
}

}  // namespace

RequestParser::RequestParser(const RunOptions& options) : options_(options) {
  llhttp_settings_init(&settings_);
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  settings_.on_chunk_header = &on_chunk_header;
  settings_.on_chunk_complete = &on_chunk_complete;
  settings_.on_chunk_extension_name = &on_chunk_extension;
  settings_.on_chunk_extension_value = &on_chunk_extension;
  llhttp_init(&llhttp_, HTTP_REQUEST, &settings_);
  llhttp_.data = this;
}

void RequestParser::begin(Request& req, bool req_is_reset) noexcept {
  req_ = &req;
  if (!req_is_reset) RequestBuilder::reset(req);
  state_ = State::head;
  error_ = {};
  lead_ = scanned_ = fed_ = body_off_ = body_len_ = raw_end_ = 0;
  chunk_size_ = chunk_ext_ = trailer_ = consumed_ = needed_ = 0;
  expect_continue_ = tunnel_ = head_method_ = streaming_ = false;
}

std::size_t RequestParser::drop_streamed() noexcept {
  if (!streaming_) return 0;
  std::size_t n = 0;
  if (state_ == State::complete) {
    n = consumed_ - body_off_;
    consumed_ = body_off_;
  } else if (state_ == State::body) {
    // Keep what follows the last chunk data: llhttp checks its CRLF (on_chunk_complete)
    // perhaps only in the next feed. Those are a few framing bytes.
    n = std::max(raw_end_, body_off_) - body_off_;
    fed_ -= n;
  }
  raw_end_ = body_off_;
  return n;
}

bool is_receivable_method(std::string_view method) noexcept {
#define SWOOP_RECEIVABLE(number, name, text) \
  if (method == #text) return true;
  HTTP_METHOD_MAP(SWOOP_RECEIVABLE)
#undef SWOOP_RECEIVABLE
  return false;
}

RequestParser::State RequestParser::fail(int status, const char* reason) noexcept {
  error_ = {status, reason};
  state_ = State::error;
  return state_;
}

bool RequestParser::take_continue() noexcept {
  const bool send = expect_continue_ && state_ == State::body;
  expect_continue_ = false;
  return send;
}

RequestParser::State RequestParser::feed(char* base, std::size_t avail) {
  base_ = base;
  if (state_ == State::head) return parse_head(base, avail);
  RequestBuilder::set_base(*req_, base + lead_);
  if (state_ == State::body) return execute(base, base + fed_, avail - fed_);
  return state_;
}

RequestParser::State RequestParser::parse_head(char* base, std::size_t avail) {
  // RFC 9112 2.2: ignore empty lines received before the request line.
  while (lead_ + 2 <= avail && base[lead_] == '\r' && base[lead_ + 1] == '\n') {
    lead_ += 2;
    if (lead_ > 2 * max_leading_empty_lines) return fail(400, "too many empty lines");
  }
  const char* head = base + lead_;
  const std::size_t have = avail - lead_;
  // RFC 9110 9.3.2: even an error response to HEAD carries no content.
  head_method_ = have >= 5 && std::memcmp(head, "HEAD ", 5) == 0;
  const std::size_t end = find_head_end(head, have, scanned_);
  if (end == 0) {
    if (has_bare_line_end(head, have, scanned_)) return fail(400, "line not terminated by CRLF");
    scanned_ = have;
    if (have <= options_.max_header_size) return State::head;
    const void* eol = std::memchr(head, '\n', have);
    if (eol == nullptr && have > options_.max_target_size) {
      return fail(414, "request target too long");
    }
    return fail(431, "request head too large");
  }
  if (end > options_.max_header_size) {
    const auto* eol = static_cast<const char*>(std::memchr(head, '\n', end));
    if (eol != nullptr && static_cast<std::size_t>(eol - head) > options_.max_target_size) {
      return fail(414, "request target too long");
    }
    return fail(431, "request head too large");
  }
  HeadLayout layout;
  RequestHeaders& fields = RequestBuilder::headers(*req_);
  Access::clear(fields);
  const HeadError e = validate_head(
      head, end, {.max_target = options_.max_target_size, .max_fields = options_.max_header_count},
      layout, fields);
  if (e.status != 0) return fail(e.status, e.reason);
  RequestBuilder::set_base(*req_, head);
  // HTTP/1.x above 1.1 is processed as 1.1 (RFC 9110 2.5), llhttp included: it refuses 1.2.
  char& minor = base[lead_ + layout.version_off + 7];
  if (minor > '1') minor = '1';
  const int version = 10 + (minor - '0');
  RequestBuilder::set_head(*req_, layout, version);
  if (!RequestBuilder::decode_path(*req_)) return fail(400, "malformed request target");
  fed_ = lead_;
  body_off_ = lead_ + end;
  if (shortcut_ && layout.plain && complete_plain(end, version)) return state_;
  // llhttp sees this request from its first byte: reset only now (plain requests never get here).
  llhttp_reset(&llhttp_);
  settings_.on_header_field = nullptr;
  settings_.on_header_value = nullptr;
  const State s = execute(base, head, end);
  if (s != State::head) return s;
  state_ = State::body;
  return execute(base, base + fed_, avail - fed_);
}

RequestParser::State RequestParser::execute(char* base, const char* from, std::size_t len) {
  if (len == 0) return state_;
  const llhttp_errno_t err = llhttp_execute(&llhttp_, from, len);
  if (state_ == State::error) return state_;
  switch (err) {
    case HPE_OK:
      fed_ += len;
      return state_;
    case HPE_PAUSED:
    case HPE_PAUSED_UPGRADE: {
      if (err == HPE_PAUSED_UPGRADE || llhttp_get_upgrade(&llhttp_) != 0) tunnel_ = true;
      consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&llhttp_) - base);
      fed_ = consumed_;
      RequestBuilder::set_body_span(*req_, static_cast<std::uint32_t>(body_off_ - lead_),
                                    static_cast<std::uint32_t>(streaming_ ? 0 : body_len_));
      state_ = State::complete;
      return state_;
    }
    case HPE_INVALID_METHOD:
      return fail(501, "method not implemented");
    case HPE_INVALID_VERSION:
      return fail(505, "HTTP version not supported");
    default:
      return fail(400, "malformed request");
  }
}

namespace {

// Whether a field name (a token: no CR, LF or control byte) is `lower`, a lower-case name of
// letters and '-'. Setting bit 5 maps only 'A'-'Z' onto 'a'-'z' and keeps '-' there, and the
// bytes it maps onto those from elsewhere (0x0d for '-') are not token bytes: exact, no call.
bool is_name(std::string_view name, std::string_view lower) noexcept {
  if (name.size() != lower.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if ((name[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool RequestParser::complete_plain(std::size_t head_len, int version) noexcept {
  // A plain GET or HEAD without framing, expectation or connection-management fields but a
  // lone Connection: close or keep-alive is complete at the end of its head; llhttp would
  // only say so. Anything else, even valid, goes through llhttp (and check_framing).
  const std::string_view method = req_->method();
  if (method != "GET" && method != "HEAD") return false;
  std::size_t hosts = 0, connections = 0;
  bool close = false, keep = false;
  const RequestHeaders& fields = req_->headers();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto [name, value] = fields[i];
    switch (name.size()) {
      case 4:
        hosts += is_name(name, "host") ? 1 : 0;
        break;
      case 6:
        if (is_name(name, "expect")) return false;
        break;
      case 7:
        if (is_name(name, "upgrade")) return false;
        break;
      case 10:
        if (!is_name(name, "connection")) break;
        ++connections;
        close = iequals(value, "close");
        keep = iequals(value, "keep-alive");
        if (!close && !keep) return false;
        break;
      case 14:
        if (is_name(name, "content-length")) return false;
        break;
      case 16:
        if (is_name(name, "proxy-connection")) return false;
        break;
      case 17:
        if (is_name(name, "transfer-encoding")) return false;
        break;
      default:
        break;
    }
  }
  if (hosts != 1 || connections > 1) return false;
  consumed_ = fed_ = lead_ + head_len;
  RequestBuilder::set_body_span(*req_, static_cast<std::uint32_t>(head_len), 0);
  RequestBuilder::set_keep_alive(*req_, version == 11 ? !close : keep);
  state_ = State::complete;
  return true;
}

HeadError RequestParser::check_framing() noexcept {
  const RequestHeaders& fields = req_->headers();
  std::size_t hosts = 0, lengths = 0, encodings = 0;
  std::string_view te, expect;
  bool close = false, keep = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto [name, value] = fields[i];
    if (iequals(name, "host"))
      ++hosts;
    else if (iequals(name, "content-length"))
      ++lengths;
    else if (iequals(name, "transfer-encoding"))
      ++encodings, te = value;
    else if (iequals(name, "expect"))
      expect = value;
    else if (iequals(name, "connection"))
      close |= has_list_token(value, "close"), keep |= has_list_token(value, "keep-alive");
  }
  const bool http11 = llhttp_.http_minor == 1;
  // RFC 9112 9.3, from the trimmed fields as on the plain path: llhttp takes `close` followed
  // by a tab for another token.
  RequestBuilder::set_keep_alive(*req_, http11 ? !close : keep && !close);
  // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one otherwise.
  if ((http11 && hosts != 1) || hosts > 1) return {400, "missing or repeated Host header"};
  // RFC 9112 6.1 and 6.3: anything that could be framed two ways is refused.
  if (lengths > 1) return {400, "repeated Content-Length"};
  if (encodings > 0) {
    if (lengths > 0) return {400, "both Content-Length and Transfer-Encoding"};
    if (!http11) return {400, "Transfer-Encoding in an HTTP/1.0 request"};
    if (encodings > 1 || !iequals(last_element(te), "chunked")) {
      return {400, "Transfer-Encoding must end with chunked"};
    }
    if (!iequals(te, "chunked")) return {501, "unsupported transfer coding"};
  }
  const bool has_body = (llhttp_.flags & F_CHUNKED) != 0 || llhttp_.content_length > 0;
  // Only requests with a body ask: the plain GET path never pays for a second route match.
  streaming_ = has_body && probe_ != nullptr && probe_(probe_ctx_);
  if (!streaming_ && (llhttp_.flags & F_CONTENT_LENGTH) != 0) {
    if (llhttp_.content_length > options_.max_body_size) return {413, "body too large"};
    // The buffer grows to this at once rather than by doubling: fewer copies, and a large
    // body draws on the worker's budget once, for what it needs.
    needed_ = body_off_ + llhttp_.content_length;
  }
  if (!expect.empty()) {
    if (!iequals(expect, "100-continue")) return {417, "unsupported expectation"};
    expect_continue_ = has_body && http11;
  }
  if ((llhttp_.flags & F_CHUNKED) != 0) {
    settings_.on_header_field = &on_trailer_name;
    settings_.on_header_value = &on_trailer_value;
  }
  return {};
}

int RequestParser::on_headers_complete(llhttp_t* p) noexcept {
  RequestParser& self = self_of(p);
  const HeadError e = self.check_framing();
  if (e.status != 0) {
    self.fail(e.status, e.reason);
    return -1;
  }
  return 0;
}

int RequestParser::on_body(llhttp_t* p, const char* at, std::size_t len) noexcept {
  RequestParser& self = self_of(p);
  if (self.streaming_) {
    self.sink_->append(at, len);
    self.body_len_ += len;
    self.raw_end_ = static_cast<std::size_t>(at - self.base_) + len;
    return 0;
  }
  char* dest = self.base_ + self.body_off_ + self.body_len_;
  // Chunked bodies are de-chunked in place: data only ever moves towards the front.
  if (dest != at) std::memmove(dest, at, len);
  self.body_len_ += len;
  self.raw_end_ = static_cast<std::size_t>(at - self.base_) + len;
  return 0;
}

int RequestParser::on_message_complete(llhttp_t*) noexcept { return HPE_PAUSED; }

int RequestParser::on_chunk_header(llhttp_t* p) noexcept {
  RequestParser& self = self_of(p);
  self.chunk_size_ = p->content_length;
  self.chunk_ext_ = 0;
  if (!self.streaming_ && self.chunk_size_ > self.options_.max_body_size - self.body_len_) {
    self.fail(413, "body too large");
    return -1;
  }
  return 0;
}

int RequestParser::on_chunk_complete(llhttp_t* p) noexcept {
  RequestParser& self = self_of(p);
  // llhttp 8.1 does not check what follows chunk data; RFC 9112 7.1 requires CRLF.
  if (self.chunk_size_ > 0) {
    const char* after = self.base_ + self.raw_end_;
    if (after[0] != '\r' || after[1] != '\n') {
      self.fail(400, "chunk data not followed by CRLF");
      return -1;
    }
  }
  return 0;
}

int RequestParser::on_chunk_extension(llhttp_t* p, const char*, std::size_t len) noexcept {
  RequestParser& self = self_of(p);
  self.chunk_ext_ += len;
  if (self.chunk_ext_ > max_chunk_extension) {
    self.fail(400, "chunk extensions too long");
    return -1;
  }
  return 0;
}

int RequestParser::check_trailer(llhttp_t* p, const char* at, std::size_t len,
                                 bool (*allowed)(unsigned char) noexcept) noexcept {
  RequestParser& self = self_of(p);
  self.trailer_ += len;
  for (std::size_t i = 0; i < len; ++i) {
    if (!allowed(static_cast<unsigned char>(at[i]))) {
      self.fail(400, "invalid trailer field");
      return -1;
    }
  }
  if (self.trailer_ > self.options_.max_header_size) {
    self.fail(431, "trailers too large");
    return -1;
  }
  return 0;
}

int RequestParser::on_trailer_name(llhttp_t* p, const char* at, std::size_t len) noexcept {
  return check_trailer(p, at, len, &is_token_char);
}

int RequestParser::on_trailer_value(llhttp_t* p, const char* at, std::size_t len) noexcept {
  return check_trailer(p, at, len, &is_value_char);
}

}  // namespace swoop::detail
