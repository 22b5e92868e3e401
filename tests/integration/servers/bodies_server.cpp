// SPDX-License-Identifier: MIT
// A server for bodies_test.py: static files, a streamed download, server-sent
// events.
#include <cstdio>
#include <string>

#include "swoop/swoop.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bodies_server <static root>\n");
    return 2;
  }
  swoop::App app{"bodies_server"};
  app.static_files("/static", argv[1]);
  app.get("/stream")([](swoop::Request& req) {
    const std::uint64_t n = std::stoull(std::string{req.args().get("n", "1000000")});
    return swoop::stream([n](swoop::ResponseStream& out) -> swoop::Task<void> {
      const std::string chunk(64 * 1024, 's');
      for (std::uint64_t sent = 0; sent < n; sent += chunk.size()) {
        co_await out.write(
            std::string_view{chunk}.substr(0, std::min<std::uint64_t>(chunk.size(), n - sent)));
      }
    });
  });
  app.get("/sse")([](swoop::Request& req) {
    const int count = std::stoi(std::string{req.args().get("count", "3")});
    const int ms = std::stoi(std::string{req.args().get("ms", "100")});
    return swoop::sse([count, ms](swoop::EventStream& events) -> swoop::Task<void> {
      co_await events.comment("welcome");
      for (int i = 0; i < count; ++i) {
        swoop::Event e;
        e.event = "tick";
        e.id = std::to_string(i);
        e.data = "n=" + std::to_string(i) + "\nsecond line";
        co_await events.send(e);
        co_await swoop::sleep(std::chrono::milliseconds{ms});
      }
    });
  });
  // Counts and sums an upload read as it arrives: no body limit, bounded
  // memory.
  swoop::RouteOptions upload;
  upload.methods = {"POST", "PUT"};
  upload.stream_body = true;
  app.route("/upload", upload)([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    std::uint64_t total = 0, sum = 0;
    for (std::string piece; !(piece = co_await req.stream().read()).empty();) {
      total += piece.size();
      for (unsigned char c : piece) sum += c;
    }
    co_return swoop::text(std::to_string(total) + " " + std::to_string(sum));
  });
  swoop::RunOptions options;
  options.port = 0;
  options.graceful_shutdown_timeout = std::chrono::milliseconds{3000};
  app.run(options);
  return 0;
}
