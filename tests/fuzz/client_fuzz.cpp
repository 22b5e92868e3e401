// SPDX-License-Identifier: MIT
// Fuzzes the HTTP client's exchange loop (src/client/client.cpp, connection.cpp, pool.cpp:
// the keep-alive pool, the retry of a reused connection, redirects, timeouts, max_body) against
// a loopback server on the same loop that answers each request with the next reply of the
// input. The transport is a real TCP socket on 127.0.0.1: a fake one would need a seam in
// src/client, whose Socket is a concrete libuv handle used by Connection throughout.
// Input: byte 0 bits 0-1 = requests - 1, bit 2 = follow redirects, bits 3-4 max_redirects
// (0, 1, 2, 5), bits 5-6 max_body (0, 16, 1 KiB, 1 MiB), bit 7 = two requests at once
// (gather); byte 1 = the methods (2 bits each: GET, HEAD, POST, PUT); byte 2 bit 0 =
// max_per_host 1 (else 2), bit 1 = small heads (256 bytes, 8 fields, 2 interim responses), bit
// 2 = pooled connections expire at once. Then the replies, each a flags byte (bit 0 close
// after it, bit 1 half-close after it, bit 2 written in two parts 5 ms apart) and the bytes up
// to a NUL, where "$P" stands for the server's port; lines with a "//" not followed by
// "127.0.0.1:" are dropped, and the client may connect to 127.0.0.1 only (allow_address), so no
// redirect leaves the machine. A request that finds no reply left gets the connection closed;
// a connection left idle for 5 ms after a reply (200 ms after accepting) is closed by the server.
// Invariants: every request ends with a response or a ClientError within its timeout (plus
// slack), never another exception; a response has a final status, a body within max_body, and
// is no redirect with a Location when redirects are followed; a request on a reused connection
// comes only after the previous reply on it ended exactly, at a write boundary, with a complete
// keep-alive final response (independent llhttp, HEAD aware, not 101); a request reaches the
// server at most twice per hop (one retry), a POST or PATCH without redirects at most once;
// after close() the client holds no connection.
#include <arpa/inet.h>
#include <llhttp.h>
#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "fuzz_support.hpp"
#include "swoop/swoop.hpp"

namespace {

using namespace std::chrono_literals;
using swoop::Task;
using swoop::http::Client;
using swoop::http::ClientError;
using swoop::http::ClientResponse;
using swoop_fuzz::check;
using Clock = std::chrono::steady_clock;

constexpr auto request_timeout = 300ms;
// A loaded machine running ASan may resume a timer late; a hang is far longer.
constexpr auto timeout_slack = 3000ms;
// The server closes a connection that got no request for this long after accepting it, or
// after its last reply (which ends a client waiting for bytes that never come).
constexpr std::uint64_t first_request_ms = 200;
constexpr std::uint64_t idle_close_ms = 5;

struct Reply {
  std::string bytes;
  bool close = false;
  bool half_close = false;
  bool split = false;
};

// ---- the reuse oracle ---------------------------------------------------------------------

// Whether bytes, written in writes of the given sizes, hold one complete response (after any
// interim ones) that lets the connection carry another request: it ends at a write boundary
// (later writes may not have reached the client when it decided), keeps alive, is final and
// no switch of protocols.
struct Oracle {
  bool head = false;
  int status = 0;
  bool keep_alive = false;

  static int on_headers_complete(llhttp_t* p) {
    const auto* self = static_cast<Oracle*>(p->data);
    return self->head && p->status_code >= 200 ? 1 : 0;
  }
  static int on_message_complete(llhttp_t* p) {
    auto* self = static_cast<Oracle*>(p->data);
    if (p->status_code >= 100 && p->status_code < 200 && p->status_code != 101) return 0;
    self->status = p->status_code;
    self->keep_alive = llhttp_should_keep_alive(p) != 0;
    return HPE_PAUSED;
  }
};

bool ends_reusable(std::string_view bytes, const std::vector<std::size_t>& writes, bool head) {
  Oracle o;
  o.head = head;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_headers_complete = &Oracle::on_headers_complete;
  settings.on_message_complete = &Oracle::on_message_complete;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &o;
  if (llhttp_execute(&parser, bytes.data(), bytes.size()) != HPE_PAUSED) return false;
  const auto end = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - bytes.data());
  std::size_t boundary = 0;
  bool at_boundary = false;
  for (const std::size_t w : writes) {
    boundary += w;
    at_boundary = at_boundary || boundary == end;
  }
  return at_boundary && o.keep_alive && o.status >= 200 && o.status <= 599;
}

// ---- the loopback server ---------------------------------------------------------------------

class Server;

struct WriteReq {
  uv_write_t req{};
  std::string data;
};

// One accepted connection: reads requests, answers each with the next reply.
struct ServerConn {
  uv_tcp_t tcp{};
  uv_timer_t timer{};  // idle close, or the second part of a split reply
  Server* server = nullptr;
  std::string in;
  std::string since_request;  // written since the last request
  std::vector<std::size_t> writes;
  std::string last_method;
  std::string second_part;
  int served = 0;
  int open_handles = 2;
  bool closing = false;
  bool shut = false;

  void write(std::string data);
  void close();
  void on_request(std::string_view method);
  void arm_timer() {
    uv_timer_start(&timer, &on_timer, served == 0 ? first_request_ms : idle_close_ms, 0);
  }
  static void on_timer(uv_timer_t* t) noexcept;
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) noexcept;
};

class Server {
 public:
  std::uint16_t port = 0;
  std::vector<Reply> replies;
  std::size_t next_reply = 0;
  std::size_t requests = 0;
  std::vector<ServerConn*> conns;

  explicit Server(uv_loop_t* loop) {
    uv_tcp_init(loop, &listener_);
    listener_.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    check(uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0) == 0, "bind");
    check(uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 128, &on_connection) == 0,
          "listen");
    sockaddr_storage name{};
    int len = sizeof name;
    uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&name), &len);
    port = ntohs(reinterpret_cast<sockaddr_in*>(&name)->sin_port);
  }

  void close_all() {
    const std::vector<ServerConn*> all = conns;  // close() takes each out of conns
    for (ServerConn* c : all) c->close();
  }
  void forget(ServerConn* c) { std::erase(conns, c); }

 private:
  static void on_connection(uv_stream_t* s, int status) noexcept {
    auto* self = static_cast<Server*>(s->data);
    if (status != 0) return;
    auto* c = new ServerConn;
    c->server = self;
    uv_tcp_init(s->loop, &c->tcp);
    uv_timer_init(s->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    self->conns.push_back(c);
    if (uv_accept(s, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
      c->close();
      return;
    }
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&c->tcp),
        [](uv_handle_t*, std::size_t size, uv_buf_t* buf) {
          buf->base = static_cast<char*>(std::malloc(size));
          buf->len = size;
        },
        &ServerConn::on_read);
    c->arm_timer();
  }

  uv_tcp_t listener_{};
};

void ServerConn::write(std::string data) {
  if (closing || shut || data.empty()) return;
  since_request += data;
  writes.push_back(data.size());
  auto* w = new WriteReq;
  w->data = std::move(data);
  const uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
               [](uv_write_t* req, int) { delete reinterpret_cast<WriteReq*>(req); }) != 0) {
    delete w;
  }
}

void ServerConn::close() {
  if (closing) return;
  closing = true;
  server->forget(this);
  auto done = [](uv_handle_t* h) {
    auto* c = static_cast<ServerConn*>(h->data);
    if (--c->open_handles == 0) delete c;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), done);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), done);
}

void ServerConn::on_timer(uv_timer_t* t) noexcept {
  auto* c = static_cast<ServerConn*>(t->data);
  if (c->second_part.empty()) {
    c->close();
    return;
  }
  c->write(std::exchange(c->second_part, {}));
  c->arm_timer();
}

void ServerConn::on_request(std::string_view method) {
  ++server->requests;
  if (served > 0) {
    check(ends_reusable(since_request, writes, last_method == "HEAD"),
          "a connection reused after a reply that did not end cleanly");
  }
  ++served;
  last_method = method;
  since_request.clear();
  writes.clear();
  if (shut || server->next_reply == server->replies.size()) {
    close();
    return;
  }
  const Reply& r = server->replies[server->next_reply++];
  if (r.split) {
    const std::size_t half = r.bytes.size() / 2;
    write(r.bytes.substr(0, half));
    second_part = r.bytes.substr(half);
  } else {
    write(r.bytes);
  }
  if (r.close && second_part.empty()) {
    close();
    return;
  }
  if (r.half_close && second_part.empty()) {
    shut = true;
    auto* req = new uv_shutdown_t;
    if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp),
                    [](uv_shutdown_t* q, int) { delete q; }) != 0) {
      delete req;
    }
  }
  arm_timer();
}

void ServerConn::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) noexcept {
  auto* c = static_cast<ServerConn*>(s->data);
  if (n > 0 && !c->closing) c->in.append(buf->base, static_cast<std::size_t>(n));
  std::free(buf->base);
  if (n < 0) {
    c->close();
    return;
  }
  // The client sends a head and a Content-Length body, one request at a time.
  while (!c->closing) {
    const std::size_t end = c->in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::size_t body = 0;
    const std::size_t cl = c->in.find("Content-Length: ");
    if (cl != std::string::npos && cl < end)
      body = std::strtoul(c->in.c_str() + cl + 16, nullptr, 10);
    if (c->in.size() < end + 4 + body) return;
    const std::string method = c->in.substr(0, c->in.find(' '));
    c->in.erase(0, end + 4 + body);
    c->on_request(method);
  }
}

// ---- the requests ----------------------------------------------------------------------------

struct Outcome {
  std::variant<ClientResponse, ClientError> result;
  Clock::duration took{};
  std::size_t server_requests = 0;
};

struct Plan {
  std::string method;
  swoop::http::RequestOptions options;
  bool follows = false;
  int max_redirects = 0;
  std::size_t max_body = 0;
};

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Task<Outcome> run_request(Client& client, Server& server, std::string url, Plan plan) {
  const auto start = Clock::now();
  const std::size_t before = server.requests;
  Outcome out{ClientError{swoop::http::ClientErrorKind::cancelled, "unset"}};
  try {
    out.result = co_await client.request(plan.method, url, plan.options);
  } catch (const ClientError& e) {
    out.result = e;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception: %s\n", e.what());
    check(false, "a request threw something other than ClientError");
  }
  out.took = Clock::now() - start;
  out.server_requests = server.requests - before;
  co_return out;
}

void check_outcome(const Outcome& o, const Plan& plan, bool alone) {
  check(o.took <= request_timeout + timeout_slack, "a request outlived its timeout");
  const int hops = plan.follows ? plan.max_redirects + 1 : 1;
  if (alone) {
    check(o.server_requests <= static_cast<std::size_t>(2 * hops),
          "more requests than redirects and one retry per hop allow");
    if (!plan.follows && (plan.method == "POST" || plan.method == "PATCH")) {
      check(o.server_requests <= 1, "a POST was retried");
    }
  }
  const auto* res = std::get_if<ClientResponse>(&o.result);
  if (res == nullptr) return;
  check((res->status >= 200 && res->status <= 599) || res->status == 101,
        "a response without a final status");
  check(res->body.size() <= plan.max_body, "a body over max_body");
  if (plan.method == "HEAD") check(res->body.empty(), "a HEAD response with a body");
  if (plan.follows) {
    check(!is_redirect(res->status) || !res->header("Location"), "a redirect was not followed");
  }
}

Task<void> drive(Client& client, Server& server, std::vector<Plan> plans, bool together) {
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port) + "/a";
  if (together && plans.size() >= 2) {
    auto [a, b] = co_await swoop::gather(run_request(client, server, url, plans[0]),
                                         run_request(client, server, url, plans[1]));
    check_outcome(a, plans[0], false);
    check_outcome(b, plans[1], false);
  } else {
    for (const Plan& plan : plans) {
      check_outcome(co_await run_request(client, server, url, plan), plan, true);
    }
  }
  co_await client.close();
  check(client.open_connections() == 0, "connections left open after close()");
}

swoop::Loop& loop() {
  static swoop::Loop loop;
  return loop;
}

Server& server() {
  static Server s{loop().native()};
  return s;
}

std::string with_port(std::string_view bytes, std::uint16_t port) {
  std::string out;
  const std::string p = std::to_string(port);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '$' && i + 1 < bytes.size() && bytes[i + 1] == 'P') {
      out += p;
      ++i;
    } else {
      out.push_back(bytes[i]);
    }
  }
  return out;
}

// Drops every line of a reply with a "//" not followed by "127.0.0.1:", so that no redirect
// leads to another host (resolve_url takes a new host only after "//"): the fuzzer must
// neither ask DNS about made-up names nor connect beyond the loopback server.
std::string local_only(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    const std::string_view line = bytes.substr(0, end == bytes.npos ? end : end + 1);
    bytes.remove_prefix(line.size());
    bool local = true;
    for (std::size_t at = line.find("//"); at != std::string_view::npos && local;
         at = line.find("//", at + 2)) {
      local = line.substr(at + 2).starts_with("127.0.0.1:");
    }
    if (local) out += line;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  swoop_fuzz::Input in{data, size};
  const std::uint8_t flags = in.byte();
  const std::uint8_t methods = in.byte();
  const std::uint8_t pool = in.byte();
  Server& s = server();
  s.replies.clear();
  s.next_reply = 0;
  while (!in.empty()) {
    const std::uint8_t f = in.byte();
    Reply r;
    r.close = (f & 1) != 0;
    r.half_close = (f & 2) != 0;
    r.split = (f & 4) != 0;
    r.bytes = local_only(with_port(in.until('\0'), s.port));
    s.replies.push_back(std::move(r));
  }

  constexpr int redirect_limits[] = {0, 1, 2, 5};
  constexpr std::size_t body_limits[] = {0, 16, 1024, 1 << 20};
  static constexpr const char* method_names[] = {"GET", "HEAD", "POST", "PUT"};
  std::vector<Plan> plans;
  for (int i = 0; i <= (flags & 3); ++i) {
    Plan p;
    p.method = method_names[(methods >> (2 * i)) & 3];
    p.follows = (flags & 4) != 0;
    p.max_redirects = redirect_limits[(flags >> 3) & 3];
    p.max_body = body_limits[(flags >> 5) & 3];
    p.options.follow_redirects = p.follows;
    p.options.max_redirects = p.max_redirects;
    p.options.max_body = p.max_body;
    if (p.method == "POST" || p.method == "PUT") p.options.body = "x=1";
    plans.push_back(std::move(p));
  }

  swoop::http::ClientOptions options;
  options.max_per_host = (pool & 1) != 0 ? 1 : 2;
  options.connect_timeout = request_timeout;
  options.request_timeout = request_timeout;
  if ((pool & 2) != 0) {
    options.max_header_size = 256;
    options.max_header_count = 8;
    options.max_informational = 2;
  }
  if ((pool & 4) != 0) options.idle_timeout = 1ms;
  options.allow_address = [](const swoop::http::IpAddress& a) {  // the loopback server only
    return a.family == swoop::http::IpAddress::Family::v4 && a.bytes[0] == 127 && a.bytes[1] == 0 &&
           a.bytes[2] == 0 && a.bytes[3] == 1;
  };
  {
    Client client{options};
    swoop::sync_wait(loop(), drive(client, s, std::move(plans), (flags & 0x80) != 0));
  }
  // Close what the server still holds and let every close callback run.
  s.close_all();
  for (int i = 0; i < 4; ++i) uv_run(loop().native(), UV_RUN_NOWAIT);
  return 0;
}
