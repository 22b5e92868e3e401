// SPDX-License-Identifier: MIT
// A server for the Python-driven tests: logs its port, serves until SIGTERM/SIGINT.
#include <cstdio>
#include <string>

#include "swoop/swoop.hpp"

int main(int argc, char** argv) {
  swoop::App app{"test_server"};
  app.get("/plaintext")([](swoop::Request&) { return swoop::text("Hello, World!"); });
  app.get("/scheme")([](swoop::Request& req) { return swoop::text(std::string{req.scheme()}); });
  app.get("/slow")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    const int ms = std::stoi(std::string{req.args().get("ms", "100")});
    co_await swoop::sleep(std::chrono::milliseconds{ms});
    co_return swoop::text("slow " + std::to_string(ms));
  });
  app.get("/big")([](swoop::Request& req) {
    const auto n = std::stoul(std::string{req.args().get("n", "1000000")});
    return swoop::text(std::string(n, 'b'));
  });
  app.route("/echo", {.methods = {"POST", "PUT"}})([](swoop::Request& req) {
    return swoop::raw(std::string{req.body()}, "application/octet-stream");
  });
  swoop::RunOptions options;
  options.port = 0;  // App::run logs "listening on http://127.0.0.1:PORT" with the chosen port
  options.workers = argc > 1 ? std::stoi(argv[1]) : 1;
  if (argc > 2 && std::string{argv[2]} == "access-log")
    options.access_log = swoop::AccessLog::common;
  options.graceful_shutdown_timeout = std::chrono::milliseconds{5000};
  app.run(options);
  return 0;
}
