// SPDX-License-Identifier: MIT
// Tests of swoop/setting.hpp: a Setting knows whether the caller gave it, and reads as its T.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "swoop/options.hpp"

using namespace std::chrono_literals;

namespace {

struct Options {
  swoop::Setting<std::string> host = swoop::defaults_to("127.0.0.1");
  swoop::Setting<std::uint16_t> port = swoop::defaults_to(8000);
  swoop::Setting<bool> debug;
  swoop::Setting<std::chrono::milliseconds> timeout = swoop::defaults_to(std::chrono::seconds{60});
  swoop::Setting<swoop::AccessLog> log = swoop::defaults_to(swoop::AccessLog::off);
};

}  // namespace

TEST_SUITE("setting") {
  TEST_CASE("a default is not given, a value the caller writes is, even the default") {
    const Options defaults;
    CHECK_FALSE(defaults.host.is_given());
    CHECK_FALSE(defaults.port.is_given());
    CHECK_FALSE(defaults.debug.is_given());
    CHECK_FALSE(defaults.timeout.is_given());
    CHECK(*defaults.port == 8000);
    CHECK_FALSE(*defaults.debug);

    const Options written{.port = 8000, .timeout = 60s};
    CHECK(written.port.is_given());
    CHECK(written.timeout.is_given());
    CHECK(written.port == defaults.port);  // equal values: the mark is not compared
    CHECK_FALSE(written.host.is_given());

    Options assigned;
    assigned.host = "::1";
    assigned.debug = false;
    CHECK(assigned.host.is_given());
    CHECK(assigned.debug.is_given());
    const Options copy = assigned;
    CHECK(copy.host.is_given());
    CHECK(copy.host == "::1");
    CHECK_FALSE(copy.port.is_given());
    // A Setting copied from another keeps its mark, in braces too: this port is not given.
    const Options copied_default{.port = defaults.port};
    CHECK_FALSE(copied_default.port.is_given());
    const Options copied_value{.port = *defaults.port};  // the value itself is given
    CHECK(copied_value.port.is_given());
  }

  TEST_CASE("a Setting reads as its value") {
    const Options o{.host = std::string{"0.0.0.0"}, .port = 9000, .timeout = 1500ms};
    const std::string host = o.host;
    CHECK(host == "0.0.0.0");
    CHECK(o.host->size() == 7);
    CHECK(o.port > 8000);
    CHECK(o.port + 1 == 9001);
    CHECK(std::max(*o.port, std::uint16_t{80}) == 9000);
    CHECK(o.timeout > 1s);
    CHECK(o.timeout == 1500ms);
    CHECK(o.timeout->count() == 1500);
    CHECK(o.log == swoop::AccessLog::off);
    CHECK(o.log != swoop::AccessLog::json);
    CHECK((o.debug ? 1 : 2) == 2);
  }

  TEST_CASE("every RunOptions field starts not given") {
    const swoop::RunOptions o;
    CHECK_FALSE(o.host.is_given());
    CHECK_FALSE(o.port.is_given());
    CHECK_FALSE(o.tls.cert_file.is_given());
    CHECK_FALSE(o.http2.enabled.is_given());
    CHECK_FALSE(o.form_limits.max_file_size.is_given());
    CHECK_FALSE(o.drain_delay.is_given());
    CHECK_FALSE(o.pubsub_url.is_given());
    const swoop::RunOptions given{
        .port = 8000, .http2 = {.enabled = true}, .form_limits = {.max_fields = 1000}};
    CHECK(given.port.is_given());
    CHECK(given.http2.enabled.is_given());
    CHECK_FALSE(given.http2.stream_window.is_given());
    CHECK(given.form_limits.max_fields.is_given());
    CHECK_FALSE(given.form_limits.max_files.is_given());
  }
}
