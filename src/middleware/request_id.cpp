// SPDX-License-Identifier: MIT
// The request id and timing middleware.
#include <chrono>
#include <cstdio>
#include <random>

#include "swoop/builtin_middleware.hpp"

namespace swoop {

namespace {

bool is_acceptable_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string new_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

Task<Response> with_request_id(std::shared_ptr<const RequestIdOptions> o, Request& req, Next next) {
  const auto incoming = req.header(o->header);
  std::string id = o->trust_incoming && incoming && is_acceptable_id(*incoming)
                       ? std::string{*incoming}
                       : new_id();
  req.ctx().emplace<RequestId>(RequestId{id});
  Response res = co_await next(req);
  res.set_header(o->header, id);
  co_return res;
}

Task<Response> with_timing(TimingOptions o, Request& req, Next next) {
  const auto start = std::chrono::steady_clock::now();
  Response res = co_await next(req);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  char buf[48];
  if (o.server_timing) {
    std::snprintf(buf, sizeof buf, "app;dur=%.3f", took.count() * 1000);
    res.add_header("Server-Timing", buf);
  } else {
    std::snprintf(buf, sizeof buf, "%.6f", took.count());
    res.set_header("X-Process-Time", buf);
  }
  co_return res;
}

}  // namespace

Middleware request_id(RequestIdOptions options) {
  auto o = std::make_shared<const RequestIdOptions>(std::move(options));
  return [o](Request& req, Next next) -> Task<Response> { return with_request_id(o, req, next); };
}

Middleware timing(TimingOptions options) {
  return [options](Request& req, Next next) -> Task<Response> {
    return with_timing(options, req, next);
  };
}

}  // namespace swoop
