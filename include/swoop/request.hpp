// SPDX-License-Identifier: MIT
// Request: a view of one received HTTP request, valid while its handler runs.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "swoop/context.hpp"
#include "swoop/cookies.hpp"
#include "swoop/detail/cancel.hpp"
#include "swoop/detail/json_document.hpp"
#include "swoop/detail/text_value.hpp"
#include "swoop/error.hpp"
#include "swoop/form.hpp"
#include "swoop/headers.hpp"
#include "swoop/router.hpp"
#include "swoop/task.hpp"
#include "swoop/url.hpp"

namespace swoop {

class JsonView;  // swoop/json_view.hpp: include it to read json()
class Response;
namespace net {
class Transport;
}

namespace detail {
class RequestBuilder;

/// The server's side of a request: the settings that apply to it, and the protocol switch.
/// A Request made outside a server has none (then the defaults apply).
class RequestHost {
 public:
  /// The limits req.form() applies (RunOptions::form_limits).
  virtual const FormLimits& form_limits() const noexcept = 0;
  /// Whether req.json() accepts any Content-Type (RunOptions::json_any_content_type).
  virtual bool json_any_content_type() const noexcept = 0;
  /// Sends response (a 101) as the last HTTP/1.1 bytes on the connection and hands over its
  /// transport; the request stays valid (its bytes are copied out of the read buffer).
  virtual net::Transport& switch_protocols(const Response& response) = 0;

 protected:
  ~RequestHost() = default;
};

/// The connection side of a request body read as it arrives.
class BodyReader {
 public:
  /// The next piece of the body; empty at its end.
  virtual Task<std::string> read() = 0;

 protected:
  ~BodyReader() = default;
};
}  // namespace detail

class Request;

/// A request body read piece by piece as it arrives (see RouteOptions::stream_body).
///
/// Lifetime: part of its Request; valid until the handler's Task completes.
class RequestStream {
 public:
  /// The next piece of the body in arrival order (de-chunked); an empty string once the body
  /// ended. On a route without stream_body, the whole (already received) body comes at once.
  ///
  /// Reading is the flow control: while the handler does not read, the server stops reading
  /// the socket, so a fast client cannot make it buffer more than a few pieces. Throws
  /// HttpError 400 for a malformed chunked body and swoop::Cancelled when the client left.
  /// Example:
  ///     for (std::string piece; !(piece = co_await req.stream().read()).empty();)
  ///       total += piece.size();
  Task<std::string> read();

 private:
  friend class detail::RequestBuilder;
  friend class Request;
  detail::BodyReader* reader_ = nullptr;
  const Request* req_ = nullptr;
  bool done_ = false;
};

/// One HTTP request as received: method, target, headers, body, path parameters, context.
///
/// Lifetime: owned by its connection; a handler's `Request&` and every view it hands out are
/// valid until the handler's Task completes. Copy what you keep beyond that.
/// Thread safety: loop-affine, like everything on a connection.
class Request {
 public:
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  /// The method as sent ("GET", "POST", ...).
  std::string_view method() const noexcept { return view(method_); }
  /// The request target exactly as sent ("/a%20b?x=1").
  std::string_view target() const noexcept { return view(target_); }
  /// The percent-decoded path, without the query.
  std::string_view path() const noexcept {
    return decoded_path_.empty() ? raw_path() : std::string_view{decoded_path_};
  }
  /// The query string without the '?' (raw, not decoded).
  std::string_view query_string() const noexcept;
  /// The parsed query (decoded; repeated keys kept in order). Parsed on first use.
  const QueryArgs& args() const;
  /// The request's headers.
  const RequestHeaders& headers() const noexcept { return headers_; }
  /// The first value of a header, case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    return headers_.get(name);
  }
  /// The body as it arrives, piece by piece: on a route registered with
  /// RouteOptions::stream_body, the handler runs once the head arrived and reads the body
  /// here (body() is then empty).
  RequestStream& stream() noexcept {
    stream_.req_ = this;
    return stream_;
  }
  /// The whole body (already received; de-chunked); empty on a stream_body route.
  std::string_view body() const noexcept {
    return body_owned_ ? std::string_view{owned_body_} : view(body_);
  }
  /// The body parsed as JSON: the root of a read-only document (see JsonView).
  ///
  /// Parses once with simdjson; later calls return the same document (or throw the same
  /// error). Throws HttpError 415 unless Content-Type is application/json or a `+json` type
  /// (parameters allowed, case-insensitive; the app can accept any type), 400 for an empty
  /// body and 400 for malformed JSON, with a message saying what is wrong and where (line,
  /// column and byte offset) when that can be found; arrays and objects nested more than 1024
  /// deep are malformed. A leading UTF-8 byte order mark is ignored. Calling it needs
  /// swoop/json_view.hpp (swoop/swoop.hpp includes it); request.hpp only names JsonView.
  /// Lifetime: the view and the string_views read from it are valid until the handler's Task
  /// completes; copy what you keep (`get<std::string>()`, `get<JsonValue>()`).
  /// Example:
  ///     auto url = req.json().get<std::string_view>("url");
  JsonView json() const;
  /// The JSON body read as T, a type described with swoop::describe (swoop/describe.hpp):
  /// every field and constraint is checked, and every mistake is reported at once, as one
  /// ValidationError (422) listing them. The errors of json() come first (400, 413, 415).
  /// Example:
  ///     NewItem item = req.json<NewItem>();
  template <typename T>
  T json() const;
  /// The query string read as T, a described struct (swoop/describe.hpp): each field from
  /// the parameter of its name (its first value; a std::vector field takes every value of a
  /// repeated parameter, `?tag=a&tag=b`), read as a string, bool (true/false, 1/0, yes/no,
  /// on/off), number or described enum, with the field's constraints. Every mistake is
  /// reported at once, as one ValidationError (422).
  /// Example:
  ///     auto q = req.query<ListQuery>();
  template <typename T>
  T query() const;
  /// The body's form fields and files (urlencoded or multipart), parsed on first use.
  ///
  /// Throws HttpError 415 for another content type, 400 for a malformed body, 413 beyond the
  /// limits (RunOptions::form_limits). Lifetime: views into the body, valid until the
  /// handler's Task completes.
  /// Example:
  ///     auto name = req.form().get("name", "anonymous");
  const FormData& form() const;
  /// The form's fields read as T, a described struct, as query<T>() reads the query string
  /// (files are not fields). The errors of form() come first (400, 413, 415).
  template <typename T>
  T form() const;
  /// The headers read as T, a described struct whose field names are header names (matched
  /// case-insensitively), as query<T>() reads the query string; a std::vector field takes
  /// every value, of repeated lines and of comma-separated lists. Every mistake is reported at
  /// once, as one ValidationError (422).
  /// Example:
  ///     struct Client { std::string user_agent; std::optional<int> api_version; };  // fields
  ///     // "User-Agent" and "X-Api-Version" in its description
  ///     auto client = req.headers<Client>();
  template <typename T>
  T headers() const;
  /// The cookies of every Cookie header, parsed leniently on first use (RFC 6265 5.4).
  /// Lifetime: views into the headers, valid until the handler's Task completes.
  const RequestCookies& cookies() const;
  /// The HTTP version as major*10+minor (11 or 10).
  int version() const noexcept { return version_; }
  /// Whether the connection stays open after this request.
  bool is_keep_alive() const noexcept { return keep_alive_; }
  /// The peer's address ("127.0.0.1", "::1").
  std::string_view remote_addr() const noexcept { return remote_addr_; }
  /// The peer's port.
  std::uint16_t remote_port() const noexcept { return remote_port_; }
  /// Whether the request came over TLS (RunOptions::tls).
  bool is_secure() const noexcept { return secure_; }
  /// "https" over TLS, else "http" (the server's own view; a proxy in front may differ).
  std::string_view scheme() const noexcept { return secure_ ? "https" : "http"; }
  /// The host the request is for, with the port when one was sent ("a.example:8080"): the
  /// authority of an absolute-form target (`GET http://a.example/x`, which wins over the Host
  /// field, RFC 9112 3.2.2), else the Host field; empty when there is neither (HTTP/1.0).
  /// Host-routed blueprints choose by it. Lifetime: a view into the request.
  std::string_view host() const noexcept;

  /// The matched route's path parameters (raw decoded strings).
  const PathParams& params() const noexcept { return params_; }
  /// A path parameter converted to T (string types, integers, floating point).
  ///
  /// Throws HttpError 400 when the parameter is missing or does not convert to T.
  template <typename T = std::string_view>
  T param(std::string_view name) const;

  /// Typed storage shared by middleware and the handler for this request.
  RequestContext& ctx() noexcept { return ctx_; }

  /// Whether the server cancelled this request (client gone, response timeout).
  bool is_cancelled() const noexcept { return cancel_.is_cancelled(); }

 private:
  friend class detail::RequestBuilder;
  struct Span {
    std::uint32_t off = 0, len = 0;
  };
  std::string_view view(Span s) const noexcept { return {base_ + s.off, s.len}; }
  std::string_view raw_path() const noexcept;

  const char* base_ = nullptr;
  Span method_, target_, body_;
  Span path_;               // the path part of target_, found once by set_head
  bool path_root_ = false;  // an absolute-form target without a path: the path is "/"
  int version_ = 11;
  bool keep_alive_ = true;
  bool body_owned_ = false;
  std::string decoded_path_;  // empty when the raw path needs no decoding
  std::string owned_body_;
  mutable std::optional<QueryArgs> args_;
  mutable std::optional<FormData> form_;
  mutable std::optional<RequestCookies> cookies_;
  RequestHeaders headers_;
  PathParams params_;
  RequestContext ctx_;
  std::string_view remote_addr_;
  std::uint16_t remote_port_ = 0;
  bool secure_ = false;
  mutable detail::JsonDocumentPtr json_;  // the parsed body, borrowed from the thread's pool
  detail::CancelState cancel_;
  detail::RequestHost* host_ = nullptr;  // the server connection it arrived on, if any
  RequestStream stream_;
};

template <typename T>
T Request::param(std::string_view name) const {
  auto raw = params_.get(name);
  if (!raw) throw HttpError{400, "missing path parameter \"" + std::string{name} + "\""};
  if constexpr (std::is_same_v<T, std::string_view>) {
    return *raw;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return std::string{*raw};
  } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    T value{};
    const char* first = raw->data();
    const char* last = first + raw->size();
    // The router's float type accepts a leading '+', which from_chars does not.
    if constexpr (std::is_floating_point_v<T>) {
      if (first != last && *first == '+') ++first;
    }
    auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || end != last) {
      throw HttpError{400, "path parameter \"" + std::string{name} + "\" must be " +
                               detail::text_value_expectation<T>()};
    }
    return value;
  } else {
    static_assert(std::is_same_v<T, std::string_view>,
                  "param<T>: T must be std::string_view, std::string or a number type");
  }
}

}  // namespace swoop
