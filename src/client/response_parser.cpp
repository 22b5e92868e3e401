// SPDX-License-Identifier: MIT
// ResponseParser: llhttp callbacks that collect status, headers (original case) and body.
#include "client/response_parser.hpp"

namespace swoop::http::detail {

namespace {
ResponseParser& self_of(llhttp_t* p) noexcept { return *static_cast<ResponseParser*>(p->data); }
}  // namespace

ResponseParser::ResponseParser(ClientResponse& out, bool head, std::size_t max_body)
    : out_(out), max_body_(max_body), head_(head) {
  llhttp_settings_init(&settings_);
  settings_.on_status = &on_status;
  settings_.on_header_field = &on_header_field;
  settings_.on_header_value = &on_header_value;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
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

int ResponseParser::on_headers_complete(llhttp_t* p) noexcept {
  ResponseParser& self = self_of(p);
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
    self.state_ = State::too_large;
    return -1;
  }
  // RFC 9110 9.3.2: a response to HEAD has no content whatever Content-Length says; 1 tells
  // llhttp so, or it would wait for body bytes that never come.
  return self.head_ ? 1 : 0;
}

int ResponseParser::on_body(llhttp_t* p, const char* at, std::size_t n) noexcept {
  ResponseParser& self = self_of(p);
  if (self.out_.body.size() + n > self.max_body_) {
    self.state_ = State::too_large;
    return -1;
  }
  self.out_.body.append(at, n);
  return 0;
}

int ResponseParser::on_message_complete(llhttp_t* p) noexcept {
  ResponseParser& self = self_of(p);
  const int status = self.out_.status;
  if (status >= 100 && status < 200 && status != 101) {
    // RFC 9110 15.2: interim responses are skipped; the final one follows.
    self.out_ = ClientResponse{};
    self.in_trailers_ = false;
    return 0;
  }
  self.state_ = State::complete;
  self.reusable_ = llhttp_should_keep_alive(p) != 0;
  return HPE_PAUSED;
}

ResponseParser::State ResponseParser::feed(std::string_view bytes) {
  if (bytes.empty() || state_ != State::incomplete) return state_;
  started_ = true;
  const llhttp_errno_t err = llhttp_execute(&parser_, bytes.data(), bytes.size());
  if (state_ == State::complete) {
    // Bytes after the response (none were asked for) make the connection unsafe to reuse.
    const char* pos = llhttp_get_error_pos(&parser_);
    if (err != HPE_PAUSED || pos != bytes.data() + bytes.size()) reusable_ = false;
    return state_;
  }
  if (state_ == State::incomplete && err != HPE_OK) state_ = State::error;
  return state_;
}

ResponseParser::State ResponseParser::finish() {
  if (state_ != State::incomplete) return state_;
  if (!started_) return state_;
  const llhttp_errno_t err = llhttp_finish(&parser_);
  if (state_ == State::complete) {
    reusable_ = false;
  } else if (err != HPE_OK) {
    state_ = State::error;
  }
  return state_;
}

std::string ResponseParser::error() const {
  if (!error_.empty()) return error_;
  const char* reason = llhttp_get_error_reason(&parser_);
  return reason != nullptr ? reason : "malformed response";
}

}  // namespace swoop::http::detail
