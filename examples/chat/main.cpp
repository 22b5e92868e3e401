// SPDX-License-Identifier: MIT
// chat: chat rooms; GET / serves the page, /ws?name=&room= joins a room, whose messages reach
// every member on every worker.
#include <string>
#include <string_view>
#include <swoop/swoop.hpp>

#include "chat_page.hpp"
#include "example_args.hpp"

namespace {

// At most max bytes of text, cut back to the start of a UTF-8 sequence (a text message must
// stay valid UTF-8).
std::string_view cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text;
  while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
  return text.substr(0, max);
}

swoop::Task<> chat(swoop::Request& req, swoop::WebSocket& ws) {
  const std::string name{cut(req.args().get("name", "anonymous"), 32)};
  const std::string room = "room:" + std::string{cut(req.args().get("room", "lobby"), 64)};
  // Everything published on the room's topic reaches this socket, from whichever worker
  // (or, with SWOOP_PUBSUB_URL set, whichever instance) its author is connected to. A member
  // that cannot keep up is closed (1013) rather than buffered without bound.
  ws.subscribe(room);
  swoop::publish(room, "* " + name + " joined");
  while (auto msg = co_await ws.recv()) {
    if (!msg->is_text()) continue;
    swoop::publish(room, name + ": " + std::string{cut(msg->text(), 2000)});
  }
  swoop::publish(room, "* " + name + " left");
}

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"chat"};
  app.get("/")([](swoop::Request&) { return swoop::html(std::string{chat_page}); });
  app.websocket("/ws")(chat);
  return example::run(app, argc, argv, 8080);
}
