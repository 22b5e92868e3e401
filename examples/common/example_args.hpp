// SPDX-License-Identifier: MIT
// Command-line options every example takes: --host, --port, --workers.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "swoop/app.hpp"
#include "swoop/options.hpp"

namespace example {

/// Parses --host H, --port P and --workers N into RunOptions; exits with usage on a mistake.
inline swoop::RunOptions parse_args(int argc, char** argv, std::uint16_t default_port) {
  swoop::RunOptions options;
  options.port = default_port;
  auto usage = [&](const char* why) {
    std::fprintf(stderr, "%s: %s\nusage: %s [--host ADDR] [--port N] [--workers N]\n", argv[0], why,
                 argv[0]);
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("help");
    if (i + 1 >= argc) usage("missing value");
    const std::string value = argv[++i];
    try {
      if (arg == "--host") {
        options.host = value;
      } else if (arg == "--port") {
        const int port = std::stoi(value);
        if (port < 0 || port > 65535) usage("port out of range");
        options.port = static_cast<std::uint16_t>(port);
      } else if (arg == "--workers") {
        options.workers = std::stoi(value);
      } else {
        usage("unknown option");
      }
    } catch (const std::logic_error&) {
      usage("not a number");
    }
  }
  return options;
}

/// Runs app with the parsed options until it is stopped; returns main's exit status: 0 after a
/// graceful stop, 1 when it could not start (a malformed SWOOP_* variable, a port in use),
/// with the reason on stderr instead of an uncaught exception's abort.
inline int run(swoop::App& app, int argc, char** argv, std::uint16_t default_port) {
  const swoop::RunOptions options = parse_args(argc, argv, default_port);
  try {
    app.run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}

}  // namespace example
