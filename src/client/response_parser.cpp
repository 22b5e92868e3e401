// SPDX-License-Identifier: MIT
// ResponseParser: llhttp callbacks that collect status, headers (original case) and body.
#include "client/response_parser.hpp"

namespace swoop::http::detail {

namespace {
ResponseParser& self_of(llhttp_t* p) noexcept { return *static_cast<ResponseParser*>(p->data); }
}  // namespace

ResponseParser::ResponseParser(ClientResponse& out, bool head, std::size_t max_body,
                               HeadLimits limits)
    : out_(out), max_body_(max_body), limits_(limits), head_(head) {
  llhttp_settings_init(&settings_);
  settings_.on_status = &on_status;
  settings_.on_header_field = &on_header_field;
  settings_.on_header_value = &on_header_value;
  settings_.on_header_field_complete = &on_header_field_complete;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_chunk_header = &on_chunk_header;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

int ResponseParser::fail(Limit limit) noexcept {
  limit_ = limit;
  state_ = limit == Limit::informational ? State::error : State::too_large;
  return -1;
}

void ResponseParser::start_section() noexcept {
  in_section_ = true;
  section_size_ = 0;
  fields_ = 0;
}

int ResponseParser::on_status(llhttp_t* p, const char* at, std::size_t n) noexcept {
  self_of(p).out_.reason.append(at, n);
  return 0;
}

int ResponseParser::on_header_field(llhttp_t* p, const char* at, std::size_t n) noexcept {
  ResponseParser& self = self_of(p);
  if (self.in_trailers_) return 0;
  if (self.in_value_ || self.out_.headers.empty()) self.out_.headers.emplace_back();
  self.in_value_ = false;
  self.out_.headers.back().first.append(at, n);
  return 0;
}

int ResponseParser::on_header_value(llhttp_t* p, const char* at, std::size_t n) noexcept {
  ResponseParser& self = self_of(p);
  if (self.in_trailers_) return 0;
  self.in_value_ = true;
  self.out_.headers.back().second.append(at, n);
  return 0;
}

// A field is counted at the colon ending its name, not when a piece of the name arrives, so
// where the input was split cannot decide between this and a later syntax error.
int ResponseParser::on_header_field_complete(llhttp_t* p) noexcept {
  ResponseParser& self = self_of(p);
  return ++self.fields_ > self.limits_.max_header_count ? self.fail(Limit::header_count) : 0;
}

int ResponseParser::on_headers_complete(llhttp_t* p) noexcept {
  ResponseParser& self = self_of(p);
  self.in_section_ = false;
  self.in_value_ = false;
  // RFC 9110 6.5.1: trailer fields are not merged into the header section; they are dropped.
  self.in_trailers_ = true;
  self.out_.status = llhttp_get_status_code(p);
  // llhttp takes any 1-3 digit status and any HTTP/x.y version; RFC 9112 asks for three
  // digits and this client speaks HTTP/1.x only.
  if (self.out_.status < 100 || self.out_.status > 599) {
    self.state_ = State::error;
    self.error_ = "invalid status code " + std::to_string(self.out_.status);
    return -1;
  }
  if (llhttp_get_http_major(p) != 1) {
    self.state_ = State::error;
    self.error_ = "not an HTTP/1.x response";
    return -1;
  }
  for (const auto& header : self.out_.headers) {
    if (header.first.empty()) {  // llhttp lets ": value" through in responses
      self.state_ = State::error;
      self.error_ = "a header line without a name";
      return -1;
    }
  }
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > self.max_body_ && !self.head_) {
    return self.fail(Limit::body);
  }
  // RFC 9110 9.3.2: a response to HEAD has no content whatever Content-Length says; 1 tells
  // llhttp so, or it would wait for body bytes that never come.
  return self.head_ ? 1 : 0;
}

// RFC 9112 7.1.2: the last chunk (size 0) ends the body and the trailer section follows,
// which is bounded as a head is. Pausing tells feed() where it starts.
int ResponseParser::on_chunk_header(llhttp_t* p) noexcept {
  if (p->content_length != 0) return 0;
  self_of(p).start_section();
  return HPE_PAUSED;
}

int ResponseParser::on_body(llhttp_t* p, const char* at, std::size_t n) noexcept {
  ResponseParser& self = self_of(p);
  if (self.out_.body.size() + n > self.max_body_) return self.fail(Limit::body);
  self.out_.body.append(at, n);
  return 0;
}

int ResponseParser::on_message_complete(llhttp_t* p) noexcept {
  ResponseParser& self = self_of(p);
  const int status = self.out_.status;
  if (status >= 100 && status < 200 && status != 101) {
    // RFC 9110 15.2: interim responses are skipped; the final one follows. A server may send
    // several, but not without end.
    if (++self.informational_ > self.limits_.max_informational) {
      return self.fail(Limit::informational);
    }
    self.out_ = ClientResponse{};
    self.in_trailers_ = false;
    self.start_section();
    // Pausing tells feed() where the next head starts, so that it is bounded on its own.
    return HPE_PAUSED;
  }
  self.state_ = State::complete;
  // RFC 9110 15.2.2: after a 101 the connection speaks another protocol, never HTTP again.
  self.reusable_ = status != 101 && llhttp_should_keep_alive(p) != 0;
  return HPE_PAUSED;
}

ResponseParser::State ResponseParser::feed(std::string_view bytes) {
  if (bytes.empty() || state_ != State::incomplete) return state_;
  started_ = true;
  while (!bytes.empty()) {
    // RFC 9112 2.3 lets a recipient bound the head. Feeding at most the room left means the
    // byte past the limit is never parsed: nothing beyond it is stored, however it is split.
    std::string_view piece = bytes;
    if (in_section_) {
      if (section_size_ == limits_.max_header_size) {
        fail(in_trailers_ ? Limit::trailer_size : Limit::header_size);
        return state_;
      }
      piece = bytes.substr(0, limits_.max_header_size - section_size_);
    }
    const llhttp_errno_t err = llhttp_execute(&parser_, piece.data(), piece.size());
    const char* end =
        err == HPE_PAUSED ? llhttp_get_error_pos(&parser_) : piece.data() + piece.size();
    const auto used = static_cast<std::size_t>(end - piece.data());
    if (state_ == State::complete) {
      leftover_ = bytes.size() - used;
      // Bytes after the response (none were asked for) make the connection unsafe to reuse.
      if (err != HPE_PAUSED || used != bytes.size()) reusable_ = false;
      return state_;
    }
    if (state_ != State::incomplete) return state_;
    if (err == HPE_PAUSED) {
      llhttp_resume(&parser_);  // an interim head or the trailer section starts at end
    } else if (err != HPE_OK) {
      state_ = State::error;
      return state_;
    } else if (in_section_) {
      section_size_ += used;
    }
    bytes.remove_prefix(used);
  }
  return state_;
}

ResponseParser::State ResponseParser::finish() {
  if (state_ != State::incomplete) return state_;
  if (!started_) return state_;
  // EOF right after an interim response, before any byte of the next: llhttp, paused there,
  // has not reached its start state, but the outcome is that of EOF before a response.
  if (in_section_ && !in_trailers_ && section_size_ == 0) return state_;
  const llhttp_errno_t err = llhttp_finish(&parser_);
  if (state_ == State::complete) {
    reusable_ = false;
  } else if (err != HPE_OK) {
    state_ = State::error;
  }
  return state_;
}

std::string ResponseParser::error() const {
  const std::string size = std::to_string(limits_.max_header_size);
  switch (limit_) {
    case Limit::none:
      break;
    case Limit::body:
      return "body exceeds " + std::to_string(max_body_) + " bytes (max_body)";
    case Limit::header_size:
      return "head exceeds " + size + " bytes (max_header_size)";
    case Limit::header_count:
      return "more than " + std::to_string(limits_.max_header_count) +
             " header fields (max_header_count)";
    case Limit::trailer_size:
      return "trailer section exceeds " + size + " bytes (max_header_size)";
    case Limit::informational:
      return "more than " + std::to_string(limits_.max_informational) +
             " interim (1xx) responses (max_informational)";
  }
  if (!error_.empty()) return error_;
  const char* reason = llhttp_get_error_reason(&parser_);
  return reason != nullptr ? reason : "malformed response";
}

}  // namespace swoop::http::detail
