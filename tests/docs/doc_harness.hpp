// SPDX-License-Identifier: MIT
// What the generated documentation tests share: probes for server programs ("serve" blocks).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <swoop/swoop.hpp>
#include <utility>
#include <vector>

namespace doc {

/// One request a "serve" block's app must answer with a status.
struct Probe {
  std::string method;
  std::string target;
  int status;
  std::string body;  ///< sent as JSON when it starts with { or [, else as a urlencoded form
};

/// The probes of the program about to run (set by its test case before calling its main).
inline std::vector<Probe>& probes() {
  static std::vector<Probe> list;
  return list;
}

/// Stands in for `app.run(options)` in a "serve" block: serves the app with a TestClient on a
/// free port (the options' limits kept; one worker and no shutdown drain delay, since no
/// balancer polls it) and checks every probe, then returns.
inline void serve(swoop::App& app, swoop::RunOptions options = {}) {
  options.workers = 1;
  options.drain_delay = {};
  swoop::TestClient client{app, std::move(options)};
  for (const Probe& p : probes()) {
    CAPTURE(p.method);
    CAPTURE(p.target);
    swoop::HeaderList headers;
    if (!p.body.empty()) {
      const bool json = p.body.front() == '{' || p.body.front() == '[';
      headers.emplace_back("Content-Type",
                           json ? "application/json" : "application/x-www-form-urlencoded");
    }
    auto res = client.request(p.method, p.target, p.body, headers);
    CHECK(res.status == p.status);
  }
}

}  // namespace doc
