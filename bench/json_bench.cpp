// SPDX-License-Identifier: MIT
// JSON writer and simdjson parser throughput on a ~1 MB document (results in bench/RESULTS.md).
//
// Usage: json_bench [runs]   (default 50; prints a markdown table, MB = 10^6 bytes)
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "json/document.hpp"
#include "swoop/json.hpp"

namespace {

struct Address {
  std::string street;
  std::string city;
  int zip = 0;
};

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string bio;  // quotes, backslashes, newlines, tabs, a control character, UTF-8
  double score = 0;
  bool active = false;
  std::vector<std::string> tags;
  std::optional<Address> address;
  std::map<std::string, std::uint64_t> counters;
  std::vector<double> history;
};

void to_json(swoop::JsonWriter& w, const Address& a) {
  w.begin_object();
  w.member("street", a.street);
  w.member("city", a.city);
  w.member("zip", a.zip);
  w.end_object();
}

void to_json(swoop::JsonWriter& w, const User& u) {
  w.begin_object();
  w.member("id", u.id);
  w.member("name", u.name);
  w.member("bio", u.bio);
  w.member("score", u.score);
  w.member("active", u.active);
  w.member("tags", u.tags);
  w.member("address", u.address);
  w.member("counters", u.counters);
  w.member("history", u.history);
  w.end_object();
}

// The same data as a JsonValue, member for member.
swoop::JsonValue to_value(const User& u) {
  swoop::JsonArray tags(u.tags.begin(), u.tags.end());
  swoop::JsonValue address = nullptr;
  if (u.address) {
    address = swoop::JsonObject{
        {"street", u.address->street}, {"city", u.address->city}, {"zip", u.address->zip}};
  }
  swoop::JsonObject counters;
  for (const auto& [k, v] : u.counters) counters.push_back({k, v});
  swoop::JsonArray history(u.history.begin(), u.history.end());
  return swoop::JsonObject{{"id", u.id},
                           {"name", u.name},
                           {"bio", u.bio},
                           {"score", u.score},
                           {"active", u.active},
                           {"tags", std::move(tags)},
                           {"address", std::move(address)},
                           {"counters", std::move(counters)},
                           {"history", std::move(history)}};
}

std::vector<User> make_users(std::size_t target_bytes) {
  std::vector<User> users;
  std::uint64_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  while (users.size() % 64 != 0 || swoop::to_json(users).size() < target_bytes) {
    User u;
    u.id = static_cast<std::int64_t>(next()) - (1LL << 30);
    u.name = "user " + std::to_string(users.size()) + " \xC3\xA9l\xC3\xA8ve";
    u.bio = "Says \"hi\"\tand\\or\nwrites C:\\path; \x01 caf\xC3\xA9 \xE2\x82\xAC " +
            std::string(next() % 40, 'x');
    u.score = static_cast<double>(next()) / 7.0;
    u.active = next() % 2 == 0;
    for (int i = static_cast<int>(next() % 5); i >= 0; --i) {
      u.tags.push_back("tag" + std::to_string(next() % 100));
    }
    if (next() % 3 != 0) u.address = Address{"1 Main St", "Springfield", static_cast<int>(next())};
    u.counters = {{"views", next()}, {"likes", next() % 1000}, {"shares", 0}};
    for (int i = static_cast<int>(next() % 6); i >= 0; --i) {
      u.history.push_back(static_cast<double>(next() % 100000) / 100.0);
    }
    users.push_back(std::move(u));
  }
  return users;
}

struct Stats {
  double best;
  double median;
};

template <typename F>
Stats measure(int runs, std::size_t bytes, F&& f) {
  f();  // warm-up: caches, allocator, parser capacity
  std::vector<double> rates;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rates.push_back(static_cast<double>(bytes) / 1e6 / took.count());
  }
  std::sort(rates.begin(), rates.end());
  const std::size_t n = rates.size();
  const double median = n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
  return {rates.back(), median};
}

void row(const char* what, std::size_t bytes, Stats s) {
  std::printf("| %s | %zu | %.0f | %.0f |\n", what, bytes, s.median, s.best);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  const std::vector<User> users = make_users(1'000'000);
  swoop::JsonValue value = swoop::JsonArray{};
  for (const User& u : users) value.push_back(to_value(u));

  const std::string text = swoop::to_json(users);
  if (swoop::to_json(value) != text) {
    std::fprintf(stderr, "the two writer paths disagree\n");
    return 1;
  }
  const std::size_t bytes = text.size();
  std::size_t sink = 0;

  std::printf("runs: %d, document: %zu bytes, %zu objects at the top\n\n", runs, bytes,
              users.size());
  std::printf("| what | bytes | median MB/s | best MB/s |\n|---|---:|---:|---:|\n");
  row("write JsonValue (swoop::to_json)", bytes,
      measure(runs, bytes, [&] { sink += swoop::to_json(value).size(); }));
  row("write structs via ADL hooks (swoop::to_json)", bytes,
      measure(runs, bytes, [&] { sink += swoop::to_json(users).size(); }));
  std::string reused;
  row("write structs via ADL hooks into a reused string (write_json)", bytes,
      measure(runs, bytes, [&] {
        reused.clear();
        swoop::write_json(reused, users);
        sink += reused.size();
      }));

  simdjson::dom::parser parser;
  const simdjson::padded_string padded{text};
  row("simdjson dom::parser::parse (padded input, parser reused)", bytes, measure(runs, bytes, [&] {
        simdjson::dom::element root;
        if (parser.parse(padded).get(root) != simdjson::SUCCESS) std::abort();
        sink += root.is_array() ? 1 : 0;
      }));
  swoop::detail::JsonDocumentPtr document = swoop::detail::acquire_json_document();
  row("swoop req.json() parse (copy to padded buffer + simdjson)", bytes, measure(runs, bytes, [&] {
        document->parse(text);
        if (!document->ok()) std::abort();
        sink += 1;
      }));
  std::printf("\n(checksum %zu)\n", sink);
  return 0;
}
