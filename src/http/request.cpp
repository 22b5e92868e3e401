// SPDX-License-Identifier: MIT
// Request accessors and the RequestBuilder that fills a Request from parsed bytes.
#include "swoop/request.hpp"

#include <cstdint>

#include "http/request_builder.hpp"
#include "swoop/detail/access.hpp"

namespace swoop {

namespace {
// Where the path part of a target is: origin-form "/p?q", absolute-form "http://h/p?q", or "*".
struct PathPart {
  std::size_t at = 0, len = 0;
  bool root = false;  // an absolute-form target without a path: the path is "/"
};
PathPart path_part(std::string_view target) noexcept {
  std::size_t at = 0;
  if (target.size() > 0 && target.front() != '/' && target != "*") {
    // RFC 9112 3.2.2: absolute-form; the path starts after "scheme://authority".
    const std::size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      at = target.find_first_of("/?", scheme + 3);
      if (at == std::string_view::npos || target[at] == '?') return {.root = true};
    }
  }
  const std::size_t query = target.find('?', at);
  return {at, (query == std::string_view::npos ? target.size() : query) - at};
}
}  // namespace

std::string_view Request::raw_path() const noexcept {
  return path_root_ ? std::string_view{"/"} : view(path_);
}

std::string_view Request::host() const noexcept {
  const std::string_view t = target();
  if (!t.empty() && t.front() != '/' && t != "*") {
    if (const std::size_t scheme = t.find("://"); scheme != std::string_view::npos) {
      std::string_view authority = t.substr(scheme + 3);
      authority = authority.substr(0, authority.find_first_of("/?#"));
      // userinfo ("user@") is deprecated in http(s) URIs (RFC 9110 4.2.4): not part of the host.
      if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
      }
      return authority;
    }
  }
  return headers_.get("Host", "");
}

std::string_view Request::query_string() const noexcept {
  const std::string_view t = target();
  const std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

const QueryArgs& Request::args() const {
  if (!args_) args_.emplace(query_string());
  return *args_;
}

const FormData& Request::form() const {
  if (!form_) {
    static const FormLimits defaults;
    form_.emplace(parse_form(headers_.get("Content-Type", ""), body(),
                             host_ != nullptr ? host_->form_limits() : defaults));
  }
  return *form_;
}

const RequestCookies& Request::cookies() const {
  if (!cookies_) cookies_.emplace(parse_cookies(headers_));
  return *cookies_;
}

namespace detail {

void RequestBuilder::reset(Request& req) noexcept {
  req.base_ = nullptr;
  req.method_ = req.target_ = req.body_ = req.path_ = {};
  req.path_root_ = false;
  req.version_ = 11;
  req.keep_alive_ = true;
  req.body_owned_ = false;
  req.decoded_path_.clear();
  req.owned_body_.clear();
  req.args_.reset();
  req.form_.reset();
  req.cookies_.reset();
  Access::clear(req.headers_);
  req.params_.clear();
  req.ctx_.clear();
  req.cancel_.reset();
  req.json_.reset();  // gives the parser back to the pool; host_ is kept
  req.stream_.reader_ = nullptr;
  req.stream_.done_ = false;
}

void RequestBuilder::shrink(Request& req) noexcept {
  std::string{}.swap(req.owned_body_);
  std::string{}.swap(req.decoded_path_);
}

void RequestBuilder::set_body_reader(Request& req, BodyReader* reader) noexcept {
  req.stream_.reader_ = reader;
}

void RequestBuilder::set_base(Request& req, const char* base) noexcept {
  req.base_ = base;
  Access::rebase(req.headers_, base);
}

void RequestBuilder::move_params(Request& req, const char* from, std::size_t len,
                                 const char* to) noexcept {
  for (std::size_t i = 0; i < req.params_.size_; ++i) {
    std::string_view& value = req.params_.items_[i].second;
    // Compared as integers: pointers into different objects have no order.
    const auto at = reinterpret_cast<std::uintptr_t>(value.data());
    const auto start = reinterpret_cast<std::uintptr_t>(from);
    if (at >= start && at - start < len) value = {to + (at - start), value.size()};
  }
}

void RequestBuilder::set_head(Request& req, const HeadLayout& layout, int version) {
  req.method_ = {layout.method_off, layout.method_len};
  req.target_ = {layout.target_off, layout.target_len};
  req.version_ = version;
  // Found once: the router, decode_path() and path() all read it.
  const PathPart part = path_part(req.target());
  req.path_root_ = part.root;
  req.path_ = {layout.target_off + static_cast<std::uint32_t>(part.at),
               static_cast<std::uint32_t>(part.len)};
}

void RequestBuilder::set_body_span(Request& req, std::uint32_t off, std::uint32_t len) noexcept {
  req.body_ = {off, len};
}

void RequestBuilder::set_peer(Request& req, std::string_view addr, std::uint16_t port,
                              bool secure) noexcept {
  req.remote_addr_ = addr;
  req.remote_port_ = port;
  req.secure_ = secure;
}

bool RequestBuilder::decode_path(Request& req) {
  const std::string_view raw = req.raw_path();
  if (raw.empty() || (raw.front() != '/' && raw != "*")) return false;
  if (raw.find('%') == std::string_view::npos) return true;
  req.decoded_path_.clear();
  if (!percent_decode(raw, req.decoded_path_)) return false;
  // A decoded NUL could truncate the path for code that hands it to C APIs.
  return req.decoded_path_.find('\0') == std::string::npos;
}

}  // namespace detail
Task<std::string> RequestStream::read() {
  if (reader_ != nullptr) co_return co_await reader_->read();
  if (done_ || req_ == nullptr) co_return std::string{};
  done_ = true;
  co_return std::string{req_->body()};
}

}  // namespace swoop
