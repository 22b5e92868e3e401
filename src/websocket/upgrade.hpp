// SPDX-License-Identifier: MIT
// Internal: websocket routes: the server's answer to an opening handshake (RFC 6455 section
// 4.2), decided from the request alone, and the handler that upgrades the connection.
#pragma once

#include <optional>
#include <string>

#include "swoop/handler.hpp"
#include "swoop/registry.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/websocket.hpp"
#include "websocket/deflate.hpp"

namespace swoop::detail {

/// What a websocket route answers to a request: a refusal, or what the upgrade needs.
struct Handshake {
  std::optional<Response> refusal;       ///< set: refused with this response (400/403/426)
  Response response{101};                ///< otherwise: the 101 to send (fields but framing)
  std::string subprotocol;               ///< the subprotocol chosen; empty: none
  std::optional<DeflateParams> deflate;  ///< permessage-deflate, when agreed on
};

/// Checks the handshake in req (method, version, Upgrade, Connection, Sec-WebSocket-Version
/// and -Key, Origin) and negotiates the subprotocol and permessage-deflate for a route with
/// options.
Handshake answer_handshake(const Request& req, const WebSocketOptions& options);

/// A websocket route's handler: answers the handshake, switches the connection to the
/// websocket protocol and runs handler on it (then closes with 1000, or 1011 when it threw).
Handler websocket_handler(WebSocketOptions options, WebSocketHandler handler);

}  // namespace swoop::detail
