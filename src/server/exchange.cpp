// SPDX-License-Identifier: MIT
// Exchange: dispatch of a matched request, inline or as a task, and where its answer goes.
#include "server/exchange.hpp"

namespace swoop::detail {

RootTask run_handler(Exchange* ex, Task<Response> task) {
  std::optional<Response> res;
  std::exception_ptr error;
  try {
    res.emplace(co_await std::move(task));
  } catch (...) {
    error = std::current_exception();
  }
  ex->on_done(std::move(res), error);
}

void Exchange::dispatch(const Service& service, ExchangeHost& host) {
  host_ = &host;
  service_ = &service;
  const Match& match = route(service);
  // The fast path: no middleware and a sync handler (or the router's own answer) run inline.
  if (!match.route->runs_inline) {
    start(service.run(match, req));
    return;
  }
  try {
    Response res = service.respond(match, req);
    host.send_answer(res, false);
  } catch (...) {
    if (match.route->handles_errors) {
      start(service.handle_error(match, req, std::current_exception()));
    } else {
      Response error = service.render_error(&match, req, std::current_exception());
      host.send_answer(error, false);
    }
  }
}

void Exchange::start(Task<Response> task) {
  host_->on_handler_start();
  running_ = true;
  dispatching_ = true;
  run_handler(this, std::move(task)).with_cancel(&RequestBuilder::cancel_state(req)).start();
  dispatching_ = false;
  if (sync_answer_) {
    host_->send_answer(*sync_answer_, false);
    sync_answer_.reset();
  }
}

void Exchange::on_done(std::optional<Response> res, std::exception_ptr error) {
  running_ = false;
  const Outcome outcome = take_outcome();
  if (outcome != Outcome::send) {
    host_->on_answer_dropped(outcome);
    return;
  }
  Response r = error ? service_->render_error(nullptr, req, error) : std::move(*res);
  if (dispatching_) {  // start() sends it once the task's start returned
    sync_answer_.emplace(std::move(r));
    return;
  }
  host_->send_answer(r, true);
}

}  // namespace swoop::detail
