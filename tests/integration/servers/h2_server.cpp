// SPDX-License-Identifier: MIT
// The server of the HTTP/2 tests (h2_conformance_test.py, h2_clients_test.py): logs its port,
// serves until SIGTERM/SIGINT. Arguments: [tls CERT KEY] [access-log] [static DIR]
#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>

#include "swoop/swoop.hpp"

namespace {

std::atomic<int> cancelled{0};  // handlers that saw Cancelled (a reset stream, a closed client)

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"h2_server"};
  swoop::RunOptions options;
  options.port = 0;  // App::run logs "listening on http://127.0.0.1:PORT" with the chosen port
  options.graceful_shutdown_timeout = std::chrono::milliseconds{3000};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "tls" && i + 2 < argc) {
      options.tls.cert_file = argv[++i];
      options.tls.key_file = argv[++i];
    } else if (arg == "access-log") {
      options.access_log = swoop::AccessLog::common;
    } else if (arg == "static" && i + 1 < argc) {
      app.static_files("/static", argv[++i]);
    }
  }

  app.get("/")([](swoop::Request&) { return swoop::text("Hello, HTTP/2!"); });
  app.get("/big")([](swoop::Request& req) {
    const auto n = std::stoul(std::string{req.args().get("n", "120000")});
    return swoop::text(std::string(n, 'b'));
  });
  app.route("/echo", {.methods = {"POST", "PUT"}})([](swoop::Request& req) {
    return swoop::raw(std::string{req.body()}, "application/octet-stream");
  });
  app.get("/json")([](swoop::Request& req) {
    swoop::JsonObject o;
    o.push_back({"version", req.version()});
    o.push_back({"path", std::string{req.path()}});
    o.push_back({"host", std::string{req.headers().get("host").value_or("")}});
    o.push_back({"cookie", std::string{req.headers().get("cookie").value_or("")}});
    o.push_back({"secure", req.scheme() == "https"});
    return swoop::json(swoop::JsonValue{std::move(o)});
  });
  app.get("/slow")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    const int ms = std::stoi(std::string{req.args().get("ms", "100")});
    try {
      co_await swoop::sleep(std::chrono::milliseconds{ms});
    } catch (const swoop::Cancelled&) {
      ++cancelled;
      throw;
    }
    co_return swoop::text("slow " + std::to_string(ms));
  });
  app.get("/cancelled")([](swoop::Request&) { return swoop::text(std::to_string(cancelled)); });
  app.get("/numbers")([](swoop::Request& req) {
    const int count = std::stoi(std::string{req.args().get("count", "100")});
    const bool sized = req.args().get("sized", "0") == "1";
    std::optional<std::uint64_t> length;
    if (sized) {
      std::uint64_t n = 0;
      for (int i = 1; i <= count; ++i) n += std::to_string(i).size() + 1;
      length = n;
    }
    return swoop::stream(
        [count](swoop::ResponseStream& out) -> swoop::Task<void> {
          for (int i = 1; i <= count; ++i) co_await out.write(std::to_string(i) + "\n");
        },
        {.content_type = "text/plain; charset=utf-8", .length = length});
  });
  app.get("/events")([](swoop::Request& req) {
    const int count = std::stoi(std::string{req.args().get("count", "3")});
    return swoop::sse([count](swoop::EventStream& events) -> swoop::Task<void> {
      for (int i = 0; i < count; ++i) {
        swoop::Event e;
        e.event = "tick";
        e.id = std::to_string(i);
        e.data = std::to_string(i);
        co_await events.send(e);
        co_await swoop::sleep(std::chrono::milliseconds{10});
      }
    });
  });
  // Reads the body as it arrives: ?wait_ms= sleeps before the first read, ?stop=N answers
  // once N bytes were read (before the body ended). A reset stream counts as cancelled.
  app.route("/upload", {.methods = {"POST"}, .stream_body = true},
            [](swoop::Request& req) -> swoop::Task<swoop::Response> {
              const auto wait = std::stoi(std::string{req.args().get("wait_ms", "0")});
              const auto stop = std::stoull(std::string{req.args().get("stop", "0")});
              std::size_t total = 0;
              try {
                if (wait > 0) co_await swoop::sleep(std::chrono::milliseconds{wait});
                for (std::string piece; !(piece = co_await req.stream().read()).empty();) {
                  total += piece.size();
                  if (stop != 0 && total >= stop) break;
                }
              } catch (const swoop::Cancelled&) {
                ++cancelled;
                throw;
              }
              co_return swoop::text(std::to_string(total) + " bytes\n");
            });
  app.websocket("/ws")([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    while (auto msg = co_await ws.recv()) co_await ws.send(msg->text());
  });

  app.run(options);
  return 0;
}
