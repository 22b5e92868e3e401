// SPDX-License-Identifier: MIT
// Worker: accept loop, connection list, the timeout tick and graceful shutdown.
#include "server/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "pubsub/hub.hpp"
#include "server/http1_connection.hpp"
#include "server/service.hpp"
#include "swoop/log.hpp"
#include "swoop/sync_wait.hpp"
#include "swoop/time.hpp"

namespace swoop::detail {

namespace {
std::uint64_t tick_interval(const RunOptions& o) {
  using std::chrono::milliseconds;
  const milliseconds shortest =
      std::min({*o.request_timeout, *o.response_timeout, *o.keep_alive_timeout, *o.linger_timeout,
                *o.graceful_shutdown_timeout});
  const auto ms = static_cast<std::uint64_t>(shortest.count()) / 4;
  return std::clamp<std::uint64_t>(ms, 5, 1000);
}
}  // namespace

Worker::Worker(const Service& service, const RunOptions& options, int listen_fd, int index,
               SSL_CTX* tls)
    : service_(service),
      options_(options),
      listen_fd_(listen_fd),
      index_(index),
      tls_(tls),
      tick_ms_(tick_interval(options)) {}

Worker::~Worker() = default;

std::uint64_t Worker::now() const noexcept { return uv_now(loop_->native()); }

void Worker::run() {
  std::unique_ptr<PubSubNode> pubsub;  // outlives the loop, which may close its handles
  Loop loop;
  std::optional<RedisAddress> redis;  // (Server::start checked the URL)
  if (!options_.pubsub_url->empty()) redis = parse_redis_url(*options_.pubsub_url);
  pubsub = std::make_unique<PubSubNode>(loop.native(), redis ? &*redis : nullptr);
  pubsub_ = pubsub.get();
  {
    std::lock_guard lock{stop_mutex_};
    loop_ = &loop;
  }
  service_.set_worker_context(&ctx_);
  update_date();
  uv_timer_init(loop.native(), &tick_);
  tick_.data = this;
  uv_timer_start(&tick_, &on_tick, tick_ms_, tick_ms_);
  uv_prepare_init(loop.native(), &flush_prepare_);
  flush_prepare_.data = this;
  flush_prepare_open_ = true;
  uv_tcp_init(loop.native(), &listener_);
  listener_.data = this;
  listener_open_ = true;
  try {
    sync_wait(loop, run_listeners(ListenerEvent::before_server_start, false));
  } catch (...) {
    start_error_ = std::current_exception();
    log_escaped("a before_server_start listener", start_error_);
  }
  int r = start_error_ ? 0 : uv_tcp_open(&listener_, listen_fd_);
  if (start_error_) ::close(listen_fd_);
  if (r == 0 && !start_error_) {
    r = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), options_.backlog, &on_connection);
  }
  if (r != 0) log(LogLevel::error, "worker cannot listen: {}", uv_strerror(r));
  listening_ = r == 0 && !start_error_;
  stage_ = Stage::serving;
  bool stop_now = start_error_ || r != 0;
  {
    std::lock_guard lock{stop_mutex_};
    stop_now = stop_now || stop_requested_;
  }
  if (stop_now)
    begin_shutdown();
  else
    worker_after_start(this).start();
  loop.run();
  // The worker's values (a client, a pool) may own handles on this loop: they die while it
  // still exists, and the Loop's destructor runs their close callbacks.
  ctx_.clear();
  pubsub->close();  // (already closed, unless the shutdown sequence did not finish)
  service_.set_worker_context(nullptr);
  {
    std::lock_guard lock{stop_mutex_};
    loop_ = nullptr;
  }
  buffers_.clear();
}

void Worker::stop() noexcept {
  std::lock_guard lock{stop_mutex_};
  if (stop_requested_) return;
  stop_requested_ = true;
  if (loop_ != nullptr) {
    try {
      loop_->post([this] { begin_shutdown(); });
    } catch (...) {
      log_line(LogLevel::error, "could not post the stop request to a worker");
    }
  }
}

Task<void> Worker::run_listeners(ListenerEvent event, bool reverse) const {
  return service_.run_listeners(event, reverse);
}

RootTask worker_after_start(Worker* w) {
  try {
    co_await w->run_listeners(ListenerEvent::after_server_start, false);
  } catch (...) {
    log_escaped("an after_server_start listener", std::current_exception());
  }
  w->start_tasks();
}

RootTask worker_task(Worker* w, std::size_t slot, std::size_t task) {
  try {
    co_await w->service_.run_task(task);
  } catch (const Cancelled&) {
  } catch (...) {
    log_escaped("a background task", std::current_exception());
  }
  w->tasks_[slot]->done = true;
  --w->running_tasks_;
  w->poke();
}

void Worker::start_tasks() {
  if (stage_ == Stage::stopping) return;
  for (std::size_t i = 0; i < service_.task_count(); ++i) {
    if (service_.task_runs_once(i) && index_ != 0) continue;
    tasks_.push_back(std::make_unique<TaskSlot>());
    ++running_tasks_;
    RootTask root = worker_task(this, tasks_.size() - 1, i);
    root.with_cancel(&tasks_.back()->cancel);
    loop_->call_soon(root.release());
  }
}

void Worker::begin_shutdown() {
  if (stage_ != Stage::serving) return;  // run() calls again once started
  stage_ = Stage::shutting_down;
  worker_shutdown(this).start();
}

RootTask worker_shutdown(Worker* w) {
  // The drain: App::is_ready() is already false (Server::stop), so /readyz answers 503 while
  // this worker still accepts and serves as usual; a balancer that polls it moves away.
  // Responses meanwhile say "Connection: close", so that keep-alive clients (a proxy's pool)
  // retire their connections now rather than race the close of idle ones after the drain.
  if (w->listening_ && w->options_.drain_delay->count() > 0) {
    w->stage_ = Worker::Stage::draining;
    try {
      co_await sleep(*w->options_.drain_delay);
    } catch (...) {
      log_escaped("the shutdown drain", std::current_exception());
    }
  }
  w->stage_ = Worker::Stage::stopping;
  w->shutdown_deadline_ =
      w->now() + static_cast<std::uint64_t>(w->options_.graceful_shutdown_timeout->count());
  if (w->listener_open_) {
    w->listener_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&w->listener_), nullptr);
  }
  try {
    co_await w->run_listeners(ListenerEvent::before_server_stop, true);
  } catch (...) {
    log_escaped("a before_server_stop listener", std::current_exception());
  }
  for (Http1Connection* c = w->head_; c != nullptr;) {
    Http1Connection* next = c->next;
    c->shut_down();
    c = next;
  }
  while (w->head_ != nullptr) co_await Worker::Park{w};
  for (auto& t : w->tasks_) {
    if (!t->done) t->cancel.cancel();
  }
  while (w->running_tasks_ > 0) co_await Worker::Park{w};
  try {
    co_await w->run_listeners(ListenerEvent::after_server_stop, true);
  } catch (...) {
    log_escaped("an after_server_stop listener", std::current_exception());
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&w->tick_), nullptr);
  w->pubsub_->close();             // publishes from other threads stop waking this loop
  w->flush_prepare_open_ = false;  // every connection is gone: nothing is deferred any more
  uv_close(reinterpret_cast<uv_handle_t*>(&w->flush_prepare_), nullptr);
}

bool Worker::defer_flush(net::Transport& t) noexcept {
  if (!flush_prepare_open_) return false;
  try {
    flush_list_.push_back(&t);
  } catch (...) {
    return false;
  }
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&flush_prepare_))) {
    uv_prepare_start(&flush_prepare_, &on_flush_prepare);
  }
  return true;
}

void Worker::cancel_flush(net::Transport& t) noexcept {
  std::erase(flush_list_, &t);
  std::replace(flushing_.begin(), flushing_.end(), &t, static_cast<net::Transport*>(nullptr));
}

void Worker::on_flush_prepare(uv_prepare_t* h) noexcept {
  auto* w = static_cast<Worker*>(h->data);
  // The loop polls right after this: a flush deferred while these run (a connection's held
  // input reaching a handler that answers at once) must go out now too, or it would wait
  // for the next I/O. Held input only grows by reading, so this ends.
  while (!w->flush_list_.empty()) {
    w->flushing_.swap(w->flush_list_);
    for (net::Transport* t : w->flushing_) {
      if (t != nullptr) t->run_deferred();
    }
    w->flushing_.clear();
  }
  uv_prepare_stop(&w->flush_prepare_);
}

void Worker::poke() noexcept {
  if (parked_) loop_->call_soon(std::exchange(parked_, {}));
}

void Worker::on_connection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<Worker*>(server->data);
  if (status < 0) {
    log(LogLevel::warning, "accept failed: {}", uv_strerror(status));
    return;
  }
  if (self->stage_ == Stage::stopping) return;
  if (self->count_ >= self->options_.max_connections) {
    // Not accepting makes libuv stop polling the listener until uv_accept is called again;
    // the connection closed here to make room accepts the new one in on_connection_closed.
    self->accept_pending_ = true;
    self->close_longest_idle();
    return;
  }
  self->accept_one();
}

void Worker::close_longest_idle() {
  // A new client never waits behind idle keep-alive ones (DESIGN.md, failure rules); one with
  // a request in progress is never closed. A scan, but only at the cap.
  Http1Connection* oldest = nullptr;
  for (Http1Connection* c = head_; c != nullptr; c = c->next) {
    if (c->is_idle() && (oldest == nullptr || c->deadline() <= oldest->deadline())) oldest = c;
  }
  if (oldest == nullptr) return;  // all busy: the new client waits for one to finish
  if (evictions_++ == 0) {
    log(LogLevel::warning,
        "worker {}: {} connections open, the cap (max_connections): the longest idle "
        "keep-alive connections are closed to admit new clients",
        index_, count_);
  }
  oldest->evict();
}

void Worker::accept_one() {
  auto* c = new Http1Connection(*this);
  if (!c->accept(reinterpret_cast<uv_stream_t*>(&listener_))) return;  // closes itself
  c->next = head_;
  if (head_ != nullptr) head_->prev = c;
  head_ = c;
  ++count_;
  open_.store(count_, std::memory_order_relaxed);
}

void Worker::on_connection_closed(Http1Connection* c) noexcept {
  if (c->prev != nullptr || c->next != nullptr || head_ == c) {
    if (c->prev != nullptr)
      c->prev->next = c->next;
    else
      head_ = c->next;
    if (c->next != nullptr) c->next->prev = c->prev;
    --count_;
    open_.store(count_, std::memory_order_relaxed);
  }
  if (accept_pending_ && stage_ != Stage::stopping && count_ < options_.max_connections) {
    accept_pending_ = false;
    accept_one();
  }
  poke();
}

void Worker::on_tick(uv_timer_t* t) noexcept {
  auto* self = static_cast<Worker*>(t->data);
  self->update_date();
  const std::uint64_t now = self->now();
  const bool force = self->stage_ == Stage::stopping && now >= self->shutdown_deadline_;
  for (Http1Connection* c = self->head_; c != nullptr;) {
    Http1Connection* next = c->next;
    if (force)
      c->force_close();
    else
      c->on_tick(now);
    c = next;
  }
}

void Worker::update_date() noexcept {
  const std::time_t t = std::time(nullptr);
  if (t == date_second_) return;
  date_second_ = t;
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Written by hand: strftime's %a and %b follow the locale, HTTP dates must not.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10 % 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int year = tm.tm_year + 1900;
  char* const date_ = stamp_ + date_at;
  std::memcpy(date_, days[tm.tm_wday], 3);  // "Sun, 06 Nov 1994 08:49:37 GMT"
  std::memcpy(date_ + 3, ", ", 2);
  two(date_ + 5, tm.tm_mday);
  date_[7] = ' ';
  std::memcpy(date_ + 8, months[tm.tm_mon], 3);
  date_[11] = ' ';
  two(date_ + 12, year / 100);
  two(date_ + 14, year % 100);
  date_[16] = ' ';
  two(date_ + 17, tm.tm_hour);
  date_[19] = ':';
  two(date_ + 20, tm.tm_min);
  date_[22] = ':';
  two(date_ + 23, tm.tm_sec);
  std::memcpy(date_ + 25, " GMT", 4);
}

std::unique_ptr<char[]> Worker::acquire_buffer() {
  if (buffers_.empty()) return std::make_unique_for_overwrite<char[]>(buffer_size);
  auto b = std::move(buffers_.back());
  buffers_.pop_back();
  return b;
}

std::size_t Worker::input_limit() const noexcept {
  return options_.max_header_size + 2 * options_.max_body_size + 4096;
}

bool Worker::draw_budget(net::Transport& t, std::size_t held, std::size_t more) {
  if (buffered_ != held && buffered_ + more > options_.buffered_body_budget) {
    try {
      if (std::find(budget_queue_.begin(), budget_queue_.end(), &t) == budget_queue_.end()) {
        budget_queue_.push_back(&t);
      }
    } catch (...) {  // out of memory: c waits for its request timeout instead
    }
    return false;
  }
  buffered_ += more;
  buffered_published_.store(buffered_, std::memory_order_relaxed);
  return true;
}

void Worker::return_budget(std::size_t bytes) noexcept {
  buffered_ -= bytes;
  buffered_published_.store(buffered_, std::memory_order_relaxed);
  // Each queued connection asks again (from the loop, not from here); those that still do not
  // fit queue up again behind the others.
  std::vector<net::Transport*> queued;
  queued.swap(budget_queue_);
  for (net::Transport* t : queued) t->on_budget_returned();
}

void Worker::leave_budget_queue(net::Transport& t) noexcept { std::erase(budget_queue_, &t); }

std::unique_ptr<Http1Exchange> Worker::acquire_exchange() {
  if (exchanges_.empty()) return std::make_unique<Http1Exchange>(options_);
  auto e = std::move(exchanges_.back());
  exchanges_.pop_back();
  return e;
}

void Worker::release_exchange(std::unique_ptr<Http1Exchange> exchange) noexcept {
  // Reset now: an idle exchange holds no body, JSON parser, per-request allocations or values
  // a handler left in req.ctx (their destructors run when the request ends, not later).
  RequestBuilder::reset(exchange->req);
  exchange->req_is_reset = true;
  RequestBuilder::shrink(exchange->req);
  exchange->reset_answer();
  std::string{}.swap(exchange->body_in);
  if (exchanges_.size() < 64) {
    try {
      exchanges_.push_back(std::move(exchange));
    } catch (...) {
    }
  }
}

char* Worker::cipher_buffer() {
  if (!cipher_buffer_) cipher_buffer_ = std::make_unique_for_overwrite<char[]>(cipher_buffer_size);
  return cipher_buffer_.get();
}

void Worker::release_buffer(std::unique_ptr<char[]> buffer) noexcept {
  if (buffers_.size() < 256) {
    try {
      buffers_.push_back(std::move(buffer));
    } catch (...) {
    }
  }
}

}  // namespace swoop::detail
