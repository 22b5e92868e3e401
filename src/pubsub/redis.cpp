// SPDX-License-Identifier: MIT
// RedisLink: topics between instances through Redis PUBLISH/SUBSCRIBE (hiredis, libuv adapter).
#include "pubsub/redis.hpp"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <stdexcept>

#include "swoop/log.hpp"

namespace swoop::detail {

namespace {

// The head of a payload swoop published: a marker no text starts with, the publishing
// process's id (so that it skips its own messages), 't' or 'b'.
constexpr std::string_view marker{"\0swoop ", 7};
constexpr std::size_t id_size = 16;
constexpr std::size_t head_size = marker.size() + id_size + 1;

const std::string& process_id() {
  static const std::string id = [] {
    std::random_device rd;
    std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    std::string out(id_size, '0');
    for (char& ch : out) {
      ch = "0123456789abcdef"[v & 15];
      v >>= 4;
    }
    return out;
  }();
  return id;
}

// hiredis 0.14's libuv adapter returns from its poll callback when libuv reports an error
// (POLLERR, which libuv also stops polling for): a connect that was refused then never
// completes, and the connection hangs. As hiredis 1.x's adapter does, an error is handled as
// the events that were awaited, so that hiredis reads or writes and meets the error itself.
// The adapter's other parts (attach, cleanup) are used as they are.
void on_poll(uv_poll_t* handle, int status, int events) noexcept {
  auto* p = static_cast<redisLibuvEvents*>(handle->data);
  const int ready = status != 0 ? p->events : events;
  if (p->context != nullptr && (ready & UV_READABLE) != 0) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (ready & UV_WRITABLE) != 0) redisAsyncHandleWrite(p->context);
}

void poll_for(void* privdata, int add, int remove) {
  auto* p = static_cast<redisLibuvEvents*>(privdata);
  p->events = (p->events | add) & ~remove;
  if (p->events != 0)
    uv_poll_start(&p->handle, p->events, &on_poll);
  else
    uv_poll_stop(&p->handle);
}

int attach(redisAsyncContext* ac, uv_loop_t* loop) {
  if (redisLibuvAttach(ac, loop) != REDIS_OK) return REDIS_ERR;
  ac->ev.addRead = [](void* p) { poll_for(p, UV_READABLE, 0); };
  ac->ev.delRead = [](void* p) { poll_for(p, 0, UV_READABLE); };
  ac->ev.addWrite = [](void* p) { poll_for(p, UV_WRITABLE, 0); };
  ac->ev.delWrite = [](void* p) { poll_for(p, 0, UV_WRITABLE); };
  return REDIS_OK;
}

// A connect that neither completes nor fails (a host that drops packets) is given up after
// this long, and retried.
constexpr std::uint64_t connect_timeout_ms = 5000;

}  // namespace

RedisAddress parse_redis_url(std::string_view url) {
  const auto fail = [&](std::string_view why) {
    throw std::invalid_argument("pubsub_url '" + std::string{url} + "': " + std::string{why});
  };
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) fail("must start with redis://");
  std::string_view rest = url.substr(scheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) fail("a path (database number) is not supported");
  RedisAddress a;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view user = rest.substr(0, at);
    if (!user.starts_with(':')) fail("give the password as redis://:password@host");
    a.password = user.substr(1);
    rest = rest.substr(at + 1);
  }
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]
    const auto close = rest.find(']');
    if (close == std::string_view::npos) fail("unclosed [");
    a.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) fail("expected :port after ]");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const auto colon = rest.find(':');
    a.host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (a.host.empty()) fail("no host");
  if (!port.empty() || rest.ends_with(':')) {
    unsigned value = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 || value > 65535)
      fail("the port must be a number from 1 to 65535");
    a.port = static_cast<std::uint16_t>(value);
  }
  return a;
}

std::string encode_for_redis(const Published& m) {
  std::string out;
  out.reserve(head_size + m.data.size());
  out.append(marker).append(process_id()).push_back(m.binary ? 'b' : 't');
  out.append(m.data);
  return out;
}

std::shared_ptr<const Published> decode_from_redis(std::string_view channel,
                                                   std::string_view payload) {
  if (payload.size() >= head_size && payload.starts_with(marker)) {
    if (payload.substr(marker.size(), id_size) == process_id()) return nullptr;
    const bool binary = payload[head_size - 1] == 'b';
    return std::make_shared<const Published>(
        Published{std::string{channel}, std::string{payload.substr(head_size)}, binary});
  }
  // Another program's PUBLISH: text when it is UTF-8 (a websocket text message must be).
  const bool text = simdjson::validate_utf8(payload.data(), payload.size());
  return std::make_shared<const Published>(
      Published{std::string{channel}, std::string{payload}, !text});
}

// ---- connections ------------------------------------------------------------------------------

struct RedisLink::Conn {
  enum class State : std::uint8_t { idle, resolving, connecting, ready, waiting };

  RedisLink* link;
  bool subscriber;
  redisAsyncContext* ac = nullptr;
  State state = State::idle;
  uv_getaddrinfo_t resolve{};
  uv_timer_t retry{};
  std::uint64_t backoff_ms = 100;
  bool outage = false;             // a warning was logged for the current outage
  const char* drop_why = nullptr;  // why we dropped the connection ourselves

  const char* role() const noexcept { return subscriber ? "subscribing" : "publishing"; }

  void connect() noexcept;
  void open(const char* ip) noexcept;
  void drop(const char* why) noexcept;
  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  static void on_retry(uv_timer_t* t) noexcept;
  static void on_connect(const redisAsyncContext* ac, int status) noexcept;
  static void on_disconnect(const redisAsyncContext* ac, int status) noexcept;
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
  static void on_auth(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
};

void RedisLink::Conn::connect() noexcept {
  state = State::resolving;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  resolve.data = this;
  const int r = uv_getaddrinfo(link->loop_, &resolve, &on_resolved, link->address_.host.c_str(),
                               nullptr, &hints);
  if (r != 0) link->on_down(*this, uv_strerror(r));
}

void RedisLink::Conn::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
  auto* c = static_cast<Conn*>(req->data);
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard{res, uv_freeaddrinfo};
  if (c->link->closed_) {
    c->state = State::idle;
    return;
  }
  if (status != 0 || res == nullptr) {
    c->link->on_down(*c, status != 0 ? uv_strerror(status) : "no address");
    return;
  }
  char ip[INET6_ADDRSTRLEN] = {};
  if (res->ai_family == AF_INET6)
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(res->ai_addr), ip, sizeof ip);
  else
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(res->ai_addr), ip, sizeof ip);
  c->open(ip);
}

void RedisLink::Conn::open(const char* ip) noexcept {
  redisAsyncContext* a = redisAsyncConnect(ip, link->address_.port);
  if (a == nullptr) {
    link->on_down(*this, "out of memory");
    return;
  }
  if (a->err != 0 || attach(a, link->loop_) != REDIS_OK) {
    link->on_down(*this, a->err != 0 ? a->errstr : "cannot watch the socket");
    redisAsyncFree(a);
    return;
  }
  a->data = this;
  redisAsyncSetConnectCallback(a, &on_connect);
  redisAsyncSetDisconnectCallback(a, &on_disconnect);
  ac = a;
  state = State::connecting;
  uv_timer_start(&retry, &on_retry, connect_timeout_ms, 0);
  // Commands given now are sent once connected, in order: AUTH first. hiredis learns that
  // the connection is made when it can write: PING, so that it does even with nothing to say.
  const std::string& password = link->address_.password;
  if (!password.empty()) {
    redisAsyncCommand(ac, &on_auth, this, "AUTH %b", password.data(), password.size());
  }
  redisAsyncCommand(ac, nullptr, nullptr, "PING");
  if (subscriber) {
    for (const std::string& channel : link->channels_) {
      redisAsyncCommand(ac, &on_reply, this, "SUBSCRIBE %b", channel.data(), channel.size());
    }
  }
}

void RedisLink::Conn::drop(const char* why) noexcept {
  redisAsyncContext* a = std::exchange(ac, nullptr);
  if (a == nullptr) return;
  drop_why = why;
  const bool connected = (a->c.flags & REDIS_CONNECTED) != 0;
  redisAsyncFree(a);  // calls on_disconnect when it was connected
  if (!connected && !link->closed_) link->on_down(*this, why);
}

void RedisLink::Conn::on_connect(const redisAsyncContext* a, int status) noexcept {
  auto* c = static_cast<Conn*>(a->data);
  if (status != REDIS_OK) {
    c->ac = nullptr;  // hiredis frees it after this callback
    if (!c->link->closed_) c->link->on_down(*c, a->errstr);
    return;
  }
  c->link->on_ready(*c);
}

void RedisLink::Conn::on_disconnect(const redisAsyncContext* a, int status) noexcept {
  auto* c = static_cast<Conn*>(a->data);
  c->ac = nullptr;  // hiredis frees it after this callback
  if (c->link->closed_) {
    c->state = State::idle;
    return;
  }
  // No std::string here: out of memory in a callback from C would end the process.
  const char* why = status == REDIS_OK ? std::exchange(c->drop_why, nullptr) : a->errstr;
  c->link->on_down(*c, why != nullptr && *why != '\0' ? why : "the connection closed");
}

void RedisLink::Conn::on_auth(redisAsyncContext*, void* r, void* privdata) noexcept {
  auto* reply = static_cast<redisReply*>(r);
  if (reply == nullptr || reply->type != REDIS_REPLY_ERROR) return;
  static_cast<void>(privdata);
  log(LogLevel::error, "pubsub: redis refused the password: {}",
      std::string_view{reply->str, reply->len});
}

void RedisLink::Conn::on_reply(redisAsyncContext*, void* r, void* privdata) noexcept {
  auto* reply = static_cast<redisReply*>(r);
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return;
  const auto text = [&](std::size_t i) -> std::string_view {
    const redisReply* e = reply->element[i];
    return e->type == REDIS_REPLY_STRING ? std::string_view{e->str, e->len} : std::string_view{};
  };
  auto* c = static_cast<Conn*>(privdata);
  const std::string_view kind = text(0);
  if (kind == "message") {
    c->link->on_message(text(1), text(2));
  } else if (kind == "unsubscribe" && c->ac != nullptr) {
    // hiredis forgets a channel's callback when its UNSUBSCRIBE is answered, also when the
    // channel was subscribed again meanwhile: then subscribe once more.
    const std::string_view channel = text(1);
    if (c->link->channels_.contains(channel)) {
      redisAsyncCommand(c->ac, &on_reply, c, "SUBSCRIBE %b", channel.data(), channel.size());
    }
  }
}

void RedisLink::Conn::on_retry(uv_timer_t* t) noexcept {
  auto* c = static_cast<Conn*>(t->data);
  if (c->link->closed_) return;
  if (c->state == State::connecting)
    c->drop("the connection timed out");  // on_down starts the next try
  else if (c->state == State::waiting)
    c->connect();
}

// ---- the link ---------------------------------------------------------------------------------

RedisLink::RedisLink(uv_loop_t* loop, RedisAddress address, Deliver deliver, void* ctx)
    : loop_(loop),
      address_(std::move(address)),
      deliver_(deliver),
      ctx_(ctx),
      pub_(new Conn{this, false}),
      sub_(new Conn{this, true}) {}

RedisLink::~RedisLink() = default;

void RedisLink::start() {
  for (Conn* c : {pub_.get(), sub_.get()}) {
    uv_timer_init(loop_, &c->retry);
    c->retry.data = c;
    uv_unref(reinterpret_cast<uv_handle_t*>(&c->retry));
  }
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, &on_check);
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  check_open_ = true;
  pub_->connect();
  sub_->connect();
}

void RedisLink::close() noexcept {
  if (closed_ || !check_open_) return;
  closed_ = true;
  for (Conn* c : {pub_.get(), sub_.get()}) {
    if (c->state == Conn::State::resolving) uv_cancel(reinterpret_cast<uv_req_t*>(&c->resolve));
    if (c->ac != nullptr) redisAsyncFree(std::exchange(c->ac, nullptr));
    uv_close(reinterpret_cast<uv_handle_t*>(&c->retry), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
}

void RedisLink::publish(const Published& m) {
  Conn& c = *pub_;
  if (m.data.size() > max_message || c.ac == nullptr || sdslen(c.ac->c.obuf) > max_unsent) {
    if (dropped_++ == 0 && m.data.size() > max_message) {
      log(LogLevel::warning, "pubsub: a message of {} bytes on '{}' is too big for redis (4 MiB)",
          m.data.size(), m.topic);
    }
    return;
  }
  // PUBLISH topic <head><data>: the two parts are joined into one argument, without a copy.
  char head[head_size];
  std::copy(marker.begin(), marker.end(), head);
  std::copy_n(process_id().data(), id_size, head + marker.size());
  head[head_size - 1] = m.binary ? 'b' : 't';
  redisAsyncCommand(c.ac, nullptr, nullptr, "PUBLISH %b %b%b", m.topic.data(), m.topic.size(), head,
                    head_size, m.data.data(), m.data.size());
}

void RedisLink::subscribe(std::string_view topic) {
  auto [it, added] = channels_.emplace(topic);
  if (added && sub_->ac != nullptr) {
    redisAsyncCommand(sub_->ac, &Conn::on_reply, sub_.get(), "SUBSCRIBE %b", it->data(),
                      it->size());
  }
}

void RedisLink::unsubscribe(std::string_view topic) {
  auto it = channels_.find(topic);
  if (it == channels_.end()) return;
  channels_.erase(it);
  if (sub_->ac != nullptr) {
    redisAsyncCommand(sub_->ac, nullptr, nullptr, "UNSUBSCRIBE %b", topic.data(), topic.size());
  }
}

void RedisLink::on_message(std::string_view channel, std::string_view payload) noexcept {
  try {
    if (auto m = decode_from_redis(channel, payload)) deliver_(ctx_, std::move(m));
  } catch (...) {
    // out of memory: this message is lost here
  }
}

void RedisLink::on_ready(Conn& c) noexcept {
  c.state = Conn::State::ready;
  uv_timer_stop(&c.retry);
  c.backoff_ms = 100;
  if (c.outage) {
    c.outage = false;
    log(LogLevel::info, "pubsub: redis at {}:{} is back ({} connection)", address_.host,
        address_.port, c.role());
  }
}

void RedisLink::on_down(Conn& c, std::string_view why) noexcept {
  c.state = Conn::State::waiting;
  if (!c.outage) {
    c.outage = true;
    log(LogLevel::warning,
        "pubsub: redis at {}:{} ({} connection): {}; topics reach this process only until it "
        "is back (retrying)",
        address_.host, address_.port, c.role(), why);
  }
  uv_timer_start(&c.retry, &Conn::on_retry, c.backoff_ms, 0);
  c.backoff_ms = std::min<std::uint64_t>(c.backoff_ms * 2, 5000);
}

void RedisLink::on_check(uv_check_t* h) noexcept {
  auto* self = static_cast<RedisLink*>(h->data);
  // hiredis keeps an incomplete reply in its reader whatever its size: a reply that grows
  // past any message swoop publishes is dropped with the connection (read at most 16 KiB per
  // poll event, so this bounds it).
  for (Conn* c : {self->pub_.get(), self->sub_.get()}) {
    if (c->ac != nullptr && c->ac->c.reader != nullptr &&
        c->ac->c.reader->len > max_message + 64 * 1024) {
      c->drop("a reply over the size limit");
    }
  }
}

}  // namespace swoop::detail
