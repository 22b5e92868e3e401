// SPDX-License-Identifier: MIT
// The API document: OpenAPI 3.1 from the registered routes and the types they read and
// answer, the docs page, and App::openapi, which serves both.
#include "swoop/openapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "app/app_state.hpp"
#include "http/html.hpp"
#include "json/document.hpp"
#include "router/pattern.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/status.hpp"

namespace swoop {

namespace detail {

JsonValue SchemaSet::ref(const void* id, std::string_view name, JsonValue (*build)(SchemaSet&)) {
  for (const auto& [owner, taken] : owners_) {
    if (owner == id) return JsonObject{{"$ref", "#/components/schemas/" + taken}};
    if (taken == name) {
      throw std::logic_error(
          fmt::format("two types are published as schema '{}': name one with `static constexpr "
                      "std::string_view name` in its swoop::describe (or a json_name member)",
                      name));
    }
  }
  owners_.emplace_back(id, std::string{name});
  const std::size_t slot = components_.size();
  components_.push_back({std::string{name}, JsonValue{}});
  JsonValue schema = build(*this);  // may add components (and refer to this one)
  components_[slot].value = std::move(schema);
  return JsonObject{{"$ref", "#/components/schemas/" + std::string{name}}};
}

namespace {

bool name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

/// The type in a __PRETTY_FUNCTION__: GCC writes "[with T = ns::X; ...]", clang "[T = ns::X]".
std::string_view spelled_type(std::string_view pretty) {
  std::size_t start = pretty.find("T = ");
  if (start == std::string_view::npos) return pretty;
  start += 4;
  int depth = 0;
  std::size_t end = start;
  for (; end < pretty.size(); ++end) {
    const char c = pretty[end];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (depth == 0 && (c == ';' || c == ']')) break;
  }
  return pretty.substr(start, end - start);
}

}  // namespace

std::string component_name(std::string_view pretty, std::string_view declared) {
  if (!declared.empty()) {
    if (!std::all_of(declared.begin(), declared.end(), name_char)) {
      throw std::logic_error(fmt::format(
          "schema name '{}': OpenAPI allows only letters, digits, '.', '-' and '_'", declared));
    }
    return std::string{declared};
  }
  std::string spelled{spelled_type(pretty)};
  for (const std::string_view anonymous : {"(anonymous namespace)::", "{anonymous}::"}) {
    for (std::size_t at; (at = spelled.find(anonymous)) != std::string::npos;) {
      spelled.erase(at, anonymous.size());
    }
  }
  std::string out;
  std::size_t word = 0;  // where the identifier being copied starts in out
  for (std::size_t i = 0; i < spelled.size(); ++i) {
    const char c = spelled[i];
    if (c == ':' && i + 1 < spelled.size() && spelled[i + 1] == ':') {
      out.resize(word);  // a qualifier: drop it
      ++i;
    } else if (name_char(c)) {
      out += c;
    } else if ((c == '<' || c == ',' || c == ' ') && !out.empty() && out.back() != '_') {
      out += '_';  // "Page<Item, long int>" -> "Page_Item_long_int"
      word = out.size();
    } else if (c == '<' || c == ',' || c == ' ') {
      word = out.size();
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

JsonValue parse_default(std::string_view json) {
  const JsonDocumentPtr document = acquire_json_document();
  document->parse(json);
  if (!document->ok())
    throw std::logic_error("a default value did not read back: " + document->error);
  return json_root(*document).get<JsonValue>();
}

}  // namespace detail

namespace {

using detail::RouteDoc;
using detail::SchemaSet;
using detail::Segment;
using detail::SegmentKind;

/// The schema of a path parameter, from its type in the pattern.
JsonObject path_param_schema(const Segment& s) {
  switch (s.kind) {
    case SegmentKind::integer:
      return {{"type", "integer"}, {"format", "int64"}};
    case SegmentKind::floating:
      return {{"type", "number"}};
    case SegmentKind::uuid:
      return {{"type", "string"}, {"format", "uuid"}};
    case SegmentKind::slug:
      return {{"type", "string"}, {"pattern", "^[a-z0-9]+(?:-[a-z0-9]+)*$"}};
    case SegmentKind::alpha:
      return {{"type", "string"}, {"pattern", "^[A-Za-z]+$"}};
    case SegmentKind::regex:
      // The router matches the whole segment; a JSON Schema pattern searches.
      return {{"type", "string"}, {"pattern", "^(?:" + s.regex_source + ")$"}};
    default:
      return {{"type", "string"}};
  }
}

/// "/items/<id:int>" as OpenAPI writes it, "/items/{id}", and its parameters.
std::string document_path(std::string_view pattern, JsonArray& parameters) {
  const detail::Pattern parsed = detail::parse_pattern(pattern);
  std::string path;
  for (const Segment& s : parsed.segments) {
    path += '/';
    if (s.kind == SegmentKind::text) {
      path += s.text;
      continue;
    }
    path += '{' + s.text + '}';
    JsonObject p{{"name", s.text}, {"in", "path"}, {"required", true}};
    if (s.kind == SegmentKind::path) {
      p.push_back({"description", "the rest of the path: one or more segments, '/' included"});
    }
    p.push_back({"schema", path_param_schema(s)});
    parameters.emplace_back(std::move(p));
  }
  if (path.empty() || parsed.trailing_slash) path += '/';
  return path;
}

/// A parameter's schema: a parameter is a string or absent, never null, so an optional
/// field's schema loses its null (and its null default).
JsonValue without_null(JsonValue schema) {
  JsonObject& o = schema.as_object();
  std::erase_if(o, [](const JsonMember& m) { return m.key == "default" && m.value.is_null(); });
  if (JsonValue* type = schema.find("type"); type != nullptr && type->is_array()) {
    JsonValue first = type->as_array().front();
    *type = std::move(first);
  } else if (JsonValue* any = schema.find("anyOf"); any != nullptr && o.size() == 1) {
    JsonValue first = any->as_array().front();
    return first;
  }
  return schema;
}

/// One parameter per field of a params<T>() schema.
void add_parameters(const Schema& schema, std::string_view in, SchemaSet& set,
                    JsonArray& parameters) {
  const JsonValue object = schema.build(set, true);
  const JsonValue* required = object.find("required");
  for (const JsonMember& property : object["properties"].as_object()) {
    // A list is never missing from a query, a form or headers: absent, it is empty.
    const JsonValue* type = property.value.find("type");
    bool needed = false;
    if (required != nullptr &&
        !(type != nullptr && type->is_string() && type->as_string() == "array")) {
      for (const JsonValue& r : required->as_array())
        needed = needed || r.as_string() == property.key;
    }
    parameters.emplace_back(JsonObject{{"name", property.key},
                                       {"in", in},
                                       {"required", needed},
                                       {"schema", without_null(property.value)}});
  }
}

JsonValue content(const Schema& schema, SchemaSet& set) {
  return JsonObject{{schema.media_type, JsonObject{{"schema", schema.build(set, false)}}}};
}

/// The body of swoop's 422 (ValidationError, as src/app/error_render.cpp writes it).
JsonValue validation_error_schema(SchemaSet& set) {
  static constexpr char id = 0;
  auto build = [](SchemaSet&) -> JsonValue {
    JsonArray kinds;
    for (const char* k : {"missing", "type", "range", "length", "pattern", "one_of", "items",
                          "enum", "unknown_field", "duplicate", "too_many"}) {
      kinds.emplace_back(k);
    }
    JsonObject issue{{"type", "object"},
                     {"properties", JsonObject{{"path", JsonObject{{"type", "string"}}},
                                               {"message", JsonObject{{"type", "string"}}},
                                               {"kind", JsonObject{{"enum", std::move(kinds)}}}}},
                     {"required", JsonArray{"path", "message", "kind"}}};
    JsonObject context{{"type", "object"},
                       {"properties", JsonObject{{"errors", JsonObject{{"type", "array"},
                                                                       {"items", std::move(issue)},
                                                                       {"maxItems", 100}}}}},
                       {"required", JsonArray{"errors"}}};
    JsonObject error{{"type", "object"},
                     {"properties", JsonObject{{"status", JsonObject{{"const", 422}}},
                                               {"message", JsonObject{{"type", "string"}}},
                                               {"context", std::move(context)}}},
                     {"required", JsonArray{"status", "message", "context"}}};
    return JsonObject{{"type", "object"},
                      {"properties", JsonObject{{"error", std::move(error)}}},
                      {"required", JsonArray{"error"}}};
  };
  return set.ref(&id, "ValidationError", build);
}

JsonValue answer(std::string_view description, int status) {
  return JsonObject{{"description", description.empty() ? std::string{reason_phrase(status)}
                                                        : std::string{description}}};
}

void set_member(JsonObject& object, std::string key, JsonValue value) {
  for (JsonMember& m : object) {
    if (m.key == key) return void(m.value = std::move(value));
  }
  object.push_back({std::move(key), std::move(value)});
}

JsonObject responses(const detail::RouteInfo& route, SchemaSet& set) {
  const RouteOptions& o = route.doc.options;
  JsonObject out;
  if (const detail::SchemaFn result = route.handler.result_schema()) {
    JsonValue r = answer({}, route.handler.status());
    r.as_object().push_back({"content", content(Schema{result}, set)});
    out.push_back({std::to_string(route.handler.status()), std::move(r)});
  }
  for (const ResponseDoc& d : o.responses) {
    const std::string key = std::to_string(d.status);
    auto typed = std::find_if(out.begin(), out.end(), [&](auto& m) { return m.key == key; });
    if (typed != out.end() && !d.body) {  // words for the typed answer
      if (!d.description.empty()) typed->value["description"] = d.description;
      continue;
    }
    JsonValue r = answer(d.description, d.status);
    if (d.body) r.as_object().push_back({"content", content(*d.body, set)});
    set_member(out, key, std::move(r));
  }
  if (out.empty()) out.push_back({"200", answer({}, 200)});
  if ((o.body || o.query || o.headers) &&
      std::none_of(out.begin(), out.end(), [](auto& m) { return m.key == "422"; })) {
    JsonValue r = answer(
        "the request does not fit: every invalid value, with its path (as JSON when the request "
        "accepts application/json, else as text or HTML)",
        422);
    r.as_object().push_back(
        {"content",
         JsonObject{{"application/json", JsonObject{{"schema", validation_error_schema(set)}}},
                    {"text/plain", JsonObject{{"schema", JsonObject{{"type", "string"}}}}}}});
    out.push_back({"422", std::move(r)});
  }
  std::sort(out.begin(), out.end(),
            [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; });
  return out;
}

constexpr std::string_view operation_methods[] = {"GET",     "PUT",  "POST",  "DELETE",
                                                  "OPTIONS", "HEAD", "PATCH", "TRACE"};

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

/// Builds the document, route by route.
class DocumentBuilder {
 public:
  DocumentBuilder(const detail::AppState& app, const OpenApiOptions& options)
      : app_(app), options_(options) {}

  std::string build(std::string_view title) {
    for (const detail::RouteInfo& route : app_.routes) {
      if (route.handler && route.doc.options.include_in_schema) add_route(route);
    }
    JsonObject info{{"title", title}, {"version", options_.version}};
    if (!options_.description.empty()) info.push_back({"description", options_.description});
    JsonObject doc{{"openapi", "3.1.0"}, {"info", std::move(info)}};
    if (!options_.servers.empty()) {
      JsonArray servers;
      for (const std::string& url : options_.servers)
        servers.emplace_back(JsonObject{{"url", url}});
      doc.push_back({"servers", std::move(servers)});
    }
    if (!tags_.empty()) {
      JsonArray tags;
      for (const std::string& t : tags_) tags.emplace_back(JsonObject{{"name", t}});
      doc.push_back({"tags", std::move(tags)});
    }
    doc.push_back({"paths", std::move(paths_)});
    JsonObject components;
    if (!schemas_.components().empty()) components.push_back({"schemas", schemas_.components()});
    if (!options_.security_schemes.empty()) {
      JsonObject schemes;
      for (const auto& [name, scheme] : options_.security_schemes) {
        schemes.push_back({name, security_scheme(scheme)});
      }
      components.push_back({"securitySchemes", std::move(schemes)});
    }
    if (!components.empty()) doc.push_back({"components", std::move(components)});
    return to_json(JsonValue{std::move(doc)});
  }

 private:
  static JsonObject security_scheme(const SecurityScheme& s) {
    JsonObject o{{"type", s.type}};
    if (!s.scheme.empty()) o.push_back({"scheme", s.scheme});
    if (!s.bearer_format.empty()) o.push_back({"bearerFormat", s.bearer_format});
    if (!s.name.empty()) o.push_back({"name", s.name});
    if (!s.in.empty()) o.push_back({"in", s.in});
    if (!s.url.empty()) o.push_back({"openIdConnectUrl", s.url});
    if (!s.description.empty()) o.push_back({"description", s.description});
    return o;
  }

  void add_route(const detail::RouteInfo& route) {
    const RouteDoc& d = route.doc;
    JsonArray path_parameters;
    const std::string path = document_path(d.pattern, path_parameters);
    std::size_t documented = 0;
    for (const std::string& m : d.options.methods) {
      documented += std::count(std::begin(operation_methods), std::end(operation_methods), m);
    }
    if (documented == 0) return;
    JsonValue* item = paths_.find(path);
    if (item == nullptr) {
      paths_.as_object().push_back({path, JsonObject{}});
      item = &paths_.as_object().back().value;
    }
    for (const std::string& method : d.options.methods) {
      const std::string key = lower(method);
      // OpenAPI 3.1 has no place for other methods (PURGE, PROPFIND); one path and method
      // served under two hosts is documented once.
      if (std::count(std::begin(operation_methods), std::end(operation_methods), method) == 0 ||
          item->contains(key)) {
        continue;
      }
      JsonObject op = operation(route, path, path_parameters, documented > 1 ? key : std::string{});
      item->as_object().push_back({key, std::move(op)});
    }
  }

  JsonObject operation(const detail::RouteInfo& route, std::string_view path,
                       const JsonArray& path_parameters, const std::string& method_suffix) {
    const RouteDoc& d = route.doc;
    const RouteOptions& o = d.options;
    JsonObject op;
    std::vector<std::string> tags = o.tags;
    if (tags.empty() && !d.blueprint.empty()) tags.push_back(d.blueprint);
    if (!tags.empty()) {
      JsonArray list;
      for (const std::string& t : tags) {
        list.emplace_back(t);
        if (std::find(tags_.begin(), tags_.end(), t) == tags_.end()) tags_.push_back(t);
      }
      op.push_back({"tags", std::move(list)});
    }
    if (!o.summary.empty()) op.push_back({"summary", o.summary});
    if (!o.description.empty()) op.push_back({"description", o.description});
    op.push_back({"operationId", operation_id(d, path, method_suffix)});
    JsonArray parameters = path_parameters;
    if (o.query) add_parameters(*o.query, "query", schemas_, parameters);
    if (o.headers) add_parameters(*o.headers, "header", schemas_, parameters);
    if (!parameters.empty()) op.push_back({"parameters", std::move(parameters)});
    if (o.body) {
      op.push_back(
          {"requestBody", JsonObject{{"required", true}, {"content", content(*o.body, schemas_)}}});
    }
    op.push_back({"responses", responses(route, schemas_)});
    if (o.deprecated) op.push_back({"deprecated", true});
    if (!o.security.empty()) op.push_back({"security", security(d)});
    return op;
  }

  /// The route's name when it has one, else its method and path ("get_items_id").
  std::string operation_id(const RouteDoc& d, std::string_view path,
                           const std::string& method_suffix) {
    std::string id = d.options.name;
    if (id.empty()) {
      id = lower(d.options.methods.front());
      for (const char c : path) {
        const bool word =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (word) {
          id += c;
        } else if (id.back() != '_') {
          id += '_';
        }
      }
      while (id.back() == '_') id.pop_back();
    } else if (!method_suffix.empty()) {
      id += '_' + method_suffix;
    }
    std::string unique = id;
    for (int n = 2; std::find(ids_.begin(), ids_.end(), unique) != ids_.end(); ++n) {
      unique = id + '_' + std::to_string(n);
    }
    ids_.push_back(unique);
    return unique;
  }

  JsonArray security(const RouteDoc& d) const {
    JsonArray any;  // each requirement object is an alternative
    for (const std::string& name : d.options.security) {
      const auto& schemes = options_.security_schemes;
      if (std::none_of(schemes.begin(), schemes.end(),
                       [&](const auto& s) { return s.first == name; })) {
        throw std::logic_error(
            fmt::format("route {}: security scheme '{}' is not in OpenApiOptions::security_schemes",
                        d.pattern, name));
      }
      any.emplace_back(JsonObject{{name, JsonArray{}}});
    }
    return any;
  }

  const detail::AppState& app_;
  const OpenApiOptions& options_;
  SchemaSet schemas_;
  JsonValue paths_ = JsonObject{};
  std::vector<std::string> tags_;
  std::vector<std::string> ids_;
};

std::string docs_page(const OpenApiOptions& o, std::string_view title) {
  const std::string base = o.docs_assets.empty() ? o.docs_cdn : o.docs_path + "/assets";
  std::string url = to_json(JsonValue{o.openapi_path});
  for (std::size_t at; (at = url.find('<')) != std::string::npos;) url.replace(at, 1, "\\u003c");
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  detail::append_html_escaped(page, title);
  page += "</title>\n<link rel=\"icon\" type=\"image/png\" href=\"";
  detail::append_html_escaped(page, base);
  page += "/favicon-32x32.png\">\n<link rel=\"stylesheet\" href=\"";
  detail::append_html_escaped(page, base);
  page += "/swagger-ui.css\">\n</head>\n<body>\n<div id=\"swagger-ui\"></div>\n<script src=\"";
  detail::append_html_escaped(page, base);
  page += "/swagger-ui-bundle.js\"></script>\n<script>\nwindow.ui = SwaggerUIBundle({url: " + url +
          ", dom_id: \"#swagger-ui\", deepLinking: true});\n</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace

namespace detail {

void check_documented(const AppState& app, std::string_view pattern, const RouteOptions& options,
                      const Handler& handler) {
  if (!app.openapi || !app.openapi->require_docs || !options.include_in_schema) return;
  if (options.summary.empty()) {
    throw std::invalid_argument(
        fmt::format("route {} has no summary, and OpenApiOptions::require_docs asks for one (or "
                    "include_in_schema = false)",
                    pattern));
  }
  if (!handler.is_typed() && options.responses.empty()) {
    throw std::invalid_argument(fmt::format(
        "route {} documents no answer, and OpenApiOptions::require_docs asks for one: return a "
        "typed value or list RouteOptions::responses",
        pattern));
  }
}

}  // namespace detail

std::string openapi_json(const App& app) {
  const detail::AppState& state = detail::Access::state(app);
  const OpenApiOptions options = state.openapi.value_or(OpenApiOptions{});
  return DocumentBuilder{state, options}.build(options.title.empty() ? app.name() : options.title);
}

void App::openapi(OpenApiOptions options) {
  check_open();
  if (state_->openapi) throw std::invalid_argument("app.openapi() was already called");
  if (options.title.empty()) options.title = name_;
  if (options.openapi_path.empty() && !options.docs_path.empty()) {
    throw std::invalid_argument(
        "app.openapi(): the docs page reads the document, so it needs an "
        "openapi_path");
  }
  state_->openapi = options;
  try {  // a failure leaves the app without a document (a route taken by another stays taken)
    for (const detail::RouteInfo& r : state_->routes) {
      if (r.handler) detail::check_documented(*state_, r.doc.pattern, r.doc.options, r.handler);
    }
    RouteOptions hidden;
    hidden.include_in_schema = false;
    if (!options.openapi_path.empty()) {
      const detail::AppState* state = state_.get();
      route(options.openapi_path,
            hidden)([state](Request&) { return json_text(state->openapi_document); });
    }
    if (!options.docs_path.empty()) {
      route(options.docs_path,
            hidden)([page = docs_page(options, options.title)](Request&) { return html(page); });
      if (!options.docs_assets.empty()) {
        static_files(options.docs_path + "/assets", options.docs_assets);
      }
    }
  } catch (...) {
    state_->openapi.reset();
    throw;
  }
}

}  // namespace swoop
