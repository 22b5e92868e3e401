// SPDX-License-Identifier: MIT
// AppConfig: typed parsing, the environment, typo protection, and how it fills RunOptions.
#include "swoop/app_config.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

namespace {

using namespace std::chrono_literals;
using Vars = std::vector<std::pair<std::string, std::string>>;

// Every field AppConfig::apply may fill; a new RunOptions limit must be added here too.
bool same(const swoop::RunOptions& a, const swoop::RunOptions& b) {
  const swoop::FormLimits& f = a.form_limits;
  const swoop::FormLimits& g = b.form_limits;
  return a.host == b.host && a.port == b.port && a.workers == b.workers && a.backlog == b.backlog &&
         a.tls.cert_file == b.tls.cert_file && a.tls.key_file == b.tls.key_file &&
         a.max_connections == b.max_connections && a.max_target_size == b.max_target_size &&
         a.max_header_size == b.max_header_size && a.max_header_count == b.max_header_count &&
         a.max_body_size == b.max_body_size && a.request_timeout == b.request_timeout &&
         a.response_timeout == b.response_timeout && a.keep_alive_timeout == b.keep_alive_timeout &&
         a.graceful_shutdown_timeout == b.graceful_shutdown_timeout &&
         a.linger_timeout == b.linger_timeout && a.drain_delay == b.drain_delay &&
         f.max_fields == g.max_fields && f.max_files == g.max_files && f.max_parts == g.max_parts &&
         f.max_part_header_size == g.max_part_header_size && f.max_field_size == g.max_field_size &&
         f.max_file_size == g.max_file_size && a.json_any_content_type == b.json_any_content_type &&
         a.access_log == b.access_log && a.debug == b.debug;
}

std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("app_config") {
  TEST_CASE("the defaults are RunOptions' defaults") {
    const swoop::AppConfig config;
    CHECK(same(config.apply({}), swoop::RunOptions{}));
    for (const auto& e : swoop::config_reference()) {
      INFO(e.name);
      CHECK_FALSE(config.is_set(e.name));
      CHECK_FALSE(e.meaning.empty());
    }
  }

  TEST_CASE("every built-in setting but log_level fills a RunOptions field") {
    for (const auto& e : swoop::config_reference()) {
      if (e.name == "log_level") continue;
      INFO(e.name);
      swoop::AppConfig config;
      switch (e.type) {
        case swoop::ConfigType::boolean:
          config.set(e.name, "true");
          break;
        case swoop::ConfigType::integer:
          config.set(e.name, std::to_string(std::stoll(e.default_value) + 1));
          break;
        case swoop::ConfigType::size:
          config.set(e.name, "3K");
          break;
        case swoop::ConfigType::duration:
          config.set(e.name, "7s");
          break;
        case swoop::ConfigType::string:
          config.set(e.name, "::1");
          break;
        case swoop::ConfigType::choice:
          config.set(e.name, "json");
          break;
      }
      CHECK(config.is_set(e.name));
      CHECK_FALSE(same(config.apply({}), swoop::RunOptions{}));
    }
  }

  TEST_CASE("names and environment variables follow one rule and are unique") {
    std::set<std::string> names;
    for (const auto& e : swoop::config_reference()) {
      CHECK(names.insert(e.name).second);
    }
    CHECK(swoop::env_name("SWOOP_", "request_timeout") == "SWOOP_REQUEST_TIMEOUT");
    CHECK(names.contains("log_level"));
    CHECK(names.contains("access_log"));
    CHECK(names.contains("drain_delay"));
  }

  TEST_CASE("deploy/README.md's settings table is the config reference") {
    std::ifstream in{std::string{SWOOP_SOURCE_DIR} + "/deploy/README.md"};
    REQUIRE(in.good());
    std::vector<std::string> documented;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("| `") && line.find("`SWOOP_") != std::string::npos) {
        documented.push_back(line);
      }
    }
    std::vector<std::string> expected;
    for (const auto& e : swoop::config_reference()) {
      std::string type{swoop::type_name(e.type)};
      if (e.type == swoop::ConfigType::choice) {
        std::string words = e.choices;
        for (std::size_t i = 0; (i = words.find('|', i)) != std::string::npos;) {
          words.replace(i, 1, ", ");
        }
        type += " (" + words + ")";
      }
      expected.push_back("| `" + e.name + "` | `" + swoop::env_name("SWOOP_", e.name) + "` | " +
                         type + " | " +
                         (e.default_value.empty() ? "(empty)" : "`" + e.default_value + "`") +
                         " | " + e.meaning + " |");
    }
    CHECK(documented == expected);
  }

  TEST_CASE("durations are seconds by default and take ms, s and m suffixes") {
    swoop::AppConfig c;
    auto d = [&](const char* text) {
      c.set("request_timeout", text);
      return c.get<std::chrono::milliseconds>("request_timeout");
    };
    CHECK(d("30") == 30s);
    CHECK(d("500ms") == 500ms);
    CHECK(d("1.5s") == 1500ms);
    CHECK(d("0.25") == 250ms);
    CHECK(d("2m") == 120s);
    CHECK(d("0") == 0ms);
    CHECK(c.get<std::chrono::seconds>("request_timeout") == 0s);
    for (const char* bad : {"", "abc", "-1", "1h", "1.5.2", "s", "ms", " 30", "30 ", "1e3", ".5",
                            "5.", "99999999999999999999"}) {
      INFO(bad);
      const std::string e = error_of([&] { c.set("request_timeout", bad); });
      CHECK(e.find("request_timeout") != std::string::npos);
      CHECK(e.find("a duration") != std::string::npos);
    }
  }

  TEST_CASE("sizes take K, M and G suffixes in powers of 1024") {
    swoop::AppConfig c;
    auto size = [&](const char* text) {
      c.set("max_body_size", text);
      return c.get<std::uint64_t>("max_body_size");
    };
    CHECK(size("16M") == 16u << 20);
    CHECK(size("8k") == 8192u);
    CHECK(size("1G") == 1u << 30);
    CHECK(size("0") == 0u);
    CHECK(size("123") == 123u);
    for (const char* bad : {"1T", "-1", "M", "1.5M", "", "18446744073709551615K"}) {
      INFO(bad);
      CHECK(error_of([&] { c.set("max_body_size", bad); }).find("a size in bytes") !=
            std::string::npos);
    }
  }

  TEST_CASE("integers are checked against their bounds, booleans and choices against words") {
    swoop::AppConfig c;
    c.set("port", "65535");
    CHECK(c.get<int>("port") == 65535);
    CHECK(error_of([&] { c.set("port", "65536"); }).find("an integer from 0 to 65535") !=
          std::string::npos);
    CHECK(error_of([&] { c.set("port", "-1"); }) != "(no error)");
    CHECK(error_of([&] { c.set("port", "80x"); }) != "(no error)");
    c.set("workers", "0");
    CHECK(c.get<int>("workers") == 0);
    for (const char* yes : {"true", "TRUE", "1", "yes", "On"}) {
      c.set("debug", yes);
      CHECK(c.get<bool>("debug"));
    }
    for (const char* no : {"false", "0", "no", "OFF"}) {
      c.set("debug", no);
      CHECK_FALSE(c.get<bool>("debug"));
    }
    CHECK(error_of([&] { c.set("debug", "maybe"); }).find("a boolean") != std::string::npos);
    c.set("access_log", "JSON");
    CHECK(c.get<std::string>("access_log") == "json");
    CHECK(error_of([&] { c.set("access_log", "xml"); }).find("one of off,common,json") !=
          std::string::npos);
    CHECK(error_of([&] { c.set("access_log", ""); }) != "(no error)");
  }

  TEST_CASE("reading a setting as a type it does not have is an error, not a guess") {
    swoop::AppConfig c;
    CHECK(error_of([&] { (void)c.get<bool>("port"); }).find("integer setting") !=
          std::string::npos);
    CHECK(error_of([&] { (void)c.get<std::string>("request_timeout"); }) != "(no error)");
    CHECK(error_of([&] { (void)c.get<std::uint8_t>("port"); }).find("does not fit") !=
          std::string::npos);
    CHECK(error_of([&] { (void)c.get<int>("no_such"); }).find("no setting named 'no_such'") !=
          std::string::npos);
    CHECK(error_of([&] { c.set("no_such", "1"); }) != "(no error)");
  }

  TEST_CASE("the environment sets values; unknown or malformed variables are all reported") {
    swoop::AppConfig c;
    c.load({{"SWOOP_REQUEST_TIMEOUT", "30"},
            {"SWOOP_ACCESS_LOG", "common"},
            {"PATH", "/bin"},
            {"OTHER_PORT", "x"}});
    CHECK(c.get<std::chrono::milliseconds>("request_timeout") == 30s);
    CHECK(c.is_set("request_timeout"));
    CHECK(c.apply({}).access_log == swoop::AccessLog::common);

    swoop::AppConfig d;
    const std::string e = error_of([&] {
      d.load({{"SWOOP_REQEST_TIMEOUT", "30"},
              {"SWOOP_PORT", "http"},
              {"SWOOP_WORKERS", "2"},
              {"SWOOP_ZZZZZZZZ", "1"}});
    });
    CHECK(e.find("SWOOP_REQEST_TIMEOUT: no such setting (did you mean SWOOP_REQUEST_TIMEOUT?)") !=
          std::string::npos);
    CHECK(e.find("SWOOP_PORT='http': expected an integer from 0 to 65535") != std::string::npos);
    CHECK(e.ends_with("\n  SWOOP_ZZZZZZZZ: no such setting"));
    CHECK(e.find("SWOOP_WORKERS") == std::string::npos);
    CHECK_FALSE(d.is_set("workers"));  // nothing is applied when anything is wrong
  }

  TEST_CASE("the prefix is configurable") {
    swoop::AppConfig c;
    c.load({{"MYAPP_PORT", "9000"}, {"SWOOP_PORTT", "1"}}, "MYAPP_");
    CHECK(c.get<int>("port") == 9000);
    CHECK(error_of([&] { c.load_env(""); }) != "(no error)");
  }

  TEST_CASE("load_env reads the process environment") {
    ::setenv("SWOOPTEST_KEEP_ALIVE_TIMEOUT", "750ms", 1);
    swoop::AppConfig c;
    CHECK_FALSE(c.env_loaded());
    c.load_env("SWOOPTEST_");
    ::unsetenv("SWOOPTEST_KEEP_ALIVE_TIMEOUT");
    CHECK(c.env_loaded());
    CHECK(c.apply({}).keep_alive_timeout == 750ms);
  }

  TEST_CASE("explicit run options win over the config") {
    swoop::AppConfig c;
    c.set("port", "9000");
    c.set("request_timeout", "5s");
    c.set("form_max_file_size", "1M");
    swoop::RunOptions explicit_options;
    explicit_options.port = 7000;
    const swoop::RunOptions o = c.apply(explicit_options);
    CHECK(o.port == 7000);
    CHECK(o.request_timeout == 5s);
    CHECK(o.form_limits.max_file_size == 1u << 20);
    swoop::AppConfig unlimited;
    CHECK(unlimited.apply({}).form_limits.max_file_size == swoop::FormLimits{}.max_file_size);
  }

  TEST_CASE("a service declares its own settings and reads them typed") {
    swoop::AppConfig c;
    c.declare({.name = "db_url", .default_value = "postgres://localhost/app", .meaning = "db"});
    c.declare({.name = "cache_ttl", .type = swoop::ConfigType::duration, .default_value = "5m"});
    c.declare({.name = "shards",
               .type = swoop::ConfigType::integer,
               .default_value = "4",
               .min = 1,
               .max = 64});
    CHECK(c.get<std::string>("db_url") == "postgres://localhost/app");
    CHECK(c.get<std::chrono::minutes>("cache_ttl") == std::chrono::minutes{5});
    c.load({{"SWOOP_DB_URL", "postgres://db/x"}, {"SWOOP_SHARDS", "8"}});
    CHECK(c.get<std::string>("db_url") == "postgres://db/x");
    CHECK(c.get<int>("shards") == 8);
    CHECK(error_of([&] {
            c.load({{"SWOOP_SHARDS", "65"}});
          }).find("from 1 to 64") != std::string::npos);
    CHECK(c.entries().size() == swoop::config_reference().size() + 3);
    CHECK(c.entries().back().name == "shards");

    CHECK(error_of([&] { c.declare({.name = "Bad-Name"}); }).find("snake_case") !=
          std::string::npos);
    CHECK(error_of([&] { c.declare({.name = "db_url"}); }).find("already declared") !=
          std::string::npos);
    CHECK(error_of([&] {
            c.declare(
                {.name = "ratio", .type = swoop::ConfigType::integer, .default_value = "half"});
          }).find("the default of 'ratio'") != std::string::npos);
  }
}
