// SPDX-License-Identifier: MIT
// Blueprint and BlueprintGroup: cut an app into parts with prefixes, versions and middleware.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "swoop/registry.hpp"

namespace swoop {

namespace detail {
struct Access;
}

/// Where a blueprint's routes go.
struct BlueprintOptions {
  std::string url_prefix;              ///< e.g. "/users"; prepended to every route
  std::optional<int> version;          ///< 1 puts "/v1" in front of the prefix
  std::string version_prefix = "/v";   ///< what goes before the version number
  std::optional<bool> strict_slashes;  ///< default for its routes (nullopt: the app's)
  /// Serve these routes only for requests whose Host header names this host (compared
  /// case-insensitively; without a port it matches any port). Empty: any host.
  std::string host;
  /// Default error bodies of its routes and of the router's 404 and 405 for paths under its
  /// prefix (an API's errors are JSON even for curl's `*/*`). nullopt: the group's or app's.
  std::optional<ErrorFormat> error_format;
};

/// A named set of routes, middleware, error handlers and listeners, registered on an App with
/// app.blueprint(bp). Route names become "<blueprint>.<route>".
///
/// A value: registering copies it into the app, and a blueprint never refers to an App, so it
/// can be defined in its own translation unit.
/// Example:
///     swoop::Blueprint users{"users", {.url_prefix = "/users", .version = 1}};
///     users.get("/<id:int>")(show_user);   // GET /v1/users/7
class Blueprint : public Registry {
 public:
  /// Creates a blueprint; name must be non-empty and unique within an app.
  explicit Blueprint(std::string name, BlueprintOptions options = {});

  /// The blueprint's name.
  const std::string& name() const noexcept { return name_; }
  /// Its options.
  const BlueprintOptions& options() const noexcept { return options_; }

  void add_route(std::string_view pattern, RouteOptions options, Handler handler) override;

  /// One registered route, as stored until the blueprint is added to an app.
  struct RouteEntry {
    /// The pattern as registered (without the blueprint's prefix).
    std::string pattern;
    /// The route's options.
    RouteOptions options;
    /// The handler.
    Handler handler;
  };

 private:
  friend struct detail::Access;  // App copies the routes, middleware, handlers and listeners
  std::string name_;
  BlueprintOptions options_;
  std::vector<RouteEntry> routes_;
};

/// Options of a blueprint group; they compose with those of its members.
struct GroupOptions {
  std::string url_prefix;              ///< goes before the members' prefixes
  std::optional<int> version;          ///< used by members without their own version
  std::string version_prefix = "/v";   ///< used with this group's version
  std::optional<bool> strict_slashes;  ///< default for members that do not say
  std::string host;                    ///< for members without their own host
  /// For members without their own, and the router's 404 and 405 under the group's prefix.
  std::optional<ErrorFormat> error_format;
};

/// Blueprints (and nested groups) registered together under a shared prefix, version and
/// middleware. Middleware added to a group applies to its members' routes only.
///
/// Composition, outermost first: "/v<version>" (the innermost explicit version wins), then
/// the groups' prefixes from the outermost group inward, the blueprint's prefix, the route.
/// Middleware: app, then groups from the outermost inward, then blueprint, then route.
/// Example:
///     swoop::BlueprintGroup api{{users, items}, {.url_prefix = "/api", .version = 2}};
///     app.blueprint(api);   // /v2/api/users/..., /v2/api/items/...
class BlueprintGroup {
 public:
  /// One member: a blueprint or a nested group (both copied).
  class Member {
   public:
    /// A blueprint member (copied).
    Member(const Blueprint& bp)  // NOLINT(google-explicit-constructor)
        : value_(std::make_shared<const Blueprint>(bp)) {}
    /// A nested group member (copied).
    Member(const BlueprintGroup& group)  // NOLINT(google-explicit-constructor)
        : value_(std::make_shared<const BlueprintGroup>(group)) {}
    /// The blueprint, or nullptr when the member is a group.
    const Blueprint* blueprint() const noexcept;
    /// The group, or nullptr when the member is a blueprint.
    const BlueprintGroup* group() const noexcept;

   private:
    std::variant<std::shared_ptr<const Blueprint>, std::shared_ptr<const BlueprintGroup>> value_;
  };

  /// Makes a group of members with options.
  BlueprintGroup(std::initializer_list<Member> members, GroupOptions options = {})
      : members_(members), options_(std::move(options)) {}

  /// Adds a member.
  void append(Member member) { members_.push_back(std::move(member)); }
  /// Adds request middleware for every member's routes.
  template <detail::RequestMiddlewareFn F>
  void on_request(F fn) {
    middleware_.emplace_back(std::move(fn));
  }
  /// Adds response middleware for every member's routes.
  template <detail::ResponseMiddlewareFn F>
  void on_response(F fn) {
    middleware_.emplace_back(std::move(fn));
  }
  /// Adds onion middleware (or a built-in) for every member's routes.
  void use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

  /// The members, in order.
  const std::vector<Member>& members() const noexcept { return members_; }
  /// The group's options.
  const GroupOptions& options() const noexcept { return options_; }
  /// The group's own middleware.
  const std::vector<Middleware>& middleware() const noexcept { return middleware_; }

 private:
  std::vector<Member> members_;
  GroupOptions options_;
  std::vector<Middleware> middleware_;
};

}  // namespace swoop
