// SPDX-License-Identifier: MIT
// Command-line options every example takes: --host, --port, --workers, --env-prefix.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "swoop/app.hpp"
#include "swoop/options.hpp"

namespace example {

/// What the command line asked for.
struct Args {
  swoop::RunOptions options;  ///< --host, --port, --workers; other fields at their defaults
  std::string env_prefix;     ///< --env-prefix: read settings from PREFIX* instead of SWOOP_*
};

/// Parses --host H, --port P, --workers N and --env-prefix PREFIX; exits with usage on a
/// mistake.
inline Args parse_args(int argc, char** argv, std::uint16_t default_port) {
  Args args;
  swoop::RunOptions& options = args.options;
  options.port = default_port;
  auto usage = [&](const char* why) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--host ADDR] [--port N] [--workers N] [--env-prefix "
                 "PREFIX]\n",
                 argv[0], why, argv[0]);
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
      } else if (arg == "--env-prefix") {
        if (value.empty()) usage("empty prefix");
        args.env_prefix = value;
      } else {
        usage("unknown option");
      }
    } catch (const std::logic_error&) {
      usage("not a number");
    }
  }
  return args;
}

/// Runs app with the parsed options until it is stopped; returns main's exit status: 0 after a
/// graceful stop, 1 when it could not start (a malformed SWOOP_* variable, a port in use),
/// with the reason on stderr instead of an uncaught exception's abort.
///
/// Settings not given on the command line come from SWOOP_* environment variables (see
/// swoop/app_config.hpp); SWOOP_* variables that name no setting are warnings. With
/// --env-prefix PREFIX the app loads its config from PREFIX* before run(), replacing what the
/// App read from SWOOP_* when it was made: the way out when a Kubernetes Service named "swoop"
/// fills the pod's environment with SWOOP_* service links (or set enableServiceLinks: false in
/// the pod spec).
inline int run(swoop::App& app, int argc, char** argv, std::uint16_t default_port) {
  const Args args = parse_args(argc, argv, default_port);
  try {
    if (!args.env_prefix.empty()) app.config().load_env(args.env_prefix);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  try {
    app.run(args.options);
  } catch (const std::exception&) {
    return 1;  // run() logged why at error level
  }
  return 0;
}

}  // namespace example
