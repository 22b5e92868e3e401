// SPDX-License-Identifier: MIT
// A server for openapi_test.py and openapi_browser_test.py: an app that uses every part of the
// API document (typed bodies and answers, query and header parameters, every path parameter
// type, a tagged variant, a recursive type, blueprints with versions, security, deprecated and
// hidden routes), with handlers that really answer, so "try it out" returns real responses.
// Usage: openapi_server [DOCS_ASSETS_DIR]   (the docs page loads Swagger UI from there)
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "swoop/swoop.hpp"

namespace shop {

enum class Color { red, green, blue };

struct Tag {
  std::string name;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("name", &Tag::name, swoop::length(1, 20)));
};

struct Item {
  std::int64_t id = 0;
  std::string slug;
  double price = 0;
  std::int32_t qty = 1;
  Color color = Color::red;
  std::vector<Tag> tags;
  std::optional<std::string> note;
  std::map<std::string, std::string> attributes;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("id", &Item::id), swoop::field("slug", &Item::slug),
      swoop::field("price", &Item::price), swoop::field("qty", &Item::qty),
      swoop::field("color", &Item::color), swoop::field("tags", &Item::tags),
      swoop::field("note", &Item::note), swoop::field("attributes", &Item::attributes));
};

struct NewItem {
  std::string slug;
  double price = 0;
  std::int32_t qty = 1;
  Color color = Color::red;
  std::vector<Tag> tags;
  std::optional<std::string> note;
  std::map<std::string, std::string> attributes;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("slug", &NewItem::slug, swoop::length(1, 40), swoop::pattern("^[a-z0-9-]+$")),
      swoop::field("price", &NewItem::price, swoop::range(0.0, 10000.0)),
      swoop::field("qty", &NewItem::qty, swoop::has_default, swoop::range(1, 99)),
      swoop::field("color", &NewItem::color, swoop::has_default),
      swoop::field("tags", &NewItem::tags, swoop::has_default, swoop::max_items(5)),
      swoop::field("note", &NewItem::note),
      swoop::field("attributes", &NewItem::attributes, swoop::has_default));
  static constexpr bool json_reject_unknown = true;
};

struct ItemPatch {
  swoop::Patch<double> price;
  swoop::Patch<std::string> note;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("price", &ItemPatch::price, swoop::range(0.0, 10000.0)),
                    swoop::field("note", &ItemPatch::note, swoop::length(0, 200)));
  static constexpr bool json_reject_unknown = true;
};

struct ListQuery {
  std::int32_t limit = 10;
  std::string order = "asc";
  std::optional<Color> color;
  std::vector<std::string> tag;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("limit", &ListQuery::limit, swoop::has_default, swoop::range(1, 100)),
      swoop::field("order", &ListQuery::order, swoop::has_default, swoop::one_of("asc", "desc")),
      swoop::field("color", &ListQuery::color), swoop::field("tag", &ListQuery::tag));
};

struct ClientHeaders {
  std::string x_client;
  std::optional<std::int32_t> x_api_version;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("X-Client", &ClientHeaders::x_client, swoop::length(1, 64)),
                    swoop::field("X-Api-Version", &ClientHeaders::x_api_version));
};

struct Login {
  std::string user;
  std::string password;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("user", &Login::user, swoop::length(1, 64)),
                    swoop::field("password", &Login::password, swoop::length(8, 128)));
};

struct Card {
  std::string number;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("number", &Card::number, swoop::pattern("^[0-9]{12,19}$")));
};
struct Transfer {
  std::string iban;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("iban", &Transfer::iban, swoop::length(15, 34)));
};
using Payment = std::variant<Card, Transfer>;

struct Receipt {
  std::string method;
  std::int64_t amount_cents = 0;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("method", &Receipt::method),
                    swoop::field("amount_cents", &Receipt::amount_cents));
};

struct Node {
  std::string name;
  std::vector<Node> children;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("name", &Node::name),
                    swoop::field("children", &Node::children, swoop::has_default));
};

struct Stats {
  std::uint32_t items = 0;
  static constexpr auto json_fields = swoop::fields(swoop::field("items", &Stats::items));
};

}  // namespace shop

template <>
struct swoop::describe<shop::Color> {
  static constexpr std::pair<shop::Color, std::string_view> values[] = {
      {shop::Color::red, "red"}, {shop::Color::green, "green"}, {shop::Color::blue, "blue"}};
};

template <>
struct swoop::describe<shop::Payment> {
  static constexpr std::string_view name = "Payment";  // else "Card_or_Transfer"
  static constexpr std::string_view tag = "type";
  static constexpr std::string_view names[] = {"card", "transfer"};
};

namespace {

/// The items, shared by every worker.
struct Store {
  std::mutex mutex;
  std::map<std::int64_t, shop::Item> items;
  std::int64_t next = 1;
};
Store store;

shop::Item find_item(swoop::Request& req) {
  const auto id = req.param<std::int64_t>("id");
  const std::lock_guard lock{store.mutex};
  const auto it = store.items.find(id);
  if (it == store.items.end()) throw swoop::NotFound{"no item " + std::to_string(id)};
  return it->second;
}

void add_items(swoop::App& app) {
  app.route("/items", {.summary = "List the items",
                       .description = "Filtered by color and tags, `limit` at a time.",
                       .tags = {"items"},
                       .query = swoop::params<shop::ListQuery>()})([](swoop::Request& req) {
    const auto q = req.query<shop::ListQuery>();
    std::vector<shop::Item> out;
    const std::lock_guard lock{store.mutex};
    for (const auto& [id, item] : store.items) {
      if (q.color && item.color != *q.color) continue;
      if (static_cast<std::int32_t>(out.size()) == q.limit) break;
      out.push_back(item);
    }
    return out;
  });
  app.route("/items", {.methods = {"POST"},
                       .status = 201,
                       .summary = "Create an item",
                       .tags = {"items"},
                       .body = swoop::body<shop::NewItem>(),
                       .responses = {{409, "an item with this slug exists"}},
                       .security = {"bearer"}})([](swoop::Request& req) {
    const auto n = req.json<shop::NewItem>();
    const std::lock_guard lock{store.mutex};
    for (const auto& [id, item] : store.items) {
      if (item.slug == n.slug) throw swoop::Conflict{"slug " + n.slug + " is taken"};
    }
    shop::Item item{store.next++, n.slug, n.price, n.qty, n.color, n.tags, n.note, n.attributes};
    store.items[item.id] = item;
    return item;
  });
  app.route("/items/<id:int>", {.name = "item",
                                .summary = "Read an item",
                                .tags = {"items"},
                                .responses = {{404, "no such item"}}})(find_item);
  app.route("/items/<id:int>", {.methods = {"PATCH"},
                                .summary = "Change an item's price or note",
                                .tags = {"items"},
                                .body = swoop::body<shop::ItemPatch>(),
                                .responses = {{404, "no such item"}}})([](swoop::Request& req) {
    shop::Item item = find_item(req);
    const auto patch = req.json<shop::ItemPatch>();
    if (patch.price.has_value()) item.price = *patch.price;
    if (patch.note.has_value()) item.note = *patch.note;
    if (patch.note.is_null()) item.note.reset();
    const std::lock_guard lock{store.mutex};
    store.items[item.id] = item;
    return item;
  });
  app.route("/items/<id:int>", {.methods = {"DELETE"},
                                .summary = "Delete an item",
                                .tags = {"items"},
                                .responses = {{204, "deleted"}, {404, "no such item"}},
                                .security = {"bearer", "api_key"}})([](swoop::Request& req) {
    const auto id = req.param<std::int64_t>("id");
    const std::lock_guard lock{store.mutex};
    if (store.items.erase(id) == 0) throw swoop::NotFound{"no item " + std::to_string(id)};
    return swoop::Response{204};
  });
}

void add_others(swoop::App& app) {
  app.route("/payments", {.methods = {"POST"},
                          .summary = "Pay by card or transfer",
                          .tags = {"payments"},
                          .body = swoop::body<shop::Payment>()})([](swoop::Request& req) {
    const auto payment = req.json<shop::Payment>();
    return shop::Receipt{std::holds_alternative<shop::Card>(payment) ? "card" : "transfer", 100};
  });
  app.route("/login", {.methods = {"POST"},
                       .summary = "Log in with a form",
                       .body = swoop::body<shop::Login>("application/x-www-form-urlencoded"),
                       .responses = {{200, "logged in"}}})([](swoop::Request& req) {
    const auto login = req.form<shop::Login>();
    return swoop::text("hello " + login.user);
  });
  app.route("/whoami", {.summary = "Echo the client's headers",
                        .headers = swoop::params<shop::ClientHeaders>(),
                        .responses = {{200, "the client's name"}}})(
      [](swoop::Request& req) { return swoop::text(req.headers<shop::ClientHeaders>().x_client); });
  app.route("/tree", {.summary = "A recursive answer"})([](swoop::Request&) {
    return shop::Node{"root", {{"a", {{"a1", {}}}}, {"b", {}}}};
  });
  const swoop::RouteOptions text_answer{.summary = "Echo a path parameter",
                                        .tags = {"parameters"},
                                        .responses = {{200, "the parameter"}}};
  for (const char* pattern :
       {"/users/<id:uuid>", "/posts/<id:slug>", "/letters/<id:alpha>", "/temperatures/<id:float>",
        "/codes/<id:^[A-Z]{3}$>", "/names/<id>", "/files/<id:path>"}) {
    app.route(pattern, text_answer)(
        [](swoop::Request& req) { return swoop::text(std::string{*req.params().get("id")}); });
  }
  app.route("/cache", {.methods = {"PURGE"}, .summary = "Not in the document: no such method"})(
      [](swoop::Request&) { return swoop::Response{204}; });
  app.route("/internal",
            {.include_in_schema = false})([](swoop::Request&) { return swoop::text("hidden"); });
  app.websocket("/ws")([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    while (auto msg = co_await ws.recv()) co_await ws.send(msg->text());
  });
  app.add_health_routes();

  swoop::Blueprint admin{"admin", {.url_prefix = "/admin", .version = 2}};
  admin.route("/stats",
              {.name = "stats", .summary = "Counts", .deprecated = true})([](swoop::Request&) {
    const std::lock_guard lock{store.mutex};
    return shop::Stats{static_cast<std::uint32_t>(store.items.size())};
  });
  app.blueprint(admin);
}

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"openapi_server"};
  swoop::OpenApiOptions docs{
      .title = "Shop",
      .version = "1.4.0",
      .description = "The test app of swoop's API document.",
      .security_schemes = {{"bearer", swoop::SecurityScheme::bearer("JWT")},
                           {"api_key", swoop::SecurityScheme::api_key("X-Api-Key")}}};
  if (argc > 1) docs.docs_assets = argv[1];
  app.openapi(docs);
  add_items(app);
  add_others(app);
  swoop::RunOptions options;
  options.port = 0;  // App::run logs "listening on http://127.0.0.1:PORT" with the chosen port
  options.graceful_shutdown_timeout = std::chrono::milliseconds{3000};
  app.run(options);
  return 0;
}
