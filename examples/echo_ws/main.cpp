// SPDX-License-Identifier: MIT
// echo_ws: a websocket echo server at /ws (text and binary), and at /ws-deflate with
// permessage-deflate, for benchmarks and conformance tests.
#include <swoop/swoop.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  swoop::App app{"echo_ws"};

  swoop::WebSocketOptions options;
  options.max_message_size = 16 * 1024 * 1024;

  auto echo = [](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    while (auto msg = co_await ws.recv()) {
      if (msg->is_text())
        co_await ws.send(msg->text());
      else
        co_await ws.send(msg->binary());
    }
  };
  app.websocket("/ws", options)(echo);

  // The same with permessage-deflate offered to clients that ask for it.
  options.compression = true;
  app.websocket("/ws-deflate", options)(echo);

  app.get("/")([](swoop::Request&) { return swoop::text("websocket echo at /ws\n"); });

  return example::run(app, argc, argv, 9001);
}
