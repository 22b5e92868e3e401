// SPDX-License-Identifier: MIT
// AppConfig: typed parsing, the environment, typo protection, and how it fills RunOptions.
#include "swoop/app_config.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/app.hpp"
#include "swoop/log.hpp"

namespace {

using namespace std::chrono_literals;
using Vars = std::vector<std::pair<std::string, std::string>>;

// Every field AppConfig::apply may fill; a new RunOptions limit must be added here too.
bool same(const swoop::RunOptions& a, const swoop::RunOptions& b) {
  const swoop::FormLimits& f = a.form_limits;
  const swoop::FormLimits& g = b.form_limits;
  const swoop::Http2Options& h = a.http2;
  const swoop::Http2Options& i = b.http2;
  return a.host == b.host && a.port == b.port && a.workers == b.workers && a.backlog == b.backlog &&
         a.tls.cert_file == b.tls.cert_file && a.tls.key_file == b.tls.key_file &&
         h.enabled == i.enabled && h.max_concurrent_streams == i.max_concurrent_streams &&
         h.stream_window == i.stream_window && h.connection_window == i.connection_window &&
         h.reset_burst == i.reset_burst && h.resets_per_second == i.resets_per_second &&
         h.control_burst == i.control_burst &&
         h.control_frames_per_second == i.control_frames_per_second &&
         a.max_connections == b.max_connections && a.max_target_size == b.max_target_size &&
         a.max_header_size == b.max_header_size && a.max_header_count == b.max_header_count &&
         a.max_body_size == b.max_body_size && a.buffered_body_budget == b.buffered_body_budget &&
         a.request_timeout == b.request_timeout && a.response_timeout == b.response_timeout &&
         a.keep_alive_timeout == b.keep_alive_timeout &&
         a.graceful_shutdown_timeout == b.graceful_shutdown_timeout &&
         a.linger_timeout == b.linger_timeout && a.drain_delay == b.drain_delay &&
         f.max_fields == g.max_fields && f.max_files == g.max_files && f.max_parts == g.max_parts &&
         f.max_part_header_size == g.max_part_header_size && f.max_field_size == g.max_field_size &&
         f.max_file_size == g.max_file_size && a.json_any_content_type == b.json_any_content_type &&
         a.access_log == b.access_log && a.debug == b.debug && a.pubsub_url == b.pubsub_url;
}

// The variables Kubernetes gives every pod of the namespace for a Service whose name, upper
// case, is prefix without its '_' (enableServiceLinks): one TCP, one UDP and one SCTP port.
Vars service_links(const std::string& prefix) {
  Vars vars = {{"PORT", "tcp://10.96.0.17:80"},
               {"SERVICE_HOST", "10.96.0.17"},
               {"SERVICE_PORT", "80"},
               {"SERVICE_PORT_HTTP", "80"}};
  for (const auto& [proto, port] : {std::pair{"tcp", "80"}, {"udp", "53"}, {"sctp", "9000"}}) {
    std::string upper = proto;
    for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
    const std::string base = std::string{"PORT_"} + port + "_" + upper;
    vars.emplace_back(base, std::string{proto} + "://10.96.0.17:" + port);
    vars.emplace_back(base + "_PROTO", proto);
    vars.emplace_back(base + "_PORT", port);
    vars.emplace_back(base + "_ADDR", "10.96.0.17");
  }
  for (auto& [var, value] : vars) var = prefix + var;
  return vars;
}

std::vector<std::string> logged;

void log_to_vector(std::string_view line) noexcept { logged.emplace_back(line); }

// Sends log lines to `logged` for the scope; restores stderr and the level after.
struct LogCapture {
  swoop::LogLevel saved = swoop::log_level();
  LogCapture() {
    logged.clear();
    swoop::set_log_writer(&log_to_vector);
  }
  ~LogCapture() {
    swoop::set_log_writer(nullptr);
    swoop::set_log_level(saved);
  }
};

std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

// Sets environment variables for the scope (each test case runs in a process of its own).
struct ScopedEnv {
  Vars vars;
  explicit ScopedEnv(Vars v) : vars(std::move(v)) {
    for (const auto& [var, value] : vars) ::setenv(var.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [var, value] : vars) ::unsetenv(var.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
};

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
          config.set(e.name, e.default_value == "true" ? "false" : "true");
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

  TEST_CASE("the HTTP/2 settings: on by default, SWOOP_HTTP2=off, limits within their range") {
    swoop::AppConfig c;
    CHECK(c.apply({}).http2.enabled);
    c.load({{"SWOOP_HTTP2", "off"},
            {"SWOOP_HTTP2_MAX_CONCURRENT_STREAMS", "64"},
            {"SWOOP_HTTP2_STREAM_WINDOW", "65535"},
            {"SWOOP_HTTP2_CONNECTION_WINDOW", "2147483647"}});
    swoop::RunOptions o = c.apply({});
    CHECK_FALSE(o.http2.enabled);
    CHECK(o.http2.max_concurrent_streams == 64);
    CHECK(o.http2.stream_window == 65535);
    CHECK(o.http2.connection_window == 2147483647);
    CHECK(o.http2.reset_burst == swoop::Http2Options{}.reset_burst);
    CHECK_NOTHROW(o.http2.check());
    // Off in code stays off, whatever the environment says.
    c.load({{"SWOOP_HTTP2", "on"}});
    swoop::RunOptions off;
    off.http2.enabled = false;
    CHECK_FALSE(c.apply(off).http2.enabled);

    swoop::AppConfig d;
    const std::string e = error_of([&] {
      (void)d.load({{"SWOOP_HTTP2", "sometimes"},
                    {"SWOOP_HTTP2_MAX_CONCURRENT_STREAMS", "0"},
                    {"SWOOP_HTTP2_STREAM_WINDOW", "65534"},
                    {"SWOOP_HTTP2_CONNECTION_WINDOW", "2147483648"}});
    });
    CHECK(e.find("SWOOP_HTTP2='sometimes': expected a boolean") != std::string::npos);
    CHECK(e.find("SWOOP_HTTP2_MAX_CONCURRENT_STREAMS='0': expected an integer from 1 to "
                 "4294967295") != std::string::npos);
    CHECK(e.find("SWOOP_HTTP2_STREAM_WINDOW='65534': expected an integer from 65535 to "
                 "2147483647") != std::string::npos);
    CHECK(e.find("SWOOP_HTTP2_CONNECTION_WINDOW='2147483648': expected an integer from 65535 "
                 "to 2147483647") != std::string::npos);
    CHECK_FALSE(d.is_set("http2"));
  }

  TEST_CASE("Http2Options::check refuses no streams and windows outside 65535 to 2^31-1") {
    CHECK_NOTHROW(swoop::Http2Options{}.check());
    CHECK_NOTHROW(swoop::Http2Options{
        .max_concurrent_streams = 1, .stream_window = 65535, .connection_window = 2147483647}
                      .check());
    CHECK(error_of([] { swoop::Http2Options{.max_concurrent_streams = 0}.check(); }) ==
          "RunOptions::http2.max_concurrent_streams is 0: it must be from 1 to 4294967295");
    CHECK(error_of([] { swoop::Http2Options{.stream_window = 1024}.check(); }) ==
          "RunOptions::http2.stream_window is 1024: it must be from 65535 to 2147483647");
    CHECK(error_of([] { swoop::Http2Options{.connection_window = 2147483648u}.check(); }) ==
          "RunOptions::http2.connection_window is 2147483648: it must be from 65535 to "
          "2147483647");
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

  TEST_CASE("the environment sets values, and malformed values are all reported at once") {
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
      (void)d.load({{"SWOOP_REQEST_TIMEOUT", "30"},
                    {"SWOOP_PORT", "http"},
                    {"SWOOP_WORKERS", "2"},
                    {"SWOOP_MAX_BODY_SIZE", "lots"}});
    });
    CHECK(e.starts_with("configuration error in the environment:\n"));
    CHECK(e.find("SWOOP_PORT='http': expected an integer from 0 to 65535") != std::string::npos);
    CHECK(
        e.ends_with("\n  SWOOP_MAX_BODY_SIZE='lots': expected a size in bytes, with an optional "
                    "K, M or G suffix (e.g. 16M)"));
    CHECK(e.find("SWOOP_REQEST_TIMEOUT") == std::string::npos);  // a warning, not an error
    CHECK(e.find("SWOOP_WORKERS") == std::string::npos);
    CHECK_FALSE(d.is_set("workers"));  // nothing is applied when anything is wrong
  }

  TEST_CASE("Kubernetes service links and unknown variables are warnings, not errors") {
    swoop::AppConfig c;
    Vars vars = service_links("SWOOP_");
    vars.emplace_back("SWOOP_DEPLOY_COLOR", "blue");
    std::vector<std::string> warnings;
    CHECK_NOTHROW(warnings = c.load(vars));
    CHECK(same(c.apply({}), swoop::RunOptions{}));
    CHECK(c.get<int>("port") == 8000);
    for (const auto& e : swoop::config_reference()) CHECK_FALSE(c.is_set(e.name));

    REQUIRE(warnings.size() == 2);
    const std::string& links = warnings[0];
    CHECK(links.find("Kubernetes service links") != std::string::npos);
    CHECK(links.find("a Service named 'swoop'") != std::string::npos);
    CHECK(links.find("enableServiceLinks: false") != std::string::npos);
    CHECK(links.find("load_env(\"MYSVC_\")") != std::string::npos);
    for (const auto& [var, value] : service_links("SWOOP_")) {
      INFO(var);
      CHECK((links.find(var + ",") != std::string::npos ||
             links.find(var + ":") != std::string::npos));
    }
    CHECK(warnings[1] == "config: ignoring SWOOP_DEPLOY_COLOR: no such setting");
  }

  TEST_CASE("an unknown variable's warning names the closest setting when one is close") {
    swoop::AppConfig c;
    const auto warnings = c.load({{"SWOOP_REQEST_TIMEOUT", "30"}, {"SWOOP_ZZZZZZZZ", "1"}});
    CHECK_FALSE(c.is_set("request_timeout"));
    CHECK(warnings == std::vector<std::string>{
                          "config: ignoring SWOOP_REQEST_TIMEOUT: no such setting (did you mean "
                          "SWOOP_REQUEST_TIMEOUT?)",
                          "config: ignoring SWOOP_ZZZZZZZZ: no such setting"});
  }

  TEST_CASE("only the service-link family is taken for service links") {
    swoop::AppConfig c;
    // An IPv6 Service, and a Service with several ports: still links.
    auto warnings = c.load({{"SWOOP_PORT", "tcp://[fd00:10:96::17]:8080"},
                            {"SWOOP_PORT_8080_TCP", "tcp://[fd00:10:96::17]:8080"},
                            {"SWOOP_SERVICE_PORT_METRICS", "9090"},
                            {"SWOOP_PORT_9090_TCP_ADDR", "fd00:10:96::17"}});
    CHECK(warnings.size() == 1);
    CHECK_FALSE(c.is_set("port"));
    // Near misses are unknown variables, each with its own warning.
    warnings = c.load({{"SWOOP_PORT_80_HTTP", "80"},
                       {"SWOOP_PORT_X_TCP", "80"},
                       {"SWOOP_PORT_80_TCP_HOST", "10.0.0.1"},
                       {"SWOOP_SERVICE_HOSTS", "10.0.0.1"},
                       {"SWOOP_SERVICE_PORT_", "80"}});
    CHECK(warnings.size() == 5);
    for (const std::string& w : warnings) CHECK(w.find("no such setting") != std::string::npos);
    // A value that is not a service link is checked as the setting's type.
    for (const char* bad : {"abc", "http://10.96.0.17:80", "tcp://10.96.0.17", "tcp://host:80",
                            "tcp://10.96.0.17:80x"}) {
      INFO(bad);
      CHECK(error_of([&] {
              (void)c.load({{"SWOOP_PORT", bad}});
            }).find("SWOOP_PORT='" + std::string{bad} + "': expected an integer") !=
            std::string::npos);
    }
  }

  TEST_CASE("a malformed setting stops the load, whatever unknown variables are beside it") {
    swoop::AppConfig c;
    CHECK(error_of([&] {
            (void)c.load({{"SWOOP_PORT", "abc"}});
          }).find("SWOOP_PORT='abc': expected an integer from 0 to 65535") != std::string::npos);
    Vars vars = service_links("SWOOP_");
    vars.emplace_back("SWOOP_DEPLOY_COLOR", "blue");
    vars.emplace_back("SWOOP_WORKERS", "2");
    vars.emplace_back("SWOOP_REQUEST_TIMEOUT", "soon");
    const std::string e = error_of([&] { (void)c.load(vars); });
    CHECK(e ==
          "configuration error in the environment:\n  SWOOP_REQUEST_TIMEOUT='soon': expected "
          "a duration: seconds, or a number with an ms, s or m suffix (e.g. 30, 500ms, 2m)");
    CHECK_FALSE(c.is_set("workers"));
  }

  TEST_CASE("with another prefix, SWOOP_ variables are not looked at") {
    swoop::AppConfig c;
    Vars vars = service_links("SWOOP_");
    vars.emplace_back("SWOOP_DEPLOY_COLOR", "blue");
    vars.emplace_back("SWOOP_PORT_", "abc");
    vars.emplace_back("SWOOP_REQUEST_TIMEOUT", "soon");
    vars.emplace_back("MYSVC_PORT", "9000");
    CHECK(c.load(vars, "MYSVC_").empty());
    CHECK(c.get<int>("port") == 9000);
    CHECK_FALSE(c.is_set("request_timeout"));
    // The links of a Service named "mysvc" are recognized under that prefix.
    const auto warnings = c.load(service_links("MYSVC_"), "MYSVC_");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("a Service named 'mysvc'") != std::string::npos);
    CHECK(c.get<int>("port") == 9000);
  }

  TEST_CASE("load_env logs the warnings, unless the same environment turns warnings off") {
    const Vars vars = {{"SWOOPTEST_SERVICE_HOST", "10.96.0.17"},
                       {"SWOOPTEST_PORT", "tcp://10.96.0.17:80"},
                       {"SWOOPTEST_DEPLOY_COLOR", "blue"}};
    for (const auto& [var, value] : vars) ::setenv(var.c_str(), value.c_str(), 1);
    LogCapture capture;
    swoop::set_log_level(swoop::LogLevel::info);
    swoop::AppConfig c;
    c.load_env("SWOOPTEST_");
    CHECK(c.env_loaded());
    REQUIRE(logged.size() == 2);
    CHECK(logged[0].find("[WARNING] config: ignoring SWOOPTEST_") != std::string::npos);
    CHECK(logged[0].find("Kubernetes service links") != std::string::npos);
    CHECK(
        logged[1].ends_with("[WARNING] config: ignoring SWOOPTEST_DEPLOY_COLOR: no such setting"));

    logged.clear();
    ::setenv("SWOOPTEST_LOG_LEVEL", "error", 1);
    swoop::AppConfig quiet;
    quiet.load_env("SWOOPTEST_");
    CHECK(logged.empty());
    ::unsetenv("SWOOPTEST_LOG_LEVEL");
    for (const auto& [var, value] : vars) ::unsetenv(var.c_str());
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

  TEST_CASE("a run option given its default value still wins over the config") {
    swoop::AppConfig c;
    c.load({{"SWOOP_PORT", "9000"},
            {"SWOOP_HTTP2", "off"},
            {"SWOOP_FORM_MAX_FIELDS", "5"},
            {"SWOOP_REQUEST_TIMEOUT", "5s"},
            {"SWOOP_ACCESS_LOG", "json"}});
    const swoop::RunOptions o = c.apply({.port = 8000,
                                         .http2 = {.enabled = true},
                                         .request_timeout = 60s,
                                         .form_limits = {.max_fields = 1000},
                                         .access_log = swoop::AccessLog::off});
    CHECK(o.port == 8000);
    CHECK(o.http2.enabled);
    CHECK(o.request_timeout == 60s);
    CHECK(o.form_limits.max_fields == 1000);
    CHECK(o.access_log == swoop::AccessLog::off);
    // The fields left out still come from the config.
    const swoop::RunOptions filled = c.apply({});
    CHECK(filled.port == 9000);
    CHECK_FALSE(filled.http2.enabled);
    CHECK(filled.form_limits.max_fields == 5);
    // What apply filled is the config's, not the caller's: a second config may still fill it.
    CHECK_FALSE(filled.port.is_given());
    swoop::AppConfig other;
    other.set("port", "9100");
    CHECK(other.apply(filled).port == 9100);
  }

  TEST_CASE("the reference's defaults are printed from RunOptions' own") {
    std::map<std::string, std::string> defaults;
    for (const auto& e : swoop::config_reference()) defaults[e.name] = e.default_value;
    CHECK(defaults["host"] == "127.0.0.1");
    CHECK(defaults["port"] == "8000");
    CHECK(defaults["tls_cert_file"] == "");
    CHECK(defaults["http2"] == "true");
    CHECK(defaults["http2_stream_window"] == "262144");
    CHECK(defaults["max_target_size"] == "8K");
    CHECK(defaults["max_body_size"] == "16M");
    CHECK(defaults["buffered_body_budget"] == "256M");
    CHECK(defaults["request_timeout"] == "60s");
    CHECK(defaults["drain_delay"] == "0s");
    CHECK(defaults["form_max_file_size"] == "0");  // RunOptions' "no limit"
    CHECK(defaults["access_log"] == "off");
    CHECK(defaults["json_any_content_type"] == "false");
    CHECK(defaults["log_level"] == "info");
    const auto access =
        std::find_if(swoop::config_reference().begin(), swoop::config_reference().end(),
                     [](const auto& e) { return e.name == "access_log"; });
    REQUIRE(access != swoop::config_reference().end());
    CHECK(access->choices == "off|common|json");
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

  TEST_CASE("an App reads the environment when made, so registration code can read settings") {
    const ScopedEnv env{{{"SWOOPTEST_REQUEST_TIMEOUT", "7s"}, {"SWOOPTEST_DB_URL", "pg://db"}}};
    swoop::App app{"made", {.env_prefix = "SWOOPTEST_"}};
    CHECK(app.config().env_loaded());
    CHECK(app.config().is_set("request_timeout"));
    CHECK(app.config().get<std::chrono::seconds>("request_timeout") == std::chrono::seconds{7});
    // Declared after the App was made: takes its variable when declared.
    app.config().declare({.name = "db_url", .default_value = "pg://localhost"});
    CHECK(app.config().get<std::string>("db_url") == "pg://db");
    CHECK(app.config().is_set("db_url"));
    app.config().declare(
        {.name = "pool", .type = swoop::ConfigType::integer, .default_value = "4"});
    CHECK_FALSE(app.config().is_set("pool"));

    swoop::App quiet{"quiet", {.env_prefix = ""}};
    CHECK_FALSE(quiet.config().env_loaded());
    CHECK_FALSE(quiet.config().is_set("request_timeout"));
  }

  TEST_CASE("a setting declared after the App was made refuses a malformed variable") {
    const ScopedEnv env{{{"SWOOPTEST_POOL", "many"}}};
    swoop::App app{"made", {.env_prefix = "SWOOPTEST_"}};
    const std::string error = error_of([&] {
      app.config().declare(
          {.name = "pool", .type = swoop::ConfigType::integer, .default_value = "4"});
    });
    CHECK(error.find("SWOOPTEST_POOL='many': expected an integer") != std::string::npos);
    CHECK(error_of([&] { app.config().get<int>("pool"); }).find("no setting named 'pool'") !=
          std::string::npos);
  }

  TEST_CASE("load_env with another prefix replaces what the App read when it was made") {
    const ScopedEnv env{{{"SWOOPTEST_REQUEST_TIMEOUT", "soon"},
                         {"SWOOPTEST_KEEP_ALIVE_TIMEOUT", "9s"},
                         {"SWOOPOTHER_PORT", "9100"}}};
    LogCapture capture;
    swoop::App app{"made", {.env_prefix = "SWOOPTEST_"}};  // a malformed value: no throw here
    CHECK(app.config().get<std::chrono::seconds>("keep_alive_timeout") == std::chrono::seconds{9});
    app.config().load_env("SWOOPOTHER_");
    CHECK_FALSE(app.config().is_set("keep_alive_timeout"));
    CHECK(app.config().apply({}).keep_alive_timeout == swoop::RunOptions{}.keep_alive_timeout);
    CHECK(app.config().get<int>("port") == 9100);
    CHECK(logged.empty());
  }

  TEST_CASE("run() stops on a malformed variable the App read, before serving") {
    const ScopedEnv env{{{"SWOOPTEST_REQUEST_TIMEOUT", "soon"}, {"SWOOPTEST_COLOR", "blue"}}};
    LogCapture capture;
    swoop::App app{"made", {.env_prefix = "SWOOPTEST_"}};
    CHECK(logged.empty());  // warnings wait for run(), when every setting is declared
    const std::string error = error_of([&] { app.run({.port = 0}); });
    CHECK(error.find("SWOOPTEST_REQUEST_TIMEOUT='soon': expected a duration") != std::string::npos);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("[ERROR] made: cannot start: configuration error") != std::string::npos);
  }

  TEST_CASE("run() warns of unknown variables only after every setting was declared") {
    const ScopedEnv env{{{"SWOOPTEST_DB_URL", "pg://db"}, {"SWOOPTEST_COLOR", "blue"}}};
    LogCapture capture;
    swoop::set_log_level(swoop::LogLevel::warning);
    swoop::App app{"made", {.env_prefix = "SWOOPTEST_"}};
    app.config().declare({.name = "db_url", .default_value = "pg://localhost"});
    // A host that is no address literal: run() fails after the warnings, before serving.
    CHECK(error_of([&] { app.run({.host = "no-such-host"}); }).find("address literal") !=
          std::string::npos);
    REQUIRE(logged.size() >= 1);
    CHECK(logged[0].ends_with("[WARNING] config: ignoring SWOOPTEST_COLOR: no such setting"));
    for (const std::string& line : logged)
      CHECK(line.find("SWOOPTEST_DB_URL") == std::string::npos);
  }
}
