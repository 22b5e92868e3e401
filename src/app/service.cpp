// SPDX-License-Identifier: MIT
// The Service an App gives the serving core: its router, pipelines, listeners and tasks.
#include "server/service.hpp"

#include <algorithm>
#include <vector>

#include "app/app_state.hpp"
#include "http/request_builder.hpp"
#include "swoop/detail/access.hpp"

namespace swoop::detail {

namespace {

std::uint16_t verdict_of(MatchStatus status) noexcept {
  switch (status) {
    case MatchStatus::found:
      return 0;
    case MatchStatus::method_not_allowed:
      return 405;
    case MatchStatus::auto_options:
      return 204;
    case MatchStatus::not_found:
      break;
  }
  return 404;
}

class AppService final : public Service {
 public:
  explicit AppService(App& app) noexcept : app_(app), state_(Access::state(app)) {}

  void freeze(const RunOptions& options) override { Access::freeze(app_, options); }
  void set_ready(bool ready) noexcept override { app_.set_ready(ready); }

  void match(Request& req, Match& out) const noexcept override {
    const RouteMatch found = match_route(state_, req, RequestBuilder::params(req));
    out.route = found.status == MatchStatus::found
                    ? &state_.pipelines[found.route_id]
                    : &state_.fallbacks[static_cast<std::size_t>(fallback_format(state_, req))];
    out.allow = found.allow;
    out.verdict = verdict_of(found.status);
    out.head_from_get = found.head_from_get;
  }

  bool any_stream_body() const noexcept override { return state_.any_stream_body; }

  Response respond(const Match& m, Request& req) const override {
    const Handler* handler = pipeline_of(m).handler;
    return handler != nullptr ? handler->call_sync(req) : fallback_response(m);
  }

  Task<Response> run(const Match& m, Request& req) const override { return run_pipeline(m, req); }

  Task<Response> handle_error(const Match& m, Request& req,
                              std::exception_ptr error) const override {
    return detail::handle_error(pipeline_of(m), req, std::move(error));
  }

  Response render_error(const Match* m, const Request& req,
                        std::exception_ptr error) const override {
    if (m == nullptr) {
      return detail::render_error(req, std::move(error), state_.debug,
                                  fallback_format(state_, req));
    }
    return detail::render_error(req, std::move(error), pipeline_of(*m).debug,
                                pipeline_of(*m).error_format);
  }

  Task<void> run_listeners(ListenerEvent event, bool reverse) const override {
    std::vector<const Listener*> selected;
    for (const auto& [e, fn] : state_.listeners) {
      if (e == event) selected.push_back(&fn);
    }
    if (reverse) std::reverse(selected.begin(), selected.end());
    for (const Listener* fn : selected) co_await fn->call(app_);
  }

  std::size_t task_count() const noexcept override { return state_.tasks.size(); }
  bool task_runs_once(std::size_t i) const noexcept override { return state_.tasks[i].second.once; }
  Task<void> run_task(std::size_t i) const override { return state_.tasks[i].first.call(app_); }

  void set_worker_context(Context* ctx) const noexcept override { set_worker_ctx(ctx); }

 private:
  App& app_;
  const AppState& state_;
};

}  // namespace

std::unique_ptr<Service> make_app_service(App& app) { return std::make_unique<AppService>(app); }

}  // namespace swoop::detail
