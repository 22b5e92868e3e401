// SPDX-License-Identifier: MIT
// chat: a chat room; GET / serves the page, /ws broadcasts each message to everyone in the room.
#include <string>
#include <swoop/swoop.hpp>
#include <vector>

#include "chat_page.hpp"
#include "example_args.hpp"

namespace {

// The members of this worker's room. Each worker thread has its own room: a message reaches
// the clients connected to the same worker (run with --workers 1 for one room).
std::vector<swoop::WebSocket*>& room() {
  thread_local std::vector<swoop::WebSocket*> members;
  return members;
}

void broadcast(const std::string& text) {
  // send() copies the message into each connection's buffer at once, so a slow reader does
  // not hold up the others; its own buffer is bounded by the send high-water mark and by
  // the session closing when it cannot keep up.
  for (swoop::WebSocket* member : room()) {
    member->send(text);
  }
}

// Membership for the life of a handler, however it ends.
struct Member {
  swoop::WebSocket* ws;
  explicit Member(swoop::WebSocket& w) : ws(&w) { room().push_back(ws); }
  ~Member() { std::erase(room(), ws); }
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;
};

swoop::Task<> chat(swoop::Request& req, swoop::WebSocket& ws) {
  const std::string name{req.args().get("name", "anonymous").substr(0, 32)};
  {
    Member member{ws};
    broadcast("* " + name + " joined");
    while (auto msg = co_await ws.recv()) {
      if (!msg->is_text()) continue;
      broadcast(name + ": " + std::string{msg->text().substr(0, 2000)});
    }
  }
  broadcast("* " + name + " left");
}

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"chat"};
  app.get("/")([](swoop::Request&) { return swoop::html(std::string{chat_page}); });
  app.websocket("/ws")(chat);
  return example::run(app, argc, argv, 8080);
}
