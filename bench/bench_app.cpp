// SPDX-License-Identifier: MIT
// bench_app: swoop's server for bench/run's framework workloads (router, JSON body, middleware).
//
// Endpoints (bench/peers/ implement the same ones):
//   GET  /plaintext, /json                      as examples/hello
//   GET  /api/users/<user>/posts/<post>/comments/<comment>/likes/<like>
//        one route with 4 path parameters among 200 routes; answers "user post comment like"
//   POST /json-post                             a JSON body parsed with req.json(); answers
//        {"count":N,"total":T}: the number of "items" and the sum of their "id"s
//   GET  /mw/plaintext                          "Hello, World!" behind 5 onion middleware; the
//        X-Middleware header says how many of them ran before the handler
//   GET  /files/<name>                          with --files DIR only: DIR's files through
//        app.static_files (bench/h2_run's large-response workload)
// Flags: --host, --port, --workers as every example; --idle-timeout-ms N (keep-alive timeout)
// and --max-connections N for the idle-connection measurement; --files DIR.
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <swoop/swoop.hpp>
#include <vector>

#include "example_args.hpp"

namespace {

constexpr int kRoutes = 200;    // every route registered below, fixed ones included
constexpr int kMiddleware = 5;  // onion middleware in front of /mw/plaintext

// How many middleware have run for this request.
struct ChainCount {
  int value = 0;
};

// Registers filler routes until the app holds kRoutes routes: half static pages, half
// dynamic ones with 1 to 4 typed parameters, in the shapes of a REST API.
void add_filler_routes(swoop::App& app, int others) {
  auto answer = [](swoop::Request&) { return swoop::text("filler"); };
  const int fillers = kRoutes - others;
  for (int i = 0; i < fillers; ++i) {
    std::string pattern;
    if (i % 2 == 0) {
      pattern = fmt::format("/static/page{}", i);
    } else {
      switch (i / 2 % 4) {
        case 0:
          pattern = fmt::format("/api/res{}/<id:int>", i);
          break;
        case 1:
          pattern = fmt::format("/api/res{}/<id:int>/sub/<sub:int>", i);
          break;
        case 2:
          pattern = fmt::format("/api/res{}/<a:int>/x/<b:int>/y/<c:str>", i);
          break;
        default:
          pattern = fmt::format("/api/res{}/<a:int>/x/<b:int>/y/<c:int>/z/<d:str>", i);
          break;
      }
    }
    app.get(pattern)(answer);
  }
}

// Removes bench_app's own flags from argv; the rest goes to example::parse_args.
void take_flags(int& argc, char** argv, swoop::RunOptions& extra, bool& idle_set, bool& max_set,
                std::string& files) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--files" && i + 1 < argc) {
      files = argv[++i];
    } else if ((arg == "--idle-timeout-ms" || arg == "--max-connections") && i + 1 < argc) {
      const long n = std::strtol(argv[++i], nullptr, 10);
      if (n <= 0) {
        std::fprintf(stderr, "%s: %s needs a positive number\n", argv[0], argv[i - 1]);
        std::exit(2);
      }
      if (arg == "--idle-timeout-ms") {
        extra.keep_alive_timeout = std::chrono::milliseconds{n};
        idle_set = true;
      } else {
        extra.max_connections = static_cast<std::size_t>(n);
        max_set = true;
      }
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
}

}  // namespace

int main(int argc, char** argv) {
  swoop::RunOptions extra;
  bool idle_set = false;
  bool max_set = false;
  std::string files;
  take_flags(argc, argv, extra, idle_set, max_set, files);
  swoop::RunOptions options = example::parse_args(argc, argv, 8010).options;
  if (idle_set) options.keep_alive_timeout = extra.keep_alive_timeout;
  if (max_set) options.max_connections = extra.max_connections;

  swoop::App app{"bench_app"};
  int routes = 0;

  app.get("/plaintext")([](swoop::Request&) { return swoop::text("Hello, World!"); });
  app.get("/json")([](swoop::Request&) {
    return swoop::json(swoop::JsonObject{{"message", "Hello, World!"}});
  });
  routes += 2;

  app.post("/json-post")([](swoop::Request& req) {
    std::int64_t count = 0;
    std::int64_t total = 0;
    for (swoop::JsonView item : req.json()["items"].elements()) {
      total += item.get<std::int64_t>("id");
      ++count;
    }
    return swoop::json(swoop::JsonObject{{"count", count}, {"total", total}});
  });
  ++routes;

  swoop::Blueprint mw{"mw", {.url_prefix = "/mw"}};
  for (int i = 0; i < kMiddleware; ++i) {
    mw.use([](swoop::Request& req, swoop::Next next) -> swoop::Task<swoop::Response> {
      ChainCount* count = req.ctx().find<ChainCount>();
      if (count == nullptr) count = &req.ctx().emplace<ChainCount>();
      ++count->value;
      co_return co_await next(req);
    });
  }
  mw.get("/plaintext")([](swoop::Request& req) {
    swoop::Response res = swoop::text("Hello, World!");
    res.set_header("X-Middleware", std::to_string(req.ctx().get<ChainCount>().value));
    return res;
  });
  app.blueprint(mw);
  ++routes;

  if (!files.empty()) {
    app.static_files("/files", files, {.index = ""});  // "/files" and "/files/<path:path>"
    routes += 2;
  }

  // The fillers go first, so that routers that try routes in order pass them all.
  add_filler_routes(app, routes + 1);
  app.get("/api/users/<user:int>/posts/<post:int>/comments/<comment:int>/likes/<like:str>")(
      [](swoop::Request& req) {
        return swoop::text(fmt::format(
            "{} {} {} {}", req.param<std::int64_t>("user"), req.param<std::int64_t>("post"),
            req.param<std::int64_t>("comment"), req.param<std::string_view>("like")));
      });
  ++routes;

  app.run(options);
}
