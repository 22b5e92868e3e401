// SPDX-License-Identifier: MIT
// swoop::http::Client: an async HTTP/1.1 client (http and https) with a keep-alive pool.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "swoop/json.hpp"
#include "swoop/task.hpp"

namespace swoop::http {

/// What went wrong with an outbound request (ClientError::kind()).
enum class ClientErrorKind {
  dns,        ///< the host name did not resolve
  connect,    ///< no address of the host accepted a TCP connection
  tls,        ///< the TLS handshake failed (certificate, hostname, protocol)
  timeout,    ///< a connect, handshake or request timeout passed
  protocol,   ///< malformed URL or response, connection lost mid-response, too many redirects,
              ///< more interim (1xx) responses than ClientOptions::max_informational
  too_large,  ///< the response passed max_body, max_header_size or max_header_count
  cancelled,  ///< reserved: cancellation surfaces as swoop::Cancelled, see Client
  refused,    ///< ClientOptions::allow_address refused a resolved address of the host
};

/// The one exception type of the client: a kind, a message a person can act on, and the
/// underlying error code when there is one (libuv's or swoop's categories).
///
/// Example:
///     try { co_await client.get(url); }
///     catch (const swoop::http::ClientError& e) { if (e.kind() == ClientErrorKind::dns) ...; }
class ClientError : public std::runtime_error {
 public:
  /// Builds an error of a kind with a message and an optional code.
  ClientError(ClientErrorKind kind, const std::string& message, std::error_code code = {})
      : std::runtime_error(message), kind_(kind), code_(code) {}
  /// What went wrong.
  ClientErrorKind kind() const noexcept { return kind_; }
  /// The underlying error code (empty when there is none).
  std::error_code code() const noexcept { return code_; }

 private:
  ClientErrorKind kind_;
  std::error_code code_;
};

/// The response to an outbound request; a value that owns all of its data.
struct ClientResponse {
  int status = 0;      ///< the status code
  std::string reason;  ///< the reason phrase as sent
  HeaderList headers;  ///< in wire order, with the names' original case
  std::string body;    ///< the de-chunked body (empty for HEAD)
  std::string url;     ///< the final URL, after any redirects

  /// The first value of a header, compared case-insensitively; nullopt when absent.
  /// Lifetime: the view is valid while the response is alive and unchanged.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  /// Every value of a header, in wire order, compared case-insensitively.
  /// Lifetime: the views are valid while the response is alive and unchanged.
  std::vector<std::string_view> get_all(std::string_view name) const;
};

/// One resolved IP address and port, as ClientOptions::allow_address sees it.
struct IpAddress {
  /// The address family.
  enum class Family : std::uint8_t { v4, v6 };
  /// IPv4 or IPv6.
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  ///< network order; an IPv4 address uses bytes[0..3]
  std::uint16_t port = 0;                ///< host order

  /// The printable address without the port: "127.0.0.1", "::1".
  std::string text() const;
  /// Parses a numeric IPv4 or IPv6 address ("10.0.0.1", "::1", "[::1]"); nullopt otherwise.
  /// Only the canonical forms: "127.1" or "2130706433" are left to the resolver to normalize.
  static std::optional<IpAddress> parse(std::string_view text, std::uint16_t port = 0);
};

/// Why an address is not publicly routable, as a phrase for messages ("a loopback address",
/// "a private address", "a link-local address", ...); empty when it is public.
/// IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) addresses are classified by the
/// IPv4 address they embed.
std::string_view address_class(const IpAddress& address) noexcept;

/// Whether an address is publicly routable: not loopback, private (10/8, 172.16/12,
/// 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), shared (100.64/10), "this
/// network" (0/8, ::), multicast, reserved (240/4), broadcast or documentation.
/// Usable as ClientOptions::allow_address to keep a service from being an SSRF hole.
bool is_public_address(const IpAddress& address) noexcept;

/// Options of a Client, fixed at construction.
struct ClientOptions {
  std::size_t max_per_host = 8;  ///< connections per (scheme, host, port); more requests wait
  std::chrono::milliseconds idle_timeout{30'000};     ///< an idle pooled connection is closed after
  std::chrono::milliseconds connect_timeout{10'000};  ///< per TCP connect attempt
  std::chrono::milliseconds tls_handshake_timeout{10'000};  ///< per TLS handshake
  std::chrono::milliseconds request_timeout{30'000};        ///< whole request, unless overridden
  bool verify_tls = true;  ///< verify certificates and host names (false: insecure opt-out)
  std::string ca_file;     ///< an extra PEM CA file, trusted besides the system store
  std::size_t max_body = 16 * 1024 * 1024;  ///< largest response body accepted
  /// Largest response head accepted: status line and header lines, line ends included,
  /// counted for each head (1xx interim heads too) as its bytes arrive. The byte past it
  /// fails the request with ClientError{too_large} and closes the connection, before
  /// anything more is stored. Also bounds the trailer fields of a chunked body.
  std::size_t max_header_size = 64 * 1024;
  /// Most header fields in one response head (or trailer section); one more fails the
  /// request with ClientError{too_large}. The default is the server's
  /// (RunOptions::max_header_count).
  std::size_t max_header_count = 100;
  /// Most interim (1xx) responses before the final one; one more fails the request with
  /// ClientError{protocol}, so a server cannot keep a request going with endless
  /// `100 Continue` heads.
  std::size_t max_informational = 16;
  std::string user_agent = "swoop";  ///< User-Agent sent unless a request sets one
  /// The address policy: called for every address the host resolves to, after DNS and
  /// before connecting (so for every redirect hop too); when it returns false for any of
  /// them the request fails with ClientError{refused}. Empty: every address is allowed.
  /// Example: `ClientOptions{.allow_address = swoop::http::is_public_address}`.
  std::function<bool(const IpAddress&)> allow_address;
};

/// Per-request options of Client::request.
struct RequestOptions {
  HeaderList headers;  ///< extra headers; Host, Content-Length are added when missing
  std::string body;    ///< the request body (sent with Content-Length when not empty)
  std::optional<std::chrono::milliseconds> timeout;  ///< overrides request_timeout
  bool follow_redirects = false;                     ///< follow 301, 302, 303, 307, 308
  int max_redirects = 10;                            ///< hops before ClientError{protocol}
  std::optional<std::size_t> max_body;               ///< overrides ClientOptions::max_body
};

/// An async HTTP/1.1 client for http:// and https:// URLs, used from coroutines on a Loop.
///
/// Requests reuse keep-alive connections pooled per (scheme, host, port), at most
/// max_per_host at once (further requests wait for one). A request on a reused connection
/// that fails before any response byte is retried once on a new connection when its method
/// is idempotent (GET, HEAD, PUT, DELETE, OPTIONS).
/// Errors: every failure throws ClientError (see ClientErrorKind); a URL that is not http(s)
/// or is malformed throws ClientError{protocol}. A status >= 400 is a response, not an error.
/// Cancellation: when the awaiting task is cancelled (with_timeout, gather, a gone client of
/// the handler), the request is aborted, its connection closed, and swoop::Cancelled thrown
/// (swoop::Timeout from with_timeout).
/// Lifetime: constructed on the Loop thread it is used from; must outlive every request Task
/// it started (asserted by the destructor, which closes idle connections).
/// Thread safety: loop-affine.
/// Example:
///     swoop::http::Client client;
///     auto res = co_await client.get("http://127.0.0.1:8000/json");
///     if (res.status == 200) use(res.body);
class Client {
 public:
  /// Creates a client on the calling thread's Loop.
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends method to url and returns the response (see the class comment for errors).
  /// Lifetime: the arguments are copied; the client must outlive the Task.
  Task<ClientResponse> request(std::string method, std::string url, RequestOptions options = {});

  /// HEAD url: the response has headers and no body.
  Task<ClientResponse> head(std::string url) { return request("HEAD", std::move(url)); }
  /// GET url.
  Task<ClientResponse> get(std::string url) { return request("GET", std::move(url)); }
  /// DELETE url.
  Task<ClientResponse> del(std::string url) { return request("DELETE", std::move(url)); }
  /// POST body to url with a Content-Type.
  Task<ClientResponse> post(std::string url, std::string body,
                            std::string content_type = "text/plain; charset=utf-8");
  /// POST a JSON value to url (Content-Type: application/json).
  Task<ClientResponse> post_json(std::string url, const JsonValue& value);
  /// PUT body to url with a Content-Type.
  Task<ClientResponse> put(std::string url, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  /// PATCH body to url with a Content-Type.
  Task<ClientResponse> patch(std::string url, std::string body,
                             std::string content_type = "text/plain; charset=utf-8");

  /// Closes every idle pooled connection and waits for their handles to close; requests
  /// still running finish normally. The client stays usable.
  Task<void> close();

  /// Connections currently open (idle and in use), for tests and metrics.
  std::size_t open_connections() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swoop::http
