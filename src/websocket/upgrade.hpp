// SPDX-License-Identifier: MIT
// Internal: the server's answer to a websocket opening handshake (RFC 6455 section 4.2),
// decided from the request alone, apart from the upgrade of the connection.
#pragma once

#include <optional>
#include <string>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/websocket.hpp"
#include "websocket/deflate.hpp"

namespace swoop::detail {

/// What a websocket route answers to a request: a refusal, or what the upgrade needs.
struct Handshake {
  std::optional<Response> refusal;       ///< set: refused with this response (400/403/426)
  std::string head;                      ///< otherwise: the 101 response head to send
  std::string subprotocol;               ///< the subprotocol chosen; empty: none
  std::optional<DeflateParams> deflate;  ///< permessage-deflate, when agreed on
};

/// Checks the handshake in req (method, version, Upgrade, Connection, Sec-WebSocket-Version
/// and -Key, Origin) and negotiates the subprotocol and permessage-deflate for a route with
/// options.
Handshake answer_handshake(const Request& req, const WebSocketOptions& options);

}  // namespace swoop::detail
