// SPDX-License-Identifier: MIT
// bench peer: cpp-httplib (Debian libcpp-httplib-dev), one process.
// cpp-httplib is blocking, one thread per connection, so "one worker" here means one process
// whose thread pool has one thread per benchmark connection (64), all pinned to the server's
// core by bench/run. /plaintext, /json and the 4-parameter route among 200 regex routes.
// Usage: httplib_server PORT
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// The JSON body, serialized per request (cpp-httplib brings no JSON library).
std::string message_json(const std::string& message) {
  std::string out = "{\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"}";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_keep_alive_max_count(1000000000);
  server.set_keep_alive_timeout(65);
  server.set_tcp_nodelay(true);  // it writes head and body separately
  server.Get("/plaintext", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Hello, World!", "text/plain");
  });
  server.Get("/json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(message_json("Hello, World!"), "application/json");
  });
  // The same shapes as bench_app.cpp's add_filler_routes; 200 routes in all with the
  // two above and the 4-parameter route below.
  auto filler = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("filler", "text/plain");
  };
  const char* shapes[] = {R"(/api/res%d/(\d+))", R"(/api/res%d/(\d+)/sub/(\d+))",
                          R"(/api/res%d/(\d+)/x/(\d+)/y/([^/]+))",
                          R"(/api/res%d/(\d+)/x/(\d+)/y/(\d+)/z/([^/]+))"};
  for (int i = 0; i < 197; ++i) {
    char pattern[96];
    if (i % 2 == 0) {
      std::snprintf(pattern, sizeof pattern, "/static/page%d", i);
    } else {
      std::snprintf(pattern, sizeof pattern, shapes[i / 2 % 4], i);
    }
    server.Get(pattern, filler);
  }
  // Last, so that cpp-httplib, which tries its regex routes in order, passes all the others.
  server.Get(R"(/api/users/(\d+)/posts/(\d+)/comments/(\d+)/likes/([^/]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               res.set_content(std::to_string(std::stoll(req.matches[1])) + " " +
                                   std::to_string(std::stoll(req.matches[2])) + " " +
                                   std::to_string(std::stoll(req.matches[3])) + " " +
                                   std::string(req.matches[4]),
                               "text/plain");
             });
  return server.listen("127.0.0.1", std::atoi(argv[1])) ? 0 : 1;
}
