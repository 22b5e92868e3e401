// SPDX-License-Identifier: MIT
// The ThreadSanitizer canary: a data race in a handler that TSan must report under
// tests/tsan.supp; ctest expects the report (tests/CMakeLists.txt), so a suppression that hides
// races in swoop's workers fails this test.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "swoop/swoop.hpp"

using namespace std::chrono_literals;

namespace {

struct WorkerId {
  int id = 0;
};

// The race: both workers increment it with no lock and no atomic.
int canary_hits = 0;

swoop::Task<swoop::Response> count_request(swoop::Request&) {
  ++canary_hits;
  // TSan orders two threads' accesses through any socket write of one followed by a socket
  // read of the other (all sockets share one sync object). Holding the response back leaves a
  // window in which the other worker counts a request before this one writes anything.
  co_await swoop::sleep(2ms);
  co_return swoop::text(std::to_string(swoop::App::worker_ctx().get<WorkerId>().id));
}

}  // namespace

TEST_CASE("a plain counter incremented by handlers on two workers is a data race") {
  std::atomic<int> workers{0};
  swoop::App app;
  app.before_server_start(
      [&workers](swoop::App&) { swoop::App::worker_ctx().emplace<WorkerId>(WorkerId{++workers}); });
  app.get("/")(count_request);
  swoop::TestClient client{app, {.workers = 2}};
  // Each request is a new connection, which the kernel gives one worker or the other.
  constexpr int clients = 4, requests = 32;
  std::vector<std::map<std::string, int>> served(clients);  // per client: worker id -> requests
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&client, &mine = served[t]] {
      for (int i = 0; i < requests; ++i) ++mine[client.get("/").body];
    });
  }
  for (auto& t : threads) t.join();
  std::map<std::string, int> total;
  for (const auto& mine : served) {
    for (const auto& [worker, n] : mine) total[worker] += n;
  }
  // Reached only if TSan did not halt the process at its report (halt_on_error=1).
  CHECK(total["1"] + total["2"] == clients * requests);  // every request was answered
  CHECK(total["1"] > 0);
  CHECK(total["2"] > 0);
}
