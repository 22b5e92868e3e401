// SPDX-License-Identifier: MIT
// Streamed responses: a body written over time, and server-sent events on top of it.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "swoop/detail/body.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop {

/// Where a streaming response's function writes its body (see swoop::stream).
///
/// Lifetime: valid while the stream function's Task runs.
/// Thread safety: loop-affine.
class ResponseStream {
 public:
  /// A write returns once fewer than this many bytes wait for the socket.
  static constexpr std::size_t high_water = 64 * 1024;

  /// For the server: a writer over the connection's body sink.
  explicit ResponseStream(detail::BodySink& sink) noexcept : sink_(&sink) {}

  /// Sends chunk (copied at once; an empty chunk is ignored), then waits while more than
  /// high_water bytes wait to be written (backpressure from a slow client).
  ///
  /// Throws swoop::Cancelled when the client went away or the request was cancelled (the
  /// response is then cut), std::logic_error beyond the declared length.
  [[nodiscard]] Task<void> write(std::string_view chunk) {
    sink_->write(chunk);
    return sink_->wait_below(high_water);
  }
  /// Waits until everything written so far was handed to the socket.
  [[nodiscard]] Task<void> flush() { return sink_->wait_below(0); }

 private:
  detail::BodySink* sink_;
};

/// How a streamed response starts.
struct StreamOptions {
  std::string content_type = "application/octet-stream";  ///< the Content-Type header
  /// The exact body length when known: sent as Content-Length. Otherwise the body is sent with
  /// chunked transfer coding (to an HTTP/1.0 client: until the connection closes).
  std::optional<std::uint64_t> length;
  StatusCode status = 200;  ///< the status code: an int or a swoop::Status
};

namespace detail {

template <typename Fn>
class StreamSource final : public BodySource {
 public:
  explicit StreamSource(Fn fn) : fn_(std::move(fn)) {}
  Task<void> send(BodySink& sink) override { return run(fn_, sink); }

 private:
  static Task<void> run(Fn& fn, BodySink& sink) {
    ResponseStream out{sink};
    co_await fn(out);
  }
  Fn fn_;
};

/// Makes res's body the one source produces while it is sent.
void set_body_source(Response& res, std::shared_ptr<BodySource> source) noexcept;

}  // namespace detail

/// A response whose body fn writes over time: `(ResponseStream&) -> Task<void>`.
///
/// The head goes out once the handler returns the response; then fn runs, on the connection,
/// after the whole middleware chain (so response middleware see an empty body()). A normal
/// return ends the body; an exception cuts it (the connection closes, the client sees an
/// incomplete body). Later requests pipelined on the connection are answered after it. A HEAD
/// request, a 204 or a 304 gets the head only and fn does not run.
/// Lifetime: fn (and what it captures) is kept until it finished; it may still read the
/// handler's Request, which stays valid until then.
/// Example:
///     return swoop::stream([](swoop::ResponseStream& out) -> swoop::Task<void> {
///       for (int i = 0; i < 3; ++i) co_await out.write(fmt::format("line {}\n", i));
///     }, {.content_type = "text/plain"});
template <typename Fn>
requires std::same_as<std::invoke_result_t<Fn&, ResponseStream&>, Task<void>> Response
stream(Fn fn, StreamOptions options = {}) {
  Response res{options.status};
  res.set_header("Content-Type", options.content_type);
  auto source = std::make_shared<detail::StreamSource<Fn>>(std::move(fn));
  source->length = options.length;
  detail::set_body_source(res, std::move(source));
  return res;
}

/// One server-sent event (the WHATWG HTML "text/event-stream" format).
struct Event {
  std::string data;   ///< the payload; each line becomes a "data:" field
  std::string event;  ///< the event type ("message" when empty); no CR or LF
  std::string id;     ///< the last-event id to set; no CR, LF or NUL
  std::optional<std::chrono::milliseconds> retry;  ///< the client's reconnection time
};

/// Formats an event as its "text/event-stream" lines, ending with the blank line.
/// Throws std::invalid_argument for an event type or id that could break the framing.
std::string format_event(const Event& event);

/// Sends server-sent events on a stream (see swoop::sse).
///
/// Lifetime: valid while the function given to sse() runs.
class EventStream {
 public:
  /// Server-sent events written to `out`.
  explicit EventStream(ResponseStream& out) noexcept : out_(&out) {}

  /// Sends one event (see ResponseStream::write for waiting and errors).
  [[nodiscard]] Task<void> send(const Event& event) { return out_->write(format_event(event)); }
  /// Sends an event with only data.
  [[nodiscard]] Task<void> send(std::string_view data) {
    Event e;
    e.data = data;
    return send(e);
  }
  /// Sends a comment line, which clients ignore: a keep-alive through proxies. CR and LF in
  /// text are replaced by spaces.
  [[nodiscard]] Task<void> comment(std::string_view text = {});

 private:
  ResponseStream* out_;
};

namespace detail {
/// The head of an event-stream response: text/event-stream, no caching, no proxy buffering.
void prepare_event_stream(Response& res);
}  // namespace detail

/// A server-sent events response; fn `(EventStream&) -> Task<void>` sends events until it
/// returns (the stream then ends) or the client leaves (its next send throws Cancelled).
/// Example:
///     app.get("/ticks")([](swoop::Request&) {
///       return swoop::sse([](swoop::EventStream& events) -> swoop::Task<void> {
///         for (int i = 0;; ++i) {
///           co_await events.send(std::to_string(i));
///           co_await swoop::sleep(std::chrono::seconds{1});
///         }
///       });
///     });
template <typename Fn>
requires std::same_as<std::invoke_result_t<Fn&, EventStream&>, Task<void>> Response sse(Fn fn) {
  struct Adapter {
    Fn fn;
    Task<void> operator()(ResponseStream& out) { return run(fn, out); }
    static Task<void> run(Fn& fn, ResponseStream& out) {
      EventStream events{out};
      co_await fn(events);
    }
  };
  Response res = stream(Adapter{std::move(fn)});
  detail::prepare_event_stream(res);
  return res;
}

}  // namespace swoop
