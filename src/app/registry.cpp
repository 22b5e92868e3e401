// SPDX-License-Identifier: MIT
// Registry: middleware and listener registration shared by App and Blueprint.
#include "swoop/registry.hpp"

#include <fmt/format.h>

#include "swoop/detail/access.hpp"
#include "websocket/upgrade.hpp"

namespace swoop {

void Registry::apply_status(std::string_view pattern, const RouteOptions& options,
                            Handler& handler) {
  const int status = options.status;
  if (!handler.is_typed()) {
    if (status == 200) return;
    throw std::invalid_argument(fmt::format(
        "route {}: status {} applies to a handler that returns a typed value; this one returns "
        "a Response, which carries its own status",
        pattern, status));
  }
  if (status < 200 || status > 599 || status == 204 || status == 205 || status == 304) {
    throw std::invalid_argument(fmt::format(
        "route {}: a typed handler answers with a JSON body, which status {} cannot carry", pattern,
        status));
  }
  detail::Access::set_status(handler, status);
}

void Registry::add_middleware(Middleware middleware) {
  check_open();
  middleware_.push_back(std::move(middleware));
}

void Registry::static_files(std::string_view prefix, std::string root, StaticOptions options) {
  std::string base{prefix};
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto handler = [root = std::move(root), options](Request& req) -> Task<Response> {
    const auto relative = req.params().get("path");
    return detail::serve_static(req, root, relative ? std::string{*relative} : std::string{},
                                options);
  };
  RouteOptions plain = method("GET");
  plain.include_in_schema = false;  // files are not an API the document can describe
  add_route(base.empty() ? "/" : base, plain, Handler{handler});
  RouteOptions named = std::move(plain);
  named.name = options.name;
  add_route(base + "/<path:path>", std::move(named), Handler{std::move(handler)});
}

void Registry::add_websocket(std::string_view pattern, WebSocketOptions options,
                             WebSocketHandler handler) {
  RouteOptions route = method("GET");
  route.include_in_schema = false;  // OpenAPI describes HTTP exchanges, not websockets
  route.middleware = std::move(options.middleware);
  add_route(pattern, std::move(route),
            detail::websocket_handler(std::move(options), std::move(handler)));
}

void Registry::add_listener(ListenerEvent event, Listener fn) {
  check_open();
  listeners_.emplace_back(event, std::move(fn));
}

}  // namespace swoop
