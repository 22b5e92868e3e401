// SPDX-License-Identifier: MIT
// The CORS middleware: preflight answers and Access-Control-* response headers.
#include <algorithm>
#include <memory>
#include <regex>
#include <stdexcept>

#include "http/grammar.hpp"
#include "swoop/builtin_middleware.hpp"

namespace swoop {

namespace {

struct CorsPolicy {
  CorsOptions o;
  std::optional<std::regex> regex;
  bool any_origin = false;
  bool any_header = false;
  std::string methods;  // joined
  std::string headers;  // joined (when not any)
  std::string expose;   // joined

  bool allows_origin(std::string_view origin) const {
    if (any_origin) return true;
    for (const auto& o2 : o.origins) {
      if (o2 == origin) return true;
    }
    return regex && std::regex_match(origin.begin(), origin.end(), *regex);
  }
  bool allows_method(std::string_view method) const {
    return std::any_of(o.methods.begin(), o.methods.end(),
                       [&](const std::string& m) { return iequals(m, method); });
  }
  bool allows_headers(std::string_view requested) const {
    if (any_header) return true;
    for (const std::string_view h : detail::ListItems{requested}) {
      if (std::none_of(o.headers.begin(), o.headers.end(),
                       [&](const std::string& a) { return iequals(a, h); })) {
        return false;
      }
    }
    return true;
  }
  void add_origin(Response& res, std::string_view origin) const {
    // With credentials a wildcard is not allowed by browsers: echo the origin instead.
    res.set_header("Access-Control-Allow-Origin",
                   any_origin && !o.credentials ? std::string_view{"*"} : origin);
    if (o.credentials) res.set_header("Access-Control-Allow-Credentials", "true");
    if (!any_origin || o.credentials) res.add_header("Vary", "Origin");
  }
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

Task<Response> handle_cors(std::shared_ptr<const CorsPolicy> policy, Request& req, Next next) {
  const auto origin = req.header("Origin");
  if (!origin) co_return co_await next(req);
  const auto preflight_method = req.header("Access-Control-Request-Method");
  if (req.method() == "OPTIONS" && preflight_method) {
    const auto requested = req.header("Access-Control-Request-Headers").value_or("");
    if (!policy->allows_origin(*origin) || !policy->allows_method(*preflight_method) ||
        !policy->allows_headers(requested)) {
      co_return text("CORS request not allowed", 403);
    }
    Response res{204};
    policy->add_origin(res, *origin);
    res.set_header("Access-Control-Allow-Methods", policy->methods);
    if (policy->any_header ? !requested.empty() : !policy->headers.empty()) {
      res.set_header("Access-Control-Allow-Headers",
                     policy->any_header ? requested : std::string_view{policy->headers});
    }
    if (policy->o.max_age) {
      res.set_header("Access-Control-Max-Age", std::to_string(*policy->o.max_age));
    }
    co_return res;
  }
  Response res = co_await next(req);
  if (policy->allows_origin(*origin)) {
    policy->add_origin(res, *origin);
    if (!policy->expose.empty()) res.set_header("Access-Control-Expose-Headers", policy->expose);
  }
  co_return res;
}

}  // namespace

Middleware cors(CorsOptions options) {
  auto policy = std::make_shared<CorsPolicy>();
  policy->any_origin =
      std::find(options.origins.begin(), options.origins.end(), "*") != options.origins.end();
  policy->any_header =
      std::find(options.headers.begin(), options.headers.end(), "*") != options.headers.end();
  if (!options.origin_regex.empty()) {
    try {
      policy->regex.emplace(options.origin_regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument(std::string{"cors: invalid origin_regex: "} + e.what());
    }
  }
  policy->methods = join(options.methods);
  policy->headers = join(options.headers);
  policy->expose = join(options.expose_headers);
  policy->o = std::move(options);
  std::shared_ptr<const CorsPolicy> shared = std::move(policy);
  return [shared](Request& req, Next next) -> Task<Response> {
    return handle_cors(shared, req, next);
  };
}

}  // namespace swoop
