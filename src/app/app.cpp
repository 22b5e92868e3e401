// SPDX-License-Identifier: MIT
// App: route registration and run() with signal handling.
#include "swoop/app.hpp"

#include <uv.h>

#include <stdexcept>

#include "swoop/log.hpp"
#include "swoop/loop.hpp"
#include "swoop/server.hpp"

namespace swoop {

App::App(std::string name, AppOptions options)
    : name_(std::move(name)), router_(options.strict_slashes) {}

App::~App() = default;

void App::add_route(std::string_view pattern, RouteOptions options, detail::Handler handler) {
  if (frozen_) {
    throw std::invalid_argument("cannot add route " + std::string{pattern} +
                                ": the app is already serving");
  }
  const std::uint32_t id = router_.add(std::move(options.methods), pattern, std::move(options.name),
                                       options.strict_slashes);
  if (id >= handlers_.size()) handlers_.resize(id + 1);
  handlers_[id] = std::move(handler);
}

std::string App::url_for(std::string_view name,
                         std::initializer_list<std::pair<std::string_view, UrlValue>> params,
                         std::initializer_list<std::pair<std::string_view, UrlValue>> query) const {
  return router_.url_for(name, params, query);
}

void App::run(RunOptions options) {
  Server server{*this, options};
  server.start();
  log(LogLevel::info, "{}: listening on http://{}:{} ({} worker{})", name_,
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host,
      server.port(), options.workers, options.workers == 1 ? "" : "s");
  {
    // The main thread only waits for SIGINT/SIGTERM; the workers serve.
    Loop loop;
    struct Signals {
      uv_signal_t sigint{}, sigterm{};
      Server* server = nullptr;
    } signals;
    signals.server = &server;
    auto on_signal = [](uv_signal_t* s, int signum) {
      auto* sig = static_cast<Signals*>(s->data);
      log(LogLevel::info, "received signal {}, shutting down", signum);
      sig->server->stop();
      uv_close(reinterpret_cast<uv_handle_t*>(&sig->sigint), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sig->sigterm), nullptr);
    };
    for (uv_signal_t* s : {&signals.sigint, &signals.sigterm}) {
      uv_signal_init(loop.native(), s);
      s->data = &signals;
    }
    uv_signal_start(&signals.sigint, on_signal, SIGINT);
    uv_signal_start(&signals.sigterm, on_signal, SIGTERM);
    loop.run();
  }
  server.wait();
  log(LogLevel::info, "{}: stopped", name_);
}

}  // namespace swoop
