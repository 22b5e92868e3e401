// SPDX-License-Identifier: MIT
// Internal: one request and its answer, apart from the protocol that carries them: the match,
// the handler's run (inline or as a task), what becomes of its answer, and its cancellation.
// An HTTP/1.1 connection holds one at a time; an HTTP/2 session holds one per stream.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <utility>

#include "http/request_builder.hpp"
#include "server/service.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop::detail {

/// What becomes of a running handler's answer (or of a streamed body being sent).
enum class Outcome : std::uint8_t {
  send,            // sent as usual
  drop,            // not wanted (an error was answered instead, or the stream is gone)
  drop_and_close,  // not wanted, and the connection closes once the handler ends
};

/// The protocol side of an exchange: where its answer goes.
class ExchangeHost {
 public:
  /// The handler is about to run as a task (which may end before dispatch() returns).
  virtual void on_handler_start() = 0;
  /// The answer to send: the handler's, or an error's rendering. `later`: the handler's task
  /// ended after dispatch() returned; otherwise this is called before it returns.
  virtual void send_answer(Response& res, bool later) = 0;
  /// The handler's task ended, and its answer had been given up (see Exchange::give_up).
  virtual void on_answer_dropped(Outcome outcome) = 0;

 protected:
  ~ExchangeHost() = default;
};

/// A request, what answers it, and the run of its handler.
///
/// Lifetime: pooled by its protocol (reused request after request); a running handler holds
/// references to req, so the exchange outlives it (see is_running()).
class Exchange {
 public:
  Request req;
  bool req_is_reset = true;  // req holds nothing of an earlier request (new or given back)

  /// Starts a new request: the next route() matches again.
  void begin() noexcept { matched_ = false; }
  /// What answers req: matched once per request, on first use (the head must be complete).
  const Match& route(const Service& service) noexcept {
    if (!matched_) {
      service.match(req, match_);
      matched_ = true;
    }
    return match_;
  }
  /// Runs what answers req and hands the answer to host: inline when the route runs inline
  /// (then send_answer() is called before this returns), else as a task whose answer comes
  /// later, or before this returns when it never suspends. is_running() tells which.
  void dispatch(const Service& service, ExchangeHost& host);
  /// Whether the handler's task still runs (it holds req).
  bool is_running() const noexcept { return running_; }

  /// What is decided for the running handler's answer (or a streamed body's writer).
  Outcome outcome() const noexcept { return outcome_; }
  /// Gives the answer up (outcome must be drop or drop_and_close) and cancels the handler.
  void give_up(Outcome outcome) noexcept {
    outcome_ = outcome;
    cancel();
  }
  /// The decided outcome, reset to send for the next run.
  Outcome take_outcome() noexcept { return std::exchange(outcome_, Outcome::send); }
  /// Cancels whatever runs for req: its next co_await throws Cancelled.
  void cancel() noexcept { RequestBuilder::cancel_state(req).cancel(); }
  /// Forgets what an earlier run left (the exchange goes back to its pool).
  void reset_answer() noexcept {
    sync_answer_.reset();
    outcome_ = Outcome::send;
  }

 private:
  friend RootTask run_handler(Exchange* ex, Task<Response> task);

  void start(Task<Response> task);
  void on_done(std::optional<Response> res, std::exception_ptr error);

  Match match_;                          // what answers req, once matched
  ExchangeHost* host_ = nullptr;         // where the running handler's answer goes
  const Service* service_ = nullptr;     // renders what the running handler threw
  std::optional<Response> sync_answer_;  // a task's answer given before start() returned
  Outcome outcome_ = Outcome::send;
  bool matched_ = false;      // match_ is req's (the head was matched: once per request)
  bool running_ = false;      // the handler's task runs
  bool dispatching_ = false;  // inside start(): an answer waits for it to return
};

}  // namespace swoop::detail
