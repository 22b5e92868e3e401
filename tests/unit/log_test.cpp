// SPDX-License-Identifier: MIT
// The logger: levels, names, the writer hook, and the access-log line formats.
#include "swoop/log.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "server/access_log.hpp"

namespace {

std::mutex captured_mutex;
std::vector<std::string> captured;

void capture(std::string_view line) noexcept {
  std::lock_guard lock{captured_mutex};
  captured.emplace_back(line);
}

/// Captures log lines for the scope; restores stderr and the level after.
struct Capture {
  swoop::LogLevel saved = swoop::log_level();
  Capture() {
    captured.clear();
    swoop::set_log_writer(&capture);
  }
  ~Capture() {
    swoop::set_log_writer(nullptr);
    swoop::set_log_level(saved);
  }
};

}  // namespace

TEST_SUITE("log") {
  TEST_CASE("level names parse in any case, unknown names do not") {
    CHECK(swoop::parse_log_level("debug") == swoop::LogLevel::debug);
    CHECK(swoop::parse_log_level("INFO") == swoop::LogLevel::info);
    CHECK(swoop::parse_log_level("Warning") == swoop::LogLevel::warning);
    CHECK(swoop::parse_log_level("error") == swoop::LogLevel::error);
    CHECK(swoop::parse_log_level("off") == swoop::LogLevel::off);
    CHECK_FALSE(swoop::parse_log_level("warn"));
    CHECK_FALSE(swoop::parse_log_level(""));
  }

  TEST_CASE("lines below the level are dropped, lines carry time and level") {
    Capture c;
    swoop::set_log_level(swoop::LogLevel::warning);
    swoop::log(swoop::LogLevel::info, "hidden {}", 1);
    swoop::log(swoop::LogLevel::error, "shown {}", 2);
    REQUIRE(captured.size() == 1);
    CHECK(std::regex_match(
        captured[0], std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[ERROR\] shown 2)"}));
    swoop::set_log_level(swoop::LogLevel::off);
    swoop::log(swoop::LogLevel::error, "not even errors");
    swoop::log_access("access lines are not subject to the level");
    REQUIRE(captured.size() == 2);
    CHECK(captured[1] == "access lines are not subject to the level");
  }

  TEST_CASE("the common log format line") {
    swoop::detail::AccessRecord r{.remote = "127.0.0.1",
                                  .method = "GET",
                                  .target = "/a?b=\"c\"\x01",
                                  .version = 11,
                                  .status = 200,
                                  .bytes = 13,
                                  .duration_ms = 4};
    const std::string line = swoop::detail::format_access(swoop::AccessLog::common, r);
    CHECK(std::regex_match(
        line, std::regex{R"(127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
                         R"("GET /a\?b=\\"c\\"\\x01 HTTP/1\.1" 200 13)"}));
    r.bytes = 0;
    r.status = 304;
    r.version = 10;
    CHECK(swoop::detail::format_access(swoop::AccessLog::common, r).ends_with("HTTP/1.0\" 304 -"));
    const swoop::detail::AccessRecord refused{
        .remote = "::1", .status = 400, .bytes = 11, .error = "bad request"};
    CHECK(
        swoop::detail::format_access(swoop::AccessLog::common, refused).ends_with("\"-\" 400 11"));
  }

  TEST_CASE("the JSON line is valid JSON whatever bytes the target holds") {
    const swoop::detail::AccessRecord r{.remote = "10.0.0.1",
                                        .method = "POST",
                                        .target = "/x\"\\\n\xff",
                                        .version = 11,
                                        .status = 201,
                                        .bytes = 2,
                                        .duration_ms = 12};
    const std::string line = swoop::detail::format_access(swoop::AccessLog::json, r);
    CHECK(line.find('\n') == std::string::npos);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    CHECK(std::string_view{doc["remote"]} == "10.0.0.1");
    CHECK(std::string_view{doc["method"]} == "POST");
    CHECK(std::string_view{doc["target"]} == "/x\"\\\n\u00ff");
    CHECK(std::string_view{doc["version"]} == "HTTP/1.1");
    CHECK(int64_t{doc["status"]} == 201);
    CHECK(int64_t{doc["bytes"]} == 2);
    CHECK(int64_t{doc["duration_ms"]} == 12);
    CHECK(std::string_view{doc["time"]}.ends_with("Z"));

    const swoop::detail::AccessRecord refused{.remote = "::1", .status = 431, .error = "too big"};
    const std::string line2 = swoop::detail::format_access(swoop::AccessLog::json, refused);
    REQUIRE(parser.parse(line2).get(doc) == simdjson::SUCCESS);
    CHECK(std::string_view{doc["error"]} == "too big");
    CHECK(doc["method"].error() == simdjson::NO_SUCH_FIELD);
  }
}
