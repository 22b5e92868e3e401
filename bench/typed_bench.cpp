// SPDX-License-Identifier: MIT
// Typed bodies against hand-written reading: binding a JSON order into structs through
// swoop::from_json<T> and through JsonView calls by hand (issue 20; results in bench/RESULTS.md).
//
// Usage: typed_bench [rounds]      (default 21; prints a markdown table, MB = 10^6 bytes)
//        typed_bench --callgrind <typed|hand|hand-loop> <1k|100k> <iterations>
//
// Paths: "typed" is swoop::from_json<Order> with the descriptions below; "hand" reads the same
// fields with JsonView, checks kinds, required members and the same constraints, and throws at
// the first mistake, matching names with the same std::regex compiled once; "hand-loop" is
// "hand" with the name's pattern checked by a loop over its characters instead of std::regex.
// Each document is parsed once; "bind" times the binding alone, "parse+bind" times req.json()'s
// parse step (src/json/document.hpp) followed by the binding, both in thread CPU time. At start-up
// every path must read each document back into the structs it was written from, and must refuse
// broken items.
//
// --callgrind runs one path `iterations` times on one document and prints a checksum: under
// valgrind --tool=callgrind, (Ir at N2 - Ir at N1) / (N2 - N1) is the instructions per document,
// start-up (generating and parsing the document, compiling the regex) cancelling out.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "json/document.hpp"
#include "swoop/describe.hpp"
#include "swoop/json.hpp"

namespace shop {

enum class Color { red, green, light_blue };

struct Dimensions {
  double width = 0;
  double height = 0;
  friend bool operator==(const Dimensions&, const Dimensions&) = default;
};

struct Item {
  std::string name;
  double price = 0;
  std::uint16_t qty = 1;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  Dimensions size;
  Color color = Color::red;
  friend bool operator==(const Item&, const Item&) = default;
};

struct Order {
  std::string id;
  std::vector<Item> items;
  friend bool operator==(const Order&, const Order&) = default;
};

}  // namespace shop

template <>
struct swoop::describe<shop::Color> {
  static constexpr std::pair<shop::Color, std::string_view> values[] = {
      {shop::Color::red, "red"},
      {shop::Color::green, "green"},
      {shop::Color::light_blue, "light-blue"}};
};

template <>
struct swoop::describe<shop::Dimensions> {
  static constexpr auto fields = swoop::fields(swoop::field("width", &shop::Dimensions::width),
                                               swoop::field("height", &shop::Dimensions::height));
};

template <>
struct swoop::describe<shop::Item> {
  static constexpr auto fields = swoop::fields(
      swoop::field("name", &shop::Item::name, swoop::length(1, 40), swoop::pattern("^[a-z0-9-]+$")),
      swoop::field("price", &shop::Item::price, swoop::range(0.0, 10000.0)),
      swoop::field("qty", &shop::Item::qty, swoop::range(1, 999)),
      swoop::field("note", &shop::Item::note),
      swoop::field("tags", &shop::Item::tags, swoop::has_default, swoop::max_items(20)),
      swoop::field("size", &shop::Item::size), swoop::field("color", &shop::Item::color));
};

template <>
struct swoop::describe<shop::Order> {
  static constexpr auto fields = swoop::fields(swoop::field("id", &shop::Order::id),
                                               swoop::field("items", &shop::Order::items));
};

namespace {

using shop::Item;
using shop::Order;
using swoop::JsonView;

// ---- the hand-written path ---------------------------------------------------------------

enum class NameCheck { regex, loop };

// The same expression as the description's pattern, compiled once.
bool name_matches(std::string_view name, NameCheck check) {
  if (check == NameCheck::regex) {
    static const std::regex re{"^[a-z0-9-]+$"};
    return std::regex_search(name.begin(), name.end(), re);
  }
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Code points, as swoop::length counts them.
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string_view read_string(const JsonView& value) {
  if (!value.is_string()) value.reject("must be a string");
  return value.get<std::string_view>();
}

double read_number(const JsonView& value) {
  if (!value.is_number()) value.reject("must be a number");
  return value.get<double>();
}

void read_tags(const JsonView& item, std::vector<std::string>& out) {
  const std::optional<JsonView> tags = item.find("tags");
  if (!tags) return;
  if (!tags->is_array()) tags->reject("must be an array");
  if (tags->size() > 20) tags->reject("must have at most 20 items");
  for (const JsonView tag : tags->elements()) out.emplace_back(read_string(tag));
}

shop::Color read_color(const JsonView& value) {
  const std::string_view name = read_string(value);
  if (name == "red") return shop::Color::red;
  if (name == "green") return shop::Color::green;
  if (name == "light-blue") return shop::Color::light_blue;
  value.reject(R"(must be one of "red", "green", "light-blue")");
}

// operator[] throws HttpError 400 for a missing member; every other mistake is a reject().
Item read_item(const JsonView& json, NameCheck check) {
  if (!json.is_object()) json.reject("must be an object");
  Item item;
  const JsonView name = json["name"];
  item.name = read_string(name);
  const std::size_t chars = code_points(item.name);
  if (chars < 1 || chars > 40) name.reject("must be 1 to 40 characters long");
  if (!name_matches(item.name, check)) name.reject("must match the pattern ^[a-z0-9-]+$");
  const JsonView price = json["price"];
  item.price = read_number(price);
  if (!(item.price >= 0 && item.price <= 10000)) price.reject("must be from 0 to 10000");
  const JsonView qty = json["qty"];
  if (!qty.is_uint64()) qty.reject("must be an integer from 1 to 999");
  const auto q = qty.get<std::uint64_t>();
  if (q < 1 || q > 999) qty.reject("must be an integer from 1 to 999");
  item.qty = static_cast<std::uint16_t>(q);
  if (const std::optional<JsonView> note = json.find("note"); note && !note->is_null()) {
    item.note.emplace(read_string(*note));
  }
  read_tags(json, item.tags);
  const JsonView size = json["size"];
  if (!size.is_object()) size.reject("must be an object");
  item.size.width = read_number(size["width"]);
  item.size.height = read_number(size["height"]);
  item.color = read_color(json["color"]);
  return item;
}

Order read_order_by_hand(const JsonView& json, NameCheck check) {
  if (!json.is_object()) json.reject("must be an object");
  Order order;
  order.id = read_string(json["id"]);
  const JsonView items = json["items"];
  if (!items.is_array()) items.reject("must be an array");
  for (const JsonView element : items.elements()) order.items.push_back(read_item(element, check));
  return order;
}

// ---- documents and paths -----------------------------------------------------------------

enum class Path { typed, hand, hand_loop };
constexpr Path all_paths[] = {Path::typed, Path::hand, Path::hand_loop};

const char* path_name(Path path) {
  switch (path) {
    case Path::typed:
      return "typed";
    case Path::hand:
      return "hand";
    case Path::hand_loop:
      return "hand-loop";
  }
  return "?";
}

Order bind(Path path, const JsonView& root) {
  switch (path) {
    case Path::typed:
      return swoop::from_json<Order>(root);
    case Path::hand:
      return read_order_by_hand(root, NameCheck::regex);
    case Path::hand_loop:
      return read_order_by_hand(root, NameCheck::loop);
  }
  std::abort();
}

std::uint64_t seed = 20;

std::uint64_t next_random() {
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  return seed >> 33;
}

// A deterministic item (the same sequence on every run and machine).
Item make_item() {
  const auto next = next_random;
  static constexpr const char* words[] = {"widget", "bolt", "lamp", "cable", "hinge", "gear"};
  static constexpr const char* tag_words[] = {"sale", "new", "eco", "fragile", "bulk", "gift"};
  Item item;
  item.name = std::string{words[next() % 6]} + "-" + std::to_string(next() % 10000);
  item.price = static_cast<double>(next() % 1'000'000) / 100.0;
  item.qty = static_cast<std::uint16_t>(1 + next() % 999);
  if (next() % 3 == 0) item.note = "leave at the door, ring twice";
  for (auto n = next() % 5; n > 0; --n) item.tags.emplace_back(tag_words[next() % 6]);
  item.size = {static_cast<double>(next() % 100'000) / 100.0,
               static_cast<double>(next() % 100'000) / 100.0};
  item.color = static_cast<shop::Color>(next() % 3);
  return item;
}

// An order whose JSON (swoop::to_json, the described writer) just reaches target_bytes.
Order make_order(std::size_t target_bytes) {
  seed = 20;  // the same items whichever document is made first
  Order order{"ord-2026-12-06-0042", {}};
  std::size_t bytes = swoop::to_json(order).size();
  while (bytes < target_bytes) {
    order.items.push_back(make_item());
    bytes += swoop::to_json(order.items.back()).size() + (order.items.size() > 1 ? 1 : 0);
  }
  return order;
}

// One document, parsed once into the pooled parser that req.json() uses.
struct Document {
  explicit Document(std::size_t target_bytes)
      : order(make_order(target_bytes)),
        text(swoop::to_json(order)),
        parsed(swoop::detail::acquire_json_document()) {
    parse();
  }
  void parse() {
    parsed->parse(text);
    if (!parsed->ok()) {
      std::fprintf(stderr, "parse failed: %s\n", parsed->error.c_str());
      std::exit(1);
    }
  }
  JsonView root() const { return swoop::detail::json_root(*parsed); }

  Order order;
  std::string text;
  swoop::detail::JsonDocumentPtr parsed;
};

// Whether path refuses text (with HttpError: 400 by hand, 422 typed).
bool refuses(Path path, const std::string& text) {
  swoop::detail::JsonDocumentPtr parsed = swoop::detail::acquire_json_document();
  parsed->parse(text);
  try {
    bind(path, swoop::detail::json_root(*parsed));
  } catch (const swoop::HttpError&) {
    return true;
  }
  return false;
}

// Every path reads the documents back exactly and refuses each broken item: neither side of
// the comparison may skip work the other does.
bool paths_agree(const std::vector<const Document*>& documents) {
  const std::vector<void (*)(Item&)> breakers = {
      [](Item& i) { i.name = ""; },
      [](Item& i) { i.name = std::string(41, 'a'); },
      [](Item& i) { i.name = "Not-Lower"; },
      [](Item& i) { i.price = 10000.5; },
      [](Item& i) { i.qty = 0; },
      [](Item& i) { i.qty = 1000; },
      [](Item& i) { i.tags.assign(21, "x"); },
  };
  for (const Path path : all_paths) {
    for (const Document* d : documents) {
      if (bind(path, d->root()) != d->order) {
        std::fprintf(stderr, "%s misread the %zu-byte document\n", path_name(path), d->text.size());
        return false;
      }
    }
    for (std::size_t b = 0; b < breakers.size(); ++b) {
      Order broken = documents.front()->order;
      breakers[b](broken.items.front());
      if (!refuses(path, swoop::to_json(broken))) {
        std::fprintf(stderr, "%s accepted broken item %zu\n", path_name(path), b);
        return false;
      }
    }
  }
  return true;
}

// ---- timing --------------------------------------------------------------------------------

std::size_t sink = 0;

void consume(const Order& order) { sink += order.items.size() + order.items.back().name.size(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// This thread's CPU time: the machine is shared, and time spent descheduled is not the
// binding's (cache pollution by other processes still counts).
double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// CPU ns per document of `iterations` bindings (with a parse before each when with_parse).
double time_batch(Path path, Document& d, std::size_t iterations, bool with_parse) {
  const double start = thread_cpu_ns();
  for (std::size_t i = 0; i < iterations; ++i) {
    if (with_parse) d.parse();
    consume(bind(path, d.root()));
  }
  return (thread_cpu_ns() - start) / static_cast<double>(iterations);
}

struct Row {
  std::vector<double> bind_ns, total_ns;
};

void report(const char* label, const Document& d, const Row (&rows)[3]) {
  const auto mbps = [&](double ns) { return static_cast<double>(d.text.size()) / ns * 1e3; };
  double bind[3], total[3];
  for (std::size_t p = 0; p < 3; ++p) {
    bind[p] = median(rows[p].bind_ns);
    total[p] = median(rows[p].total_ns);
    std::printf("| %s | %zu | %zu | %s | %.0f | %.0f | %.0f | %.0f |\n", label, d.text.size(),
                d.order.items.size(), path_name(all_paths[p]), bind[p], mbps(bind[p]), total[p],
                mbps(total[p]));
  }
  std::printf("| %s | | | typed / hand | %.2fx | | %.2fx | |\n", label, bind[0] / bind[1],
              total[0] / total[1]);
  std::printf("| %s | | | typed / hand-loop | %.2fx | | %.2fx | |\n", label, bind[0] / bind[2],
              total[0] / total[2]);
}

int run_timing(int rounds) {
  Document small{1000}, large{100'000};
  if (!paths_agree({&small, &large})) return 1;
  Document* documents[] = {&small, &large};
  const char* labels[] = {"1 KB", "100 KB"};
  Row rows[2][3];
  for (int round = -1; round < rounds; ++round) {  // round -1 warms up and is dropped
    for (std::size_t s = 0; s < 2; ++s) {
      Document& d = *documents[s];
      const std::size_t iterations = std::max<std::size_t>(5, 5'000'000 / d.text.size());
      for (std::size_t p = 0; p < 3; ++p) {
        const double b = time_batch(all_paths[p], d, iterations, false);
        const double t = time_batch(all_paths[p], d, iterations, true);
        if (round < 0) continue;
        rows[s][p].bind_ns.push_back(b);
        rows[s][p].total_ns.push_back(t);
      }
    }
  }
  std::printf(
      "rounds: %d (medians of thread CPU time; batches of ~5 MB of documents, paths "
      "interleaved)\n\n",
      rounds);
  std::printf(
      "| document | bytes | items | path | bind ns/doc | bind MB/s | parse+bind ns/doc | "
      "parse+bind MB/s |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
  for (std::size_t s = 0; s < 2; ++s) report(labels[s], *documents[s], rows[s]);
  std::printf("\n(checksum %zu)\n", sink);
  return 0;
}

int run_callgrind(const char* path_arg, const char* size_arg, const char* count_arg) {
  std::optional<Path> path;
  for (const Path p : all_paths) {
    if (std::strcmp(path_arg, path_name(p)) == 0) path = p;
  }
  const bool small = std::strcmp(size_arg, "1k") == 0;
  if (!path || (!small && std::strcmp(size_arg, "100k") != 0)) {
    std::fprintf(stderr, "usage: typed_bench --callgrind <typed|hand|hand-loop> <1k|100k> <n>\n");
    return 2;
  }
  const long iterations = std::atol(count_arg);
  Document d{small ? 1000u : 100'000u};
  if (!paths_agree({&d})) return 1;
  for (long i = 0; i < iterations; ++i) consume(bind(*path, d.root()));
  std::printf("%s %s: %zu bytes, %ld iterations (checksum %zu)\n", path_name(*path), size_arg,
              d.text.size(), iterations, sink);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--callgrind") == 0) {
    return run_callgrind(argv[2], argv[3], argv[4]);
  }
  if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
    std::fprintf(stderr,
                 "usage: typed_bench [rounds]\n"
                 "       typed_bench --callgrind <typed|hand|hand-loop> <1k|100k> <iterations>\n");
    return 2;
  }
  return run_timing(argc == 2 ? std::max(1, std::atoi(argv[1])) : 21);
}
