// SPDX-License-Identifier: MIT
#include "jobs.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace background {

bool JobQueue::push(std::string url) {
  if (jobs_.size() >= limit_) return false;
  jobs_.push_back(std::move(url));
  return true;
}

std::optional<std::string> JobQueue::pop() {
  if (jobs_.empty()) return std::nullopt;
  std::string url = std::move(jobs_.front());
  jobs_.pop_front();
  return url;
}

JobQueue& worker_queue(const Settings& settings) {
  swoop::Context& ctx = swoop::App::worker_ctx();
  if (JobQueue* queue = ctx.find<JobQueue>()) return *queue;
  return ctx.emplace<JobQueue>(settings.queue_limit);
}

namespace {

constexpr auto idle_poll = std::chrono::milliseconds{10};

// GET the URL: {"url", "status", "length"} or {"url", "error"}.
swoop::Task<swoop::JsonValue> fetch(swoop::http::Client& client, std::string url) {
  try {
    const swoop::http::ClientResponse res = co_await client.get(url);
    const auto length = static_cast<std::int64_t>(res.body.size());
    co_return swoop::JsonObject{{"url", url}, {"status", res.status}, {"length", length}};
  } catch (const swoop::http::ClientError& e) {
    co_return swoop::JsonObject{{"url", url}, {"error", e.what()}};
  }
}

// POST the report to the collector until it answers below 500, or max_tries failed.
swoop::Task<void> deliver(swoop::http::Client& client, const Settings& settings,
                          swoop::JsonValue report) {
  auto backoff = settings.first_backoff;
  for (int attempt = 1;; ++attempt) {
    std::string failure;
    try {
      const auto res = co_await client.post_json(settings.collector, report);
      if (res.status < 500) co_return;
      failure = "status " + std::to_string(res.status);
    } catch (const swoop::http::ClientError& e) {
      failure = e.what();
    }
    if (attempt >= settings.max_tries) {
      swoop::log(swoop::LogLevel::error, "collector {}: giving up after {} tries ({}): {}",
                 settings.collector, attempt, failure, swoop::to_json(report));
      co_return;
    }
    swoop::log(swoop::LogLevel::warning, "collector {}: {}; retrying in {} ms", settings.collector,
               failure, backoff.count());
    co_await swoop::sleep(backoff);
    backoff = std::min(backoff * 2, settings.max_backoff);
  }
}

}  // namespace

swoop::Task<void> run_jobs(Settings settings) {
  JobQueue& queue = worker_queue(settings);
  swoop::http::Client client{{.request_timeout = std::chrono::seconds{10}}};
  for (;;) {
    std::optional<std::string> url = queue.pop();
    if (!url) {
      co_await swoop::sleep(idle_poll);  // a coroutine-friendly wait: poll the queue
      continue;
    }
    swoop::JsonValue report = co_await fetch(client, std::move(*url));
    co_await deliver(client, settings, std::move(report));
  }
}

}  // namespace background
