// SPDX-License-Identifier: MIT
// Websocket routes: the opening handshake (RFC 6455 section 4.2) and the handler's run.
#include "websocket/upgrade.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "http/grammar.hpp"
#include "http/request_builder.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/error.hpp"
#include "swoop/registry.hpp"
#include "websocket/deflate.hpp"
#include "websocket/frame.hpp"
#include "websocket/session.hpp"
#include "websocket/ws_connection.hpp"

namespace swoop {

namespace detail {

namespace {

struct WsRoute {
  WebSocketOptions options;
  WebSocketHandler handler;
};

// Calls fn for each element of every comma-separated value of header name; stops when fn
// returns true and returns whether it did.
template <typename F>
bool any_token(const Request& req, std::string_view name, F fn) {
  for (const std::string_view value : req.headers().get_all(name)) {
    if (any_token_item(value, fn)) return true;
  }
  return false;
}

bool has_token(const Request& req, std::string_view name, std::string_view token) {
  return std::ranges::any_of(req.headers().get_all(name), [token](std::string_view value) {
    return has_list_token(value, token);
  });
}

Response refuse(int status, std::string_view message) {
  Response r{status};
  r.set_body(std::string{message}, "text/plain; charset=utf-8");
  return r;
}

// The answer to a handshake that cannot be accepted, or nothing when it can.
std::optional<Response> check_handshake(const Request& req, const WebSocketOptions& options) {
  if (!has_token(req, "Upgrade", "websocket")) {
    Response r = refuse(426, "this resource is a websocket: upgrade required");
    r.set_header("Upgrade", "websocket");
    r.set_header("Sec-WebSocket-Version", "13");
    return r;
  }
  if (req.method() != "GET" || req.version() < 11) {
    return refuse(400, "a websocket handshake is a GET request in HTTP/1.1");
  }
  if (!has_token(req, "Connection", "upgrade")) {
    return refuse(400, "a websocket handshake needs \"Connection: Upgrade\"");
  }
  const auto version = req.header("Sec-WebSocket-Version");
  if (!version || trim_ows(*version) != "13") {
    Response r = refuse(426, "unsupported websocket version");
    r.set_header("Sec-WebSocket-Version", "13");
    return r;
  }
  const auto keys = req.headers().get_all("Sec-WebSocket-Key");
  if (keys.size() != 1 || !is_valid_ws_key(trim_ows(keys[0]))) {
    return refuse(400, "missing or malformed Sec-WebSocket-Key");
  }
  if (!options.allowed_origins.empty()) {
    const auto origin = req.header("Origin");
    bool allowed = false;
    for (const std::string& o : options.allowed_origins) {
      allowed = allowed || (origin && iequals(trim_ows(*origin), o));
    }
    if (!allowed) return refuse(403, "origin not allowed");
  }
  return std::nullopt;
}

std::string choose_subprotocol(const Request& req, const WebSocketOptions& options) {
  for (const std::string& mine : options.subprotocols) {
    if (any_token(req, "Sec-WebSocket-Protocol",
                  [&mine](std::string_view offered) { return offered == mine; })) {
      return mine;
    }
  }
  return {};
}

Response accept_response(const Request& req, std::string_view subprotocol,
                         std::string_view extensions) {
  // The connection's ResponseWriter adds "Connection: Upgrade", Server and Date.
  Response r{101};
  r.set_header("Upgrade", "websocket");
  r.set_header("Sec-WebSocket-Accept", ws_accept_value(trim_ows(*req.header("Sec-WebSocket-Key"))));
  if (!subprotocol.empty()) r.set_header("Sec-WebSocket-Protocol", subprotocol);
  if (!extensions.empty()) r.set_header("Sec-WebSocket-Extensions", extensions);
  return r;
}

}  // namespace

Handshake answer_handshake(const Request& req, const WebSocketOptions& options) {
  Handshake out;
  out.refusal = check_handshake(req, options);
  if (out.refusal) return out;
  out.subprotocol = choose_subprotocol(req, options);
  std::string extensions;
  if (options.compression) {
    out.deflate = negotiate_deflate(req.headers().get_all("Sec-WebSocket-Extensions"),
                                    options.compression_no_context_takeover, extensions);
  }
  out.response = accept_response(req, out.subprotocol, extensions);
  return out;
}

namespace {

Task<Response> serve_websocket(Request& req, std::shared_ptr<const WsRoute> route) {
  Handshake handshake = answer_handshake(req, route->options);
  if (handshake.refusal) co_return std::move(*handshake.refusal);
  // The request was cancelled (deadline, disconnect) while middleware ran: no upgrade.
  if (RequestBuilder::cancel_state(req).is_cancelled()) throw Cancelled{};
  RequestHost* host = RequestBuilder::host(req);
  if (host == nullptr) throw HttpError{500, "websocket upgrade outside a server connection"};
  // From the 101 on, conn carries the session's frames; the session goes first (ws is made
  // after conn), then conn gives the transport back to the HTTP/1.1 connection.
  WsConnection conn{host->switch_protocols(handshake.response)};
  auto session =
      std::make_unique<WsSession>(conn, route->options, RequestBuilder::cancel_state(req),
                                  std::move(handshake.subprotocol), handshake.deflate);
  WsSession& s = *session;
  WebSocket ws = Access::websocket(std::move(session));
  conn.attach(s);
  std::exception_ptr error;
  try {
    co_await route->handler(req, ws);
  } catch (const Cancelled&) {
  } catch (...) {
    error = std::current_exception();
  }
  if (error) log_escaped("a websocket handler", error);
  const std::uint16_t code = error ? close_internal_error : close_normal;
  co_await ws.close(code);
  co_return Response{101};  // not sent: the connection is no longer HTTP
}

}  // namespace

Handler websocket_handler(WebSocketOptions options, WebSocketHandler handler) {
  auto route = std::make_shared<const WsRoute>(WsRoute{std::move(options), std::move(handler)});
  return Handler{[route](Request& req) -> Task<Response> { return serve_websocket(req, route); }};
}

}  // namespace detail

}  // namespace swoop
