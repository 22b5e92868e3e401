// SPDX-License-Identifier: MIT
// Internal: the one door from swoop's implementation to the server-only parts of the public
// types. Those types name detail::Access as their friend and keep these parts private, so a
// user reading a public header sees only what a user calls. Only src/ and swoop's own tests
// include this header; nothing here is part of the API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/app.hpp"
#include "swoop/blueprint.hpp"
#include "swoop/handler.hpp"
#include "swoop/headers.hpp"
#include "swoop/middleware.hpp"
#include "swoop/response.hpp"
#include "swoop/websocket.hpp"

namespace swoop::detail {

struct Access {
  // App: what the server serves, frozen while it serves.
  static const AppState& state(const App& app) noexcept { return *app.state_; }
  /// Freezes registration and prepares each route's middleware pipeline.
  static void freeze(App& app, const RunOptions& options) { app.freeze(options); }

  // Blueprint: what App copies from it when it is registered.
  static const std::vector<Blueprint::RouteEntry>& routes(const Blueprint& bp) noexcept {
    return bp.routes_;
  }
  static const std::vector<Middleware>& middleware(const Blueprint& bp) noexcept {
    return bp.middleware_;
  }
  static const ErrorHandlers& error_handlers(const Blueprint& bp) noexcept { return bp.errors_; }
  static const std::vector<std::pair<ListenerEvent, Listener>>& listeners(
      const Blueprint& bp) noexcept {
    return bp.listeners_;
  }

  // Handler: registration sets the status a typed handler answers with (RouteOptions::status).
  static void set_status(Handler& handler, int status) noexcept { handler.status_ = status; }

  // RequestHeaders: filled by the code that parses a request's head.
  /// Drops every field, keeping capacity.
  static void clear(RequestHeaders& headers) noexcept { headers.fields_.clear(); }
  /// Adds a field given as offsets from the request's base.
  static void push(RequestHeaders& headers, std::uint32_t name_off, std::uint32_t name_len,
                   std::uint32_t value_off, std::uint32_t value_len) {
    headers.fields_.push_back({name_off, name_len, value_off, value_len});
  }
  /// The request's bytes moved; offsets now count from base.
  static void rebase(RequestHeaders& headers, const char* base) noexcept { headers.base_ = base; }

  // Response: what the writers of HTTP/1.1 and HTTP/2 read.
  /// The constant Content-Type of text(), html() or json() while it is not yet among
  /// headers() (empty otherwise). While it is not, headers() holds nothing else.
  static std::string_view pending_content_type(const Response& res) noexcept {
    return res.content_type_;
  }
  /// The producer of a streamed body (nullptr for a body held in body()).
  static const std::shared_ptr<BodySource>& body_source(const Response& res) noexcept {
    return res.source_;
  }
  /// Makes the body streamed (or, with nullptr, held in body() again).
  static void set_body_source(Response& res, std::shared_ptr<BodySource> source) noexcept {
    res.source_ = std::move(source);
  }

  // Next: made by the middleware pipeline for onion middleware.
  /// The chain of match's pipeline from index on.
  static Next next(const Match& match, std::size_t index) noexcept { return Next{&match, index}; }

  // WebSocket: made by the upgrade around the connection's session (src/websocket, where
  // the session's type is complete).
  static WebSocket websocket(std::unique_ptr<WsSession> session) noexcept;
};

}  // namespace swoop::detail
