// SPDX-License-Identifier: MIT
// static: a directory of files, a server-sent clock and a streamed download.
#include <filesystem>
#include <string>
#include <swoop/swoop.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  swoop::App app{"static"};

  // Files next to the binary's sources when run from the repository, else ./public.
  const std::filesystem::path here = std::filesystem::path{__FILE__}.parent_path() / "public";
  const std::string root = std::filesystem::exists(here) ? here.string() : "public";
  app.static_files("/", root, {.max_age = std::chrono::seconds{60}});

  // Server-sent events: one "tick" a second until the client leaves (its next send throws).
  app.get("/clock")([](swoop::Request&) {
    return swoop::sse([](swoop::EventStream& events) -> swoop::Task<void> {
      for (int i = 0;; ++i) {
        swoop::Event e;
        e.event = "tick";
        e.id = std::to_string(i);
        e.data = std::to_string(std::time(nullptr));
        co_await events.send(e);
        co_await swoop::sleep(std::chrono::seconds{1});
      }
    });
  });

  // A generated download of any size: written chunk by chunk, held back by a slow client.
  app.get("/numbers")([](swoop::Request& req) {
    const int count = std::stoi(std::string{req.args().get("count", "100000")});
    return swoop::stream(
        [count](swoop::ResponseStream& out) -> swoop::Task<void> {
          std::string batch;
          for (int i = 1; i <= count; ++i) {
            batch += std::to_string(i);
            batch += '\n';
            if (batch.size() >= 16384 || i == count) {
              co_await out.write(batch);
              batch.clear();
            }
          }
        },
        {.content_type = "text/plain; charset=utf-8"});
  });

  return example::run(app, argc, argv, 8000);
}
