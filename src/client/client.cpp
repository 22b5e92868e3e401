// SPDX-License-Identifier: MIT
// Client: request building, the exchange on a pooled connection, retries and redirects.
#include "swoop/client.hpp"

#include <uv.h>

#include <algorithm>
#include <map>

#include "client/connection.hpp"
#include "client/pool.hpp"
#include "client/request_head.hpp"
#include "client/response_parser.hpp"
#include "client/url.hpp"
#include "swoop/headers.hpp"
#include "swoop/loop.hpp"
#include "swoop/time.hpp"

namespace swoop::http {

using detail::Connection;
using detail::HostPool;
using detail::Lease;
using detail::ResponseParser;
using detail::Url;

namespace {

bool is_idempotent(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

bool is_redirect(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

void drop_header(HeaderList& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
}

/// A repeating, unreferenced timer that calls fn(ctx); heap-owned, freed by its close callback.
struct SweepTimer {
  uv_timer_t timer{};
  void (*fn)(void*) noexcept = nullptr;
  void* ctx = nullptr;

  static SweepTimer* start(std::uint64_t period_ms, void (*fn)(void*) noexcept, void* ctx) {
    auto* t = new SweepTimer;
    t->fn = fn;
    t->ctx = ctx;
    uv_timer_init(Loop::current().native(), &t->timer);
    t->timer.data = t;
    uv_timer_start(
        &t->timer,
        [](uv_timer_t* h) noexcept {
          auto* self = static_cast<SweepTimer*>(h->data);
          self->fn(self->ctx);
        },
        period_ms, period_ms);
    // Idle connections must not keep a loop alive on their own.
    uv_unref(reinterpret_cast<uv_handle_t*>(&t->timer));
    return t;
  }
  void close() noexcept {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { delete static_cast<SweepTimer*>(h->data); });
  }
};

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view{v};
  }
  return std::nullopt;
}

std::vector<std::string_view> ClientResponse::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

struct Client::Impl {
  ClientOptions options;
  std::map<std::string, HostPool> pools;  // node-based: HostPool addresses stay stable
  std::unique_ptr<detail::TlsContext> tls;
  std::size_t in_flight = 0;
  SweepTimer* sweeper = nullptr;

  // Closes idle connections that expired or that the server closed.
  static void sweep(void* ctx) noexcept {
    auto* self = static_cast<Impl*>(ctx);
    const auto now = std::chrono::steady_clock::now();
    for (auto& [origin, pool] : self->pools) {
      const std::size_t before = pool.idle.size();
      std::erase_if(pool.idle, [&, &pool = pool](const std::unique_ptr<Connection>& c) {
        return !c->is_usable() || now - c->idle_since >= pool.idle_timeout;
      });
      pool.open -= before - pool.idle.size();
      if (before != pool.idle.size()) pool.wake_one();
    }
  }

  HostPool& pool_of(const Url& url) {
    auto [it, inserted] = pools.try_emplace(url.origin());
    if (inserted) {
      it->second.max = options.max_per_host == 0 ? 1 : options.max_per_host;
      it->second.idle_timeout = options.idle_timeout;
    }
    return it->second;
  }

  detail::TlsContext* tls_context() {
    if (!tls) tls = std::make_unique<detail::TlsContext>(options.verify_tls, options.ca_file);
    return tls.get();
  }

  Task<ClientResponse> exchange(Url url, std::string method, std::string bytes,
                                std::size_t max_body);
  Task<ClientResponse> run(std::string method, Url url, RequestOptions o);
};

// One request and its response on a pooled (or new) connection, retried once on a new
// connection when a reused one fails before any response byte (RFC 9112 9.3.1).
Task<ClientResponse> Client::Impl::exchange(Url url, std::string method, std::string bytes,
                                            std::size_t max_body) {
  HostPool& pool = pool_of(url);
  const std::string peer = url.authority();
  for (int attempt = 0;; ++attempt) {
    Lease lease = co_await detail::acquire(pool);
    if (lease.get() == nullptr) {
      lease.set(std::make_unique<Connection>());
      co_await lease.get()->open(url, options, url.tls ? tls_context() : nullptr);
    }
    Connection& conn = *lease.get();
    const bool reused = conn.reused;
    ClientResponse res;
    ResponseParser parser(res, method == "HEAD", max_body,
                          {.max_header_size = options.max_header_size,
                           .max_header_count = options.max_header_count,
                           .max_informational = options.max_informational});
    try {
      co_await conn.send(bytes);
      for (;;) {
        const std::string chunk = co_await conn.receive();
        const auto state = chunk.empty() ? parser.finish() : parser.feed(chunk);
        if (state == ResponseParser::State::complete) break;
        // A passed bound ends the exchange here; the lease then closes the connection.
        if (state == ResponseParser::State::too_large) {
          throw ClientError(ClientErrorKind::too_large,
                            "response from " + peer + ": " + parser.error());
        }
        if (state == ResponseParser::State::error) {
          const bool bound = parser.limit() != ResponseParser::Limit::none;
          throw ClientError(ClientErrorKind::protocol,
                            (bound ? "response from " : "malformed response from ") + peer + ": " +
                                parser.error());
        }
        if (chunk.empty()) {
          throw ClientError(ClientErrorKind::protocol,
                            parser.has_started()
                                ? peer + " closed the connection in the middle of the response"
                                : peer + " closed the connection without responding");
        }
      }
    } catch (const ClientError& e) {
      const bool retry = reused && attempt == 0 && !parser.has_started() &&
                         e.kind() == ClientErrorKind::protocol && is_idempotent(method);
      if (!retry) throw;
      lease.discard();
      continue;
    }
    res.url = url.text();
    if (parser.is_reusable() && conn.is_usable()) lease.give_back();
    co_return res;
  }
}

Task<ClientResponse> Client::Impl::run(std::string method, Url url, RequestOptions o) {
  const std::size_t max_body = o.max_body.value_or(options.max_body);
  for (int hop = 0;; ++hop) {
    std::string bytes = detail::request_head(method, url.target, url.authority(), o.headers,
                                             o.body.size(), options.user_agent);
    bytes += o.body;
    ClientResponse res = co_await exchange(url, method, std::move(bytes), max_body);
    const auto location = res.header("Location");
    if (!o.follow_redirects || !is_redirect(res.status) || !location) co_return res;
    if (hop >= o.max_redirects) {
      throw ClientError(ClientErrorKind::protocol, "too many redirects (more than " +
                                                       std::to_string(o.max_redirects) + ") from " +
                                                       url.text());
    }
    Url next = detail::resolve_url(url, *location);
    // RFC 9110 15.4: 303 becomes GET; so do 301 and 302 after a POST, as browsers do.
    const bool to_get = res.status == 303 || (res.status <= 302 && method == "POST");
    if (to_get) {
      if (method != "HEAD") method = "GET";
      o.body.clear();
      drop_header(o.headers, "content-type");
      drop_header(o.headers, "content-length");
    }
    // Credentials go to the origin they were meant for only.
    if (next.origin() != url.origin()) {
      drop_header(o.headers, "authorization");
      drop_header(o.headers, "cookie");
      drop_header(o.headers, "host");
    }
    url = std::move(next);
  }
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const auto period = std::max<std::int64_t>(impl_->options.idle_timeout.count() / 4, 1);
  impl_->sweeper = SweepTimer::start(
      static_cast<std::uint64_t>(std::min<std::int64_t>(period, 1000)), &Impl::sweep, impl_.get());
}

Client::~Client() {
  SWOOP_ASSERT(impl_->in_flight == 0, "Client destroyed while a request is in flight");
  // Each idle connection closes its socket; the close callbacks free them later.
  impl_->pools.clear();
  impl_->sweeper->close();
}

Task<ClientResponse> Client::request(std::string method, std::string url, RequestOptions options) {
  Impl& impl = *impl_;
  ++impl.in_flight;
  struct Done {
    Impl& impl;
    ~Done() { --impl.in_flight; }
  } done{impl};
  Url parsed = detail::parse_url(url);
  const auto timeout = options.timeout.value_or(impl.options.request_timeout);
  // Named, not a temporary inside co_await: g++ 12 mishandles by-value coroutine arguments
  // built in a co_await expression (bad-free of RequestOptions' strings under ASan).
  Task<ClientResponse> exchange =
      impl.run(std::move(method), std::move(parsed), std::move(options));
  try {
    co_return co_await with_timeout(timeout, std::move(exchange));
  } catch (const Timeout&) {
    throw ClientError(ClientErrorKind::timeout, "request to " + url + " timed out after " +
                                                    std::to_string(timeout.count()) + " ms");
  }
}

Task<ClientResponse> Client::post(std::string url, std::string body, std::string content_type) {
  return request("POST", std::move(url),
                 {.headers = {{"Content-Type", std::move(content_type)}}, .body = std::move(body)});
}

Task<ClientResponse> Client::post_json(std::string url, const JsonValue& value) {
  return post(std::move(url), to_json(value), "application/json");
}

Task<ClientResponse> Client::put(std::string url, std::string body, std::string content_type) {
  return request("PUT", std::move(url),
                 {.headers = {{"Content-Type", std::move(content_type)}}, .body = std::move(body)});
}

Task<ClientResponse> Client::patch(std::string url, std::string body, std::string content_type) {
  return request("PATCH", std::move(url),
                 {.headers = {{"Content-Type", std::move(content_type)}}, .body = std::move(body)});
}

Task<void> Client::close() {
  for (auto& [origin, pool] : impl_->pools) {
    pool.open -= pool.idle.size();
    pool.idle.clear();
    pool.wake_one();
  }
  // Close callbacks run at the end of this loop turn; a zero timer fires after them.
  co_await sleep(std::chrono::milliseconds{0});
}

std::size_t Client::open_connections() const noexcept {
  std::size_t n = 0;
  for (const auto& [origin, pool] : impl_->pools) n += pool.open;
  return n;
}

}  // namespace swoop::http
