// SPDX-License-Identifier: MIT
// fanout_server: swoop's server for bench/fanout_run (websocket fan-out, one publisher to many
// subscribers through a topic). bench/peers/fanout_node.js and fanout_websockets.py implement
// the same two routes.
//
// Routes:
//   /sub  websocket: subscribes to the topic "fanout", then only reads until the client closes;
//         every published message reaches it as a text message without the handler's help
//   /pub  websocket: each text message received is published to "fanout" (swoop::publish)
//   GET / a line saying so
// Flags: --host, --port, --workers as every example (one worker by default).
#include <swoop/swoop.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  swoop::App app{"fanout_server"};

  // A subscriber's topic messages wait here while its outgoing buffer is above
  // send_high_water; the default 1 MiB bound (then close with 1013) is generous for a chat
  // but a briefly slow benchmark client (1,000 sockets on one core) may pass it.
  swoop::WebSocketOptions sub_options;
  sub_options.topic_queue_limit = 4 * 1024 * 1024;
  app.websocket("/sub", sub_options)([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    ws.subscribe("fanout");
    while (co_await ws.recv()) {
    }
  });

  app.websocket("/pub")([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
    while (auto msg = co_await ws.recv()) {
      if (msg->is_text()) swoop::publish("fanout", msg->text());
    }
  });

  app.get("/")([](swoop::Request&) {
    return swoop::text("websocket fan-out: subscribe at /sub, publish at /pub\n");
  });

  return example::run(app, argc, argv, 8011);
}
