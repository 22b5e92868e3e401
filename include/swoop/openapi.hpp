// SPDX-License-Identifier: MIT
// The API document: an OpenAPI 3.1 description of an app's routes and types, and a docs page.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "swoop/detail/schema.hpp"
#include "swoop/status.hpp"

namespace swoop {

class App;

/// A described type published in the API document: a request body (swoop::body<T>()), query
/// or header parameters (swoop::params<T>()), or a response body. Made by those functions.
struct Schema {
  detail::SchemaFn build = nullptr;             ///< writes the type's schema
  std::string media_type = "application/json";  ///< the body's Content-Type
};

/// The body a route reads (`RouteOptions::body`) or answers (`ResponseDoc`): a described type
/// (swoop/describe.hpp), a std::vector of one, or a scalar. `media_type` is the Content-Type:
/// "application/x-www-form-urlencoded" documents what `req.form<T>()` reads.
template <typename T>
Schema body(std::string media_type = "application/json") {
  return {&detail::build_schema<T>, std::move(media_type)};
}

/// The parameters a route reads with `req.query<T>()` (`RouteOptions::query`) or
/// `req.headers<T>()` (`RouteOptions::headers`): one parameter per field of T.
template <detail::DescribedStruct T>
Schema params() {
  return {&detail::build_schema<T>, {}};
}

/// One documented answer of a route: `{404, "No such item"}`, `{201, swoop::body<Item>()}`.
struct ResponseDoc {
  /// An answer with a body.
  ResponseDoc(StatusCode status, Schema body, std::string description = {})
      : status(status), body(std::move(body)), description(std::move(description)) {}
  /// An answer described in words only (no body, or one that is not JSON).
  ResponseDoc(StatusCode status, std::string description)
      : status(status), description(std::move(description)) {}

  int status;                  ///< the HTTP status
  std::optional<Schema> body;  ///< what it carries
  std::string description;     ///< empty: the status's reason phrase
};

/// How clients authenticate, as routes name it in `RouteOptions::security`.
struct SecurityScheme {
  std::string type;           ///< "http", "apiKey", "oauth2" or "openIdConnect"
  std::string scheme;         ///< for "http": "bearer" or "basic"
  std::string bearer_format;  ///< for bearer: what the token is ("JWT"); informative
  std::string name;           ///< for "apiKey": the header, query parameter or cookie name
  std::string in;             ///< for "apiKey": "header", "query" or "cookie"
  std::string url;            ///< for "openIdConnect": the discovery document's URL
  std::string description;    ///< shown in the docs

  // Every member is given: a user's -Wextra (missing-field-initializers) stays quiet.
  /// `Authorization: Bearer <token>`.
  static SecurityScheme bearer(std::string format = {}) {
    return {"http", "bearer", std::move(format), {}, {}, {}, {}};
  }
  /// `Authorization: Basic <credentials>`.
  static SecurityScheme basic() { return {"http", "basic", {}, {}, {}, {}, {}}; }
  /// A key in a header (the default), a query parameter or a cookie.
  static SecurityScheme api_key(std::string name, std::string in = "header") {
    return {"apiKey", {}, {}, std::move(name), std::move(in), {}, {}};
  }
};

/// What `App::openapi` publishes and where.
struct OpenApiOptions {
  std::string title;              ///< the API's name; empty: the App's name
  std::string version = "0.1.0";  ///< the API's version (not swoop's, not OpenAPI's)
  std::string description;        ///< shown at the top of the docs page (CommonMark)
  /// Where the document is served (GET, application/json); empty: not served.
  std::string openapi_path = "/openapi.json";
  /// Where the docs page (Swagger UI, reading openapi_path) is served; empty: no page.
  std::string docs_path = "/docs";
  /// Where the docs page loads Swagger UI from (swagger-ui-bundle.js and swagger-ui.css).
  std::string docs_cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5";
  /// A directory holding those files (npm's swagger-ui-dist package, for example): served at
  /// `<docs_path>/assets/` and used instead of docs_cdn, for deployments without Internet.
  std::string docs_assets;
  /// The base URLs the API is served at ("https://api.example.com"); empty: the document's own.
  std::vector<std::string> servers;
  /// The authentication schemes routes may name in RouteOptions::security.
  std::vector<std::pair<std::string, SecurityScheme>> security_schemes;
  /// Refuse, at registration, a route without a summary or a documented answer (a typed
  /// handler, or RouteOptions::responses), unless it is left out (include_in_schema = false).
  bool require_docs = false;
};

/// The OpenAPI 3.1 document of app's routes (JSON), with the options given to app.openapi()
/// or the defaults: for CI and code generators, without serving. Throws std::logic_error when
/// two types would be published under one name, or a route names an unknown security scheme.
std::string openapi_json(const App& app);

}  // namespace swoop
