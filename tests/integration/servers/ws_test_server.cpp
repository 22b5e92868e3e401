// SPDX-License-Identifier: MIT
// A websocket server for the Python, Node and browser tests: logs its port, serves until SIGTERM.
#include <string>

#include "swoop/swoop.hpp"

namespace {

swoop::Task<> echo(swoop::Request&, swoop::WebSocket& ws) {
  while (auto msg = co_await ws.recv()) {
    if (msg->is_text())
      co_await ws.send(msg->text());
    else
      co_await ws.send(msg->binary());
  }
}

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"ws_test_server"};
  app.websocket("/echo")(echo);

  swoop::WebSocketOptions small;
  small.max_message_size = 1000;
  app.websocket("/small", small)(echo);

  swoop::WebSocketOptions protos;
  protos.subprotocols = {"chat.v2", "chat.v1"};
  protos.allowed_origins = {"http://good.example"};
  app.websocket("/protos", protos)([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    co_await ws.send(ws.subprotocol().empty() ? "(none)" : ws.subprotocol());
    while (co_await ws.recv()) {
    }
  });

  // Echoes the path parameter, a query argument and a header, then closes with code.
  app.websocket("/close/<code:int>")(
      [](swoop::Request& req, swoop::WebSocket& ws) -> swoop::Task<> {
        std::string info{req.param("code")};
        info += '|';
        info += req.args().get("q", "");
        info += '|';
        info += req.header("X-Test").value_or("");
        co_await ws.send(info);
        co_await ws.close(static_cast<std::uint16_t>(req.param<int>("code")), "closing");
      });

  swoop::WebSocketOptions pings;
  pings.ping_interval = std::chrono::milliseconds{200};
  pings.idle_timeout = std::chrono::milliseconds{1000};
  app.websocket("/pings", pings)(echo);

  swoop::WebSocketOptions deflate;
  deflate.compression = true;
  deflate.compression_no_context_takeover = false;
  deflate.compression_threshold = 16;
  deflate.max_message_size = 4 * 1024 * 1024;
  app.websocket("/deflate", deflate)(echo);
  deflate.compression_no_context_takeover = true;
  app.websocket("/deflate_nct", deflate)(echo);

  // A blueprint holds websocket routes too, with its prefix and its own middleware.
  swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
  bp.on_request([](swoop::Request& req) -> std::optional<swoop::Response> {
    if (req.args().get("token", "") != "secret") return swoop::Response{403};
    return std::nullopt;
  });
  bp.websocket("/echo/<room>")([](swoop::Request& req, swoop::WebSocket& ws) -> swoop::Task<> {
    const std::string room{req.param("room")};
    while (auto msg = co_await ws.recv()) co_await ws.send(room + ":" + std::string{msg->text()});
  });
  app.blueprint(bp);

  app.on_request([](swoop::Request& req) -> std::optional<swoop::Response> {
    if (req.header("X-Deny")) return swoop::Response{401};
    return std::nullopt;
  });

  swoop::RunOptions options;
  options.port = 0;
  options.workers = argc > 1 ? std::stoi(argv[1]) : 1;
  options.linger_timeout = std::chrono::milliseconds{400};  // ticks every 100 ms
  options.graceful_shutdown_timeout = std::chrono::milliseconds{3000};
  app.run(options);
  return 0;
}
