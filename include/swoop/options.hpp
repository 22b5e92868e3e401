// SPDX-License-Identifier: MIT
// RunOptions: where and how the server listens, and every limit and timeout it applies.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "swoop/form.hpp"
#include "swoop/setting.hpp"

namespace swoop {

/// The access log's format: none, Common Log Format lines, or one JSON object per line.
enum class AccessLog { off, common, json };

/// HTTPS: where the server's certificate and private key are (PEM files).
///
/// Both empty (the default): plain HTTP. The certificate file may hold the whole chain
/// (the server's certificate first, then intermediates). The server speaks TLS 1.2 and 1.3
/// and announces HTTP/1.1 through ALPN; websockets on it are wss.
/// Example:
///     app.run({.port = 8443, .tls = {.cert_file = "cert.pem", .key_file = "key.pem"}});
struct TlsOptions {
  Setting<std::string> cert_file;  ///< PEM certificate chain
  Setting<std::string> key_file;   ///< PEM private key of the first certificate
  /// Whether TLS is asked for (either file named).
  bool is_enabled() const noexcept { return !cert_file->empty() || !key_file->empty(); }
};

/// HTTP/2 (RFC 9113): whether the server offers it, and the limits each connection advertises
/// and enforces.
///
/// On a TLS listener the client chooses HTTP/2 through ALPN (`h2`); on a cleartext one a client
/// that opens with the HTTP/2 connection preface speaks h2c at once ("prior knowledge", RFC 9113
/// section 3.3). Every other connection is HTTP/1.1. The limit on a request's header list is
/// RunOptions::max_header_size, advertised as SETTINGS_MAX_HEADER_LIST_SIZE and enforced.
///
/// Errors: check() throws std::invalid_argument for a window outside 65535 to 2^31-1 or no
/// stream allowed at all; a Server calls it before it starts.
/// Example:
///     app.run({.port = 8443, .tls = {.cert_file = "cert.pem", .key_file = "key.pem"},
///              .http2 = {.max_concurrent_streams = 64}});
struct Http2Options {
  /// Whether HTTP/2 is offered: h2 through ALPN on TLS listeners, h2c with prior knowledge on
  /// cleartext ones. False: every connection is HTTP/1.1.
  Setting<bool> enabled = defaults_to(true);
  /// Streams one connection may have open at once, advertised as
  /// SETTINGS_MAX_CONCURRENT_STREAMS; at least 1.
  Setting<std::uint32_t> max_concurrent_streams = defaults_to(128);
  /// Request body bytes a client may send on one stream before the server has read them (the
  /// stream's flow-control window, advertised as SETTINGS_INITIAL_WINDOW_SIZE); from 65535 to
  /// 2^31-1.
  Setting<std::uint32_t> stream_window = defaults_to(256 * 1024);
  /// The same for the whole connection, over all its streams; from 65535 to 2^31-1.
  Setting<std::uint32_t> connection_window = defaults_to(1024 * 1024);
  /// Stream resets a client may cause at once, sending RST_STREAM or making the server reset a
  /// stream (CVE-2023-44487, "rapid reset"): a bucket of this many, refilled at
  /// resets_per_second. When it is empty the server sends GOAWAY with ENHANCE_YOUR_CALM and
  /// closes the connection.
  Setting<std::uint32_t> reset_burst = defaults_to(100);
  /// Stream resets the bucket of reset_burst gets back per second.
  Setting<std::uint32_t> resets_per_second = defaults_to(10);
  /// PING, SETTINGS and PRIORITY frames and empty DATA frames a client may send at once: a
  /// bucket of this many, refilled at control_frames_per_second. When it is empty the server
  /// sends GOAWAY with ENHANCE_YOUR_CALM and closes the connection.
  Setting<std::uint32_t> control_burst = defaults_to(100);
  /// Frames the bucket of control_burst gets back per second.
  Setting<std::uint32_t> control_frames_per_second = defaults_to(10);

  /// Checks the ranges above: throws std::invalid_argument naming the field, its value and the
  /// range when max_concurrent_streams is 0 or a window is outside 65535 to 2^31-1.
  void check() const;
};

/// Server settings for App::run and Server; every field has a sane default.
///
/// Each field is a Setting (setting.hpp): it knows whether the caller gave it. App::run fills
/// every field not given from app.config(), hence from environment variables: SWOOP_PORT,
/// SWOOP_REQUEST_TIMEOUT, ..., or with the app's own prefix (AppOptions::env_prefix,
/// MYSVC_PORT, ...). A value given here wins, even one equal to the default. A Server uses
/// exactly the options it is given. See app_config.hpp.
/// Example:
///     app.run({.host = "0.0.0.0", .port = 8080, .workers = 4});
struct RunOptions {
  /// Address to bind (an IPv4 or IPv6 literal).
  Setting<std::string> host = defaults_to("127.0.0.1");
  Setting<std::uint16_t> port = defaults_to(8000);  ///< 0 picks a free port (see Server::port())
  Setting<int> workers = defaults_to(1);            ///< event-loop threads; 0 means one per core
  Setting<int> backlog = defaults_to(1024);         ///< listen backlog
  /// Listen on the port even when another process already listens there: the kernel then
  /// splits connections between the processes (SO_REUSEPORT), as for a zero-downtime handover.
  /// False (the default): start-up fails with "address in use" (SystemError, EADDRINUSE).
  Setting<bool> share_port = defaults_to(false);
  TlsOptions tls;      ///< certificate and key for HTTPS; plain HTTP when empty
  Http2Options http2;  ///< HTTP/2 on or off, and its limits per connection

  /// Open connections per worker, lowered to what the descriptor limit (ulimit -n) allows for
  /// the workers. At the cap the longest idle keep-alive connection is closed for each new
  /// client; when none is idle (every connection has a request in progress) accepting pauses.
  Setting<std::size_t> max_connections = defaults_to(10000);
  /// Request-target bytes (414 beyond).
  Setting<std::size_t> max_target_size = defaults_to(8192);
  /// Request line and header bytes (431 beyond).
  Setting<std::size_t> max_header_size = defaults_to(16384);
  /// Header fields (431 beyond).
  Setting<std::size_t> max_header_count = defaults_to(100);
  /// Body bytes (413 beyond).
  Setting<std::size_t> max_body_size = defaults_to(16 * 1024 * 1024);
  /// Bytes of large request heads and bodies one worker holds in memory at once, over all its
  /// connections (what a connection receives fits a small pooled buffer until a request grows
  /// past 16 KiB). When it is spent, a connection whose request needs more stops being read
  /// until other requests finish (backpressure, nothing refused); one request is always let
  /// through, even one larger than this. Memory for buffered bodies stays near this, whatever
  /// the number of clients sending large bodies at once.
  Setting<std::size_t> buffered_body_budget = defaults_to(256 * 1024 * 1024);

  /// Time for a whole request (head and body) to arrive once it started (408 and close
  /// beyond). A body read as it arrives (RouteOptions::stream_body) may take longer as long as
  /// it keeps coming: there this is the longest wait for its next bytes (408, the handler is
  /// cancelled).
  Setting<std::chrono::milliseconds> request_timeout = defaults_to(std::chrono::seconds{60});
  /// Time a handler may run before the client gets a 503 and the handler is cancelled; for a
  /// stream_body route it counts from the body's end.
  Setting<std::chrono::milliseconds> response_timeout = defaults_to(std::chrono::seconds{60});
  /// Idle time after which a keep-alive connection is closed.
  Setting<std::chrono::milliseconds> keep_alive_timeout = defaults_to(std::chrono::seconds{5});
  /// Time to let in-flight requests finish on shutdown.
  Setting<std::chrono::milliseconds> graceful_shutdown_timeout =
      defaults_to(std::chrono::seconds{15});
  /// After closing its side, how long the server drains a client before dropping it.
  Setting<std::chrono::milliseconds> linger_timeout = defaults_to(std::chrono::seconds{2});
  /// On shutdown, how long the server goes on serving, with App::is_ready() false (so
  /// /readyz answers 503), before it stops accepting: time for a load balancer that polls
  /// readiness to move traffic away. Then the graceful shutdown proceeds.
  Setting<std::chrono::milliseconds> drain_delay = defaults_to(std::chrono::seconds{0});

  /// Limits on req.form(): fields, files, parts and their sizes (413 beyond).
  FormLimits form_limits;
  /// Let req.json() parse bodies whatever their Content-Type (by default only
  /// application/json and +json types; others get a 415).
  Setting<bool> json_any_content_type = defaults_to(false);

  /// One line per request on stderr (log_access).
  Setting<AccessLog> access_log = defaults_to(AccessLog::off);
  /// Error responses show exception details.
  Setting<bool> debug = defaults_to(false);

  /// Where topics (swoop::publish, pubsub.hpp) travel beyond this process:
  /// "redis://[:password@]host[:port]". Empty (the default): they reach this process's
  /// workers only. A malformed URL is refused at start-up; Redis being down is not (see
  /// App::pubsub).
  Setting<std::string> pubsub_url;
};

}  // namespace swoop
