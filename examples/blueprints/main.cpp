// SPDX-License-Identifier: MIT
// blueprints: an API cut into blueprints, grouped under /api with version 1, with middleware,
// a custom error handler and a listener that prepares a per-worker resource.
#include "api.hpp"
#include "example_args.hpp"

int main(int argc, char** argv) {
  swoop::App app{"blueprints"};
  // The API document of every route, at /openapi.json, and a page that shows it, at /docs.
  // require_docs: a route registered without a summary or a documented answer is an error.
  app.openapi({.title = "blueprints example",
               .version = "1.0.0",
               .description = "Users and items, cut into blueprints.",
               .require_docs = true});

  // Users and items live under /v1/api/...; the group's middleware applies to them only.
  swoop::BlueprintGroup api{{make_users(), make_items()}, {.url_prefix = "/api", .version = 1}};
  api.on_response(
      [](swoop::Request&, swoop::Response& res) { res.set_header("Cache-Control", "no-store"); });
  app.blueprint(api);
  app.blueprint(make_health());

  // App-wide middleware: CORS for one front-end origin, a request id on every response, and
  // the time each request took.
  app.use(swoop::cors({.origins = {"https://example.com"}, .headers = {"Content-Type"}}));
  app.use(swoop::request_id());
  app.use(swoop::timing());

  // Every HTTP error not handled closer to the route becomes a small JSON object...
  app.on_error<swoop::HttpError>([](swoop::Request& req, const swoop::HttpError& e) {
    return swoop::json(swoop::JsonObject{{"error", e.what()}, {"path", req.path()}}, e.status());
  });
  // ...except the 422 of a typed body, which keeps swoop's own shape: clients find every
  // mistake in error.context.errors.
  app.on_error<swoop::ValidationError>([](swoop::Request&, const swoop::ValidationError& e) {
    swoop::JsonArray errors;
    for (const swoop::ValidationIssue& issue : e.issues()) {
      errors.push_back(swoop::JsonObject{
          {"path", issue.path}, {"message", issue.message}, {"kind", issue.kind}});
    }
    swoop::JsonObject error{{"status", e.status()},
                            {"message", e.what()},
                            {"context", swoop::JsonObject{{"errors", std::move(errors)}}}};
    return swoop::json(swoop::JsonObject{{"error", std::move(error)}}, e.status());
  });

  app.before_server_start([](swoop::App&) {
    ItemStore store;
    for (const Item& item : {Item{"apple", 0.5}, Item{"pear", 0.75}, Item{"dragon-fruit", 3.0}}) {
      store.items.emplace(item.name, item);
    }
    swoop::App::worker_ctx().emplace<ItemStore>(std::move(store));
  });

  return example::run(app, argc, argv, 8000);
}
