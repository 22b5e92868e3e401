// SPDX-License-Identifier: MIT
// Internal: one worker's link to Redis, which carries topics between instances.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "swoop/pubsub.hpp"

struct redisAsyncContext;

namespace swoop::detail {

/// Where Redis listens, from RunOptions::pubsub_url.
struct RedisAddress {
  std::string host;
  std::uint16_t port = 6379;
  std::string password;  // AUTH before anything else when not empty
};

/// Parses "redis://[:password@]host[:port]" (host a name, an IPv4 literal or [IPv6]).
/// Throws std::invalid_argument saying what is wrong.
RedisAddress parse_redis_url(std::string_view url);

/// A published message as it travels through Redis: the channel is the topic, the payload a
/// 24-byte head (a marker, the publishing process's id, text or binary) and the data.
/// A message without the head (another program's PUBLISH) is text if UTF-8, else binary.
std::string encode_for_redis(const Published& m);
/// The message carried by a Redis payload; null when this process published it (its own
/// subscribers already had it).
std::shared_ptr<const Published> decode_from_redis(std::string_view channel,
                                                   std::string_view payload);

/// One worker's two connections to Redis, on the worker's loop through hiredis' libuv adapter:
/// one PUBLISHes what this worker publishes, one SUBSCRIBEs to the topics this worker has
/// subscribers for (and only those) and hands what arrives to `deliver`.
///
/// Failure: a connection that cannot be made or drops is retried with backoff (100 ms, doubling
/// to 5 s) and its channels subscribed again; meanwhile publishes are not forwarded (local
/// delivery does not depend on Redis). One warning per outage, one line when it ends.
/// Limits: a message over max_message is not forwarded; a reply Redis sends that grows past it
/// (a broken or hostile server) drops the connection; publishes queue up to max_unsent bytes
/// while Redis does not read, then are dropped.
///
/// Lifetime: close() before the loop ends; destroy after the loop ran the close callbacks.
class RedisLink {
 public:
  using Deliver = void (*)(void* ctx, std::shared_ptr<const Published> m);
  static constexpr std::size_t max_message = 4 * 1024 * 1024;
  static constexpr std::size_t max_unsent = 16 * 1024 * 1024;

  RedisLink(uv_loop_t* loop, RedisAddress address, Deliver deliver, void* ctx);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  /// Connects both connections (asynchronously).
  void start();
  /// PUBLISHes m unless the publishing connection is down (then the message stays local).
  void publish(const Published& m);
  /// The first subscriber of a topic on this worker came: SUBSCRIBE to its channel.
  void subscribe(std::string_view topic);
  /// The last one left: UNSUBSCRIBE.
  void unsubscribe(std::string_view topic);
  /// Drops both connections and stops retrying.
  void close() noexcept;

  /// Publishes not forwarded so far (Redis down or too slow, or the message too big).
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  struct Conn;
  static void on_check(uv_check_t* h) noexcept;
  void on_message(std::string_view channel, std::string_view payload) noexcept;
  void on_ready(Conn& c) noexcept;
  void on_down(Conn& c, std::string_view why) noexcept;

  uv_loop_t* loop_;
  RedisAddress address_;
  Deliver deliver_;
  void* ctx_;
  std::unique_ptr<Conn> pub_, sub_;
  std::set<std::string, std::less<>> channels_;  // what the subscribing connection should have
  uv_check_t check_{};                           // after each I/O phase: the read limit
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
  bool check_open_ = false;
};

}  // namespace swoop::detail
