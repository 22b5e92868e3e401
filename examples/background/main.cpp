// SPDX-License-Identifier: MIT
// background: answer at once, do the work later. POST / {"url": ...} queues a job; a background
// task in each worker fetches the URL and reports {url, status, length} to a collector.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <swoop/swoop.hpp>

#include "example_args.hpp"
#include "jobs.hpp"

namespace {

// Takes --collector URL and --queue N out of argv; the rest goes to example::parse_args.
background::Settings take_settings(int& argc, char** argv) {
  background::Settings settings;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--collector" || arg == "--queue") && i + 1 < argc) {
      const char* value = argv[++i];
      if (arg == "--collector") {
        settings.collector = value;
      } else {
        const long n = std::strtol(value, nullptr, 10);
        if (n < 1) {
          std::fprintf(stderr, "%s: --queue takes a positive number\n", argv[0]);
          std::exit(2);
        }
        settings.queue_limit = static_cast<std::size_t>(n);
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return settings;
}

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

}  // namespace

int main(int argc, char** argv) {
  const background::Settings settings = take_settings(argc, argv);
  swoop::App app{"background"};

  app.post("/")([settings](swoop::Request& req) {
    std::string url = req.json().get<std::string>("url");  // 400 when missing
    if (!is_http_url(url)) throw swoop::BadRequest{"not an http(s) URL: " + url};
    if (!background::worker_queue(settings).push(std::move(url))) {
      return swoop::json(swoop::JsonObject{{"status", "busy"}, {"error", "queue full"}}, 503);
    }
    return swoop::json(swoop::JsonObject{{"status", "dispatched"}}, 202);
  });

  // One task per worker, cancelled at shutdown; jobs still queued then are dropped.
  app.add_task([settings](swoop::App&) { return background::run_jobs(settings); });

  return example::run(app, argc, argv, 8008);
}
