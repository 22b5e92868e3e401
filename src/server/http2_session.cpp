// SPDX-License-Identifier: MIT
// Http2Session: nghttp2 fed from the transport and drained into it; streams dispatched once
// their request is complete, after the read that completed them (never from a callback).
#include "server/http2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

#include "server/http2_memory.hpp"
#include "server/worker.hpp"
#include "swoop/log.hpp"

namespace swoop::detail {

namespace {

// Frames waiting to be written beyond this stop taking new ones from nghttp2 (and then reading
// input, which would make more): a client that does not read cannot grow the server's memory.
constexpr std::size_t write_high_water = 256 * 1024;
// Response bodies go to the socket in writes of about this size while they are framed: the
// output stays small and warm in the cache (bench/RESULTS.md: 32 KiB, 128 KiB and 256 KiB
// batches cost 10-30% more CPU per 1 MiB response than 64 KiB on loopback).
constexpr std::size_t flush_batch = 64 * 1024;

// The smallest SETTINGS_MAX_FRAME_SIZE (RFC 9113 6.5.2), which swoop keeps.
constexpr std::size_t max_frame_size = 16384;

// The opaque data of the PING sent with the shutdown notice, and how long the last GOAWAY
// waits for its ACK from a client that does not answer PINGs.
constexpr std::uint8_t notice_ping[8] = {'s', 'w', 'o', 'o', 'p', 'b', 'y', 'e'};
constexpr std::uint64_t notice_wait_ms = 1000;

std::string_view view(const std::uint8_t* data, std::size_t len) noexcept {
  return {reinterpret_cast<const char*>(data), len};
}

}  // namespace

// A callback as nghttp2 may call it: no exception crosses its C frames (an allocation that
// fails fails the session instead, which then ends with a GOAWAY).
template <auto F>
struct Guard;
template <typename... A, int (*F)(A...)>
struct Guard<F> {
  static int call(A... a) noexcept {
    try {
      return F(a...);
    } catch (...) {
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }
};

// nghttp2's callbacks, in the session's terms.
struct Http2Callbacks {
  static Http2Session& self(void* user) noexcept { return *static_cast<Http2Session*>(user); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Http2Session& s = self(user);
    const std::int32_t id = frame->hd.stream_id;
    s.streams_.push_back(std::make_unique<Http2Stream>(s, id));
    nghttp2_session_set_stream_user_data(s.session_, id, s.streams_.back().get());
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_len, const std::uint8_t* value, std::size_t value_len,
                       std::uint8_t, void* user) {
    // Trailer fields (a second header block) are accepted and not kept.
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    if (Http2Stream* st = self(user).find(frame->hd.stream_id)) {
      st->add_field(view(name, name_len), view(value, value_len));
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_SETTINGS && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
      check_windows(self(user), frame->settings);
      return 0;
    }
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0 &&
        std::memcmp(frame->ping.opaque_data, notice_ping, sizeof notice_ping) == 0) {
      Http2Session& s = self(user);
      s.notice_acked_ = true;
      if (s.stopping_) s.send_last_goaway();
      return 0;
    }
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    Http2Stream* st = self(user).find(frame->hd.stream_id);
    if (st == nullptr) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST &&
        !st->end_head((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)) {
      return 0;
    }
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) st->end_request();
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id,
                           const std::uint8_t* data, std::size_t len, void* user) {
    Http2Session& s = self(user);
    if (Http2Stream* st = s.find(id)) {
      st->add_body(view(data, len));
    } else {
      nghttp2_session_consume_connection(s.session_, len);
    }
    return 0;
  }

  // A response complete before its request (an early answer, a refusal): RFC 9113 8.1 lets
  // the server ask the client to stop sending the rest, without error.
  static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void*) {
    const std::int32_t id = frame->hd.stream_id;
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
        nghttp2_session_get_stream_remote_close(session, id) == 0) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR);
    }
    return 0;
  }

  // A DATA frame whose bytes read_body() left in place (NO_COPY): its 9-byte head, the pad
  // length and padding around the bytes when padded (RFC 9113 6.1; swoop does not pad), all
  // appended to the transport's output at once. With a batch's worth of output nghttp2
  // pauses after this frame, and send() writes it (one mem_send call would otherwise frame
  // every stream's whole window into the output).
  static int send_data(nghttp2_session*, nghttp2_frame* frame, const std::uint8_t* head,
                       std::size_t length, nghttp2_data_source* source, void* user) {
    Http2Session& s = self(user);
    std::string& out = s.transport_.output();
    const std::size_t padding = frame->data.padlen;
    out.append(reinterpret_cast<const char*>(head), 9);
    if (padding > 0) out.push_back(static_cast<char>(padding - 1));
    static_cast<Http2Stream*>(source->ptr)->send_body(out, length);
    if (padding > 1) out.append(padding - 1, '\0');
    if (s.transport_.output().size() < flush_batch) return 0;
    s.paused_ = true;
    return NGHTTP2_ERR_PAUSE;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user) {
    if (Http2Stream* st = self(user).find(id)) st->on_closed();
    return 0;
  }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
    Http2Session& s = self(user);
    if (!s.check_frame(hd->type, hd->flags, hd->stream_id, hd->length)) return 0;
    if (hd->type == NGHTTP2_SETTINGS && (hd->flags & NGHTTP2_FLAG_ACK) == 0) {
      s.windows_.clear();  // the send windows before the SETTINGS: see check_windows
      for (const auto& st : s.streams_) {
        const std::int32_t w = nghttp2_session_get_stream_remote_window_size(s.session_, st->id());
        if (w >= 0) s.windows_.emplace_back(st->id(), w);
      }
    }
    return 0;
  }

  // RFC 9113 6.9.2: a change of SETTINGS_INITIAL_WINDOW_SIZE that takes an open stream's send
  // window past 2^31-1 is a connection error (nghttp2 only resets that stream).
  static void check_windows(Http2Session& s, const nghttp2_settings& settings) {
    for (std::size_t i = 0; i < settings.niv; ++i) {
      if (settings.iv[i].settings_id != NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE) continue;
      const std::int64_t delta = std::int64_t{settings.iv[i].value} - s.peer_window_;
      s.peer_window_ = settings.iv[i].value;
      for (auto& [id, window] : s.windows_) {
        if (window + delta > NGHTTP2_MAX_WINDOW_SIZE) {
          nghttp2_session_terminate_session(s.session_, NGHTTP2_FLOW_CONTROL_ERROR);
          return;
        }
        window += delta;
      }
    }
  }

  // A frame nghttp2 refused with a stream error: the client made the server reset a stream,
  // which counts as a reset ("MadeYouReset", CVE-2025-8671). A stream refused for the
  // concurrency limit does not: no handler ran, and a client may open many before it learns
  // the limit (RFC 9113 5.1.2).
  static int on_invalid_frame(nghttp2_session*, const nghttp2_frame*, int error, void* user) {
    if (error != NGHTTP2_ERR_REFUSED_STREAM) self(user).count_reset();
    return 0;
  }
};

Http2Session::Http2Session(Worker& worker, net::Transport& transport)
    : worker_(worker),
      transport_(transport),
      resets_(worker.options().http2.reset_burst, worker.options().http2.resets_per_second,
              worker.now()),
      control_(worker.options().http2.control_burst,
               worker.options().http2.control_frames_per_second, worker.now()) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_option* option = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc();
  nghttp2_session_callbacks_set_on_begin_headers_callback(
      callbacks, &Guard<&Http2Callbacks::on_begin_headers>::call);
  nghttp2_session_callbacks_set_on_header_callback(callbacks,
                                                   &Guard<&Http2Callbacks::on_header>::call);
  nghttp2_session_callbacks_set_on_frame_recv_callback(
      callbacks, &Guard<&Http2Callbacks::on_frame_recv>::call);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
      callbacks, &Guard<&Http2Callbacks::on_data_chunk>::call);
  nghttp2_session_callbacks_set_on_frame_send_callback(
      callbacks, &Guard<&Http2Callbacks::on_frame_send>::call);
  nghttp2_session_callbacks_set_send_data_callback(callbacks,
                                                   &Guard<&Http2Callbacks::send_data>::call);
  nghttp2_session_callbacks_set_on_stream_close_callback(
      callbacks, &Guard<&Http2Callbacks::on_stream_close>::call);
  nghttp2_session_callbacks_set_on_begin_frame_callback(
      callbacks, &Guard<&Http2Callbacks::on_begin_frame>::call);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
      callbacks, &Guard<&Http2Callbacks::on_invalid_frame>::call);
  int rv = nghttp2_option_new(&option);
  if (rv == 0) {
    // nghttp2's own limits stay behind swoop's (check_frame), as a backstop.
#if SWOOP_NGHTTP2_RESET_RATE_LIMIT
    nghttp2_option_set_stream_reset_rate_limit(option, 1000, 33);
#endif
    // Credit for request bodies follows the worker's buffered-body budget (take_body).
    nghttp2_option_set_no_auto_window_update(option, 1);
#if SWOOP_NGHTTP2_MAX_CONTINUATIONS
    nghttp2_option_set_max_continuations(option, 64);
#endif
    rv = nghttp2_session_server_new3(&session_, callbacks, this, option, http2_memory());
    nghttp2_option_del(option);
  }
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) throw std::bad_alloc();
}

Http2Session::~Http2Session() {
  nghttp2_session_del(session_);
  if (body_held_ != 0) worker_.return_budget(body_held_);
}

void Http2Session::start() {
  transport_.hand_over(*this);
  const Http2Options& o = worker_.options().http2;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, o.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, o.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(std::min<std::size_t>(
                                                  worker_.options().max_header_size, UINT32_MAX))},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(o.connection_window));
  idle_since_ = worker_.now();
  process();
}

bool Http2Session::is_idle() const noexcept {
  return streams_.empty() && goaway_ == Goaway::none && !ending_ && transport_.is_drained() &&
         !transport_.has_input() && !transport_.is_closing();
}

std::uint64_t Http2Session::idle_deadline() const noexcept {
  return idle_since_ + static_cast<std::uint64_t>(worker_.options().keep_alive_timeout->count());
}

void Http2Session::evict() {
  evicted_ = true;  // a new client waits for the room: no lingering after the GOAWAY
  send_last_goaway();
  process();
}

bool Http2Session::has_running() const noexcept {
  return std::any_of(streams_.begin(), streams_.end(),
                     [](const auto& s) { return s->is_running() || s->is_writing(); });
}

Http2Stream* Http2Session::find(std::int32_t id) const noexcept {
  return static_cast<Http2Stream*>(nghttp2_session_get_stream_user_data(session_, id));
}

void Http2Session::count_reset() {
  if (!resets_.take(worker_.now())) {
    nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  }
}

void Http2Session::wake() { transport_.defer_flush(); }

void Http2Session::on_ready(std::int32_t id) { ready_.push_back(id); }

// ---- transport events --------------------------------------------------------------------

bool Http2Session::wants_input() const noexcept {
  return !ending_ && transport_.buffered() < write_high_water;
}

void Http2Session::on_input() { process(); }

void Http2Session::on_input_full() { process(); }

void Http2Session::on_written() { process(); }

void Http2Session::on_peer_closed() {
  abort();
  process();
}

void Http2Session::process() {
  if (transport_.is_closing()) return;
  do {  // TLS: input the session holds is decrypted while it is wanted
    if (transport_.has_input() && wants_input()) {  // (not after abort(): ending_)
      const ssize_t n = nghttp2_session_mem_recv(
          session_, reinterpret_cast<const std::uint8_t*>(transport_.input()),
          transport_.input_size());
      if (n < 0) {
        fail_fatally(static_cast<int>(n));
        break;
      }
      transport_.consume(static_cast<std::size_t>(n));
    }
    dispatch_ready();
    for (const auto& st : streams_) grant(*st);  // budget that came back
  } while (!transport_.is_closing() && transport_.fill());
  if (transport_.is_closing()) return;
  if (!transport_.has_input()) transport_.release_input();
  if (transport_.take_tls_close()) abort();
  if (!ending_) send();
  for (std::size_t i = 0; i < streams_.size(); ++i) streams_[i]->resume_waiters();
  collect();
  if (!ending_ && nghttp2_session_want_read(session_) == 0 &&
      nghttp2_session_want_write(session_) == 0) {
    // GOAWAY went both ways, or the session failed: nothing more is read or sent, so a
    // handler still waiting (for the rest of its upload, say) is cancelled.
    abort();
  }
  if (ending_ && (transport_.is_drained() || close_wanted_) && !has_running()) {
    if (!evicted_ && !close_wanted_ && !transport_.peer_closed() && !transport_.is_lingering()) {
      // Half-close and drain what the client still sends: closing with input unread would
      // reset the connection, and the client could lose the GOAWAY (RFC 9113 6.8).
      transport_.linger();
      idle_since_ = worker_.now();  // the linger's deadline counts from here
      return;
    }
    transport_.fail();  // the owner closes the connection
    return;
  }
  transport_.update_reading();
}

bool Http2Session::check_frame(std::uint8_t type, std::uint8_t flags, std::int32_t id,
                               std::size_t length) {
  const std::uint64_t now = worker_.now();
  bool calm = true;
  switch (type) {
    case NGHTTP2_HEADERS:
      // A new stream's id must be above every earlier one (RFC 9113 5.1.1); nghttp2 ignores
      // one below that it never saw.
      if (id <= nghttp2_session_get_last_proc_stream_id(session_) &&
          nghttp2_session_find_stream(session_, id) == nullptr) {
        nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
        return false;
      }
      block_bytes_ = length;
      block_frames_ = 1;
      break;
    case NGHTTP2_CONTINUATION:  // a header block's size is bounded before it is decoded
      block_bytes_ += length;
      calm = ++block_frames_ <= 32 &&
             block_bytes_ <= worker_.options().max_header_size + max_frame_size;
      break;
    case NGHTTP2_DATA:
      if (length == 0 && (flags & NGHTTP2_FLAG_END_STREAM) == 0) calm = control_.take(now);
      break;
    case NGHTTP2_PING:
    case NGHTTP2_SETTINGS:
      if ((flags & NGHTTP2_FLAG_ACK) == 0) calm = control_.take(now);
      break;
    case NGHTTP2_PRIORITY:
      calm = control_.take(now);
      break;
    case NGHTTP2_RST_STREAM:
      calm = resets_.take(now);
      break;
    default:
      break;
  }
  if (!calm) nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  return calm;
}

void Http2Session::fail_fatally(int error) {
  // nghttp2 gave up on the session without a GOAWAY (a flood of frames it must answer, too many
  // CONTINUATION frames, a bad preface): send one by hand (RFC 9113 6.8), then close.
  log(LogLevel::debug, "{}: HTTP/2: {}", transport_.remote_addr(), nghttp2_strerror(error));
  const bool flood = error == NGHTTP2_ERR_FLOODED || error == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS;
  const std::uint32_t code = flood ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR;
  const auto last = static_cast<std::uint32_t>(nghttp2_session_get_last_proc_stream_id(session_));
  const unsigned char frame[17] = {0,
                                   0,
                                   8,
                                   NGHTTP2_GOAWAY,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,  // length 8, type, flags, stream 0
                                   static_cast<unsigned char>(last >> 24),
                                   static_cast<unsigned char>(last >> 16),
                                   static_cast<unsigned char>(last >> 8),
                                   static_cast<unsigned char>(last),
                                   static_cast<unsigned char>(code >> 24),
                                   static_cast<unsigned char>(code >> 16),
                                   static_cast<unsigned char>(code >> 8),
                                   static_cast<unsigned char>(code)};
  transport_.output().append(reinterpret_cast<const char*>(frame), sizeof frame);
  abort();
  transport_.flush();
}

void Http2Session::dispatch_ready() {
  // Dispatched now, not from nghttp2's callbacks: a handler that answers at once submits its
  // response from here, and a stream reset in the same read never starts one.
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    Http2Stream* st = find(ready_[i]);
    if (st != nullptr && st->is_ready()) st->start();
  }
  ready_.clear();
  if (!streams_.empty()) idle_since_ = worker_.now();
}

void Http2Session::send() {
  for (;;) {
    ssize_t n = 1;
    paused_ = false;
    while (transport_.buffered() < write_high_water) {
      const std::uint8_t* data = nullptr;
      n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      transport_.output().append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (n < 0) {
      log(LogLevel::debug, "{}: HTTP/2: {}", transport_.remote_addr(), nghttp2_strerror(int(n)));
      abort();
      return;
    }
    transport_.flush();
    // The socket may have taken it all at once (then no write completes to call us again);
    // 0 after send_data paused means there is more.
    if ((n == 0 && !paused_) || transport_.is_closing() ||
        transport_.buffered() >= write_high_water) {
      return;
    }
  }
}

void Http2Session::take_body(Http2Stream& st, std::size_t n, bool kept) {
  if (!kept) {  // refused or reset: the bytes are dropped, the client gets its credit back
    credit(st, n);
    return;
  }
  st.unpaid += n;
  grant(st);
}

void Http2Session::credit(Http2Stream& st, std::size_t n) {
  if (ending_ || n == 0) return;  // after abort() nghttp2 is not called again
  // Once nghttp2 closed the stream only the connection's window is left to open.
  if (nghttp2_session_consume(session_, st.id(), n) != 0) {
    nghttp2_session_consume_connection(session_, n);
  }
}

void Http2Session::grant(Http2Stream& st) {
  // While the budget is spent the windows close and the client stops sending: memory for
  // bodies stays near the budget (plus one connection window per connection).
  if (st.unpaid == 0 || !worker_.draw_budget(transport_, body_held_, st.unpaid)) return;
  body_held_ += st.unpaid;
  st.held += st.unpaid;
  credit(st, std::exchange(st.unpaid, 0));
}

void Http2Session::collect() {
  std::size_t freed = 0;
  std::erase_if(streams_, [&](const auto& s) {
    if (!s->is_done()) return false;
    freed += s->held;
    if (s->unpaid != 0 && !ending_) nghttp2_session_consume_connection(session_, s->unpaid);
    return true;
  });
  if (freed != 0) {
    body_held_ -= freed;
    worker_.return_budget(freed);
  }
  if (!streams_.empty()) idle_since_ = worker_.now();
}

// ---- timers and the end ------------------------------------------------------------------

void Http2Session::on_tick(std::uint64_t now) {
  if (transport_.is_closing()) return;
  const RunOptions& o = worker_.options();
  if (!ending_ && !streams_.empty()) {
    for (std::size_t i = 0; i < streams_.size(); ++i) streams_[i]->on_tick(now);
    wake();  // what the deadlines answered goes out
  }
  if (!ending_ && worker_.is_draining() && goaway_ == Goaway::none) {
    send_notice();  // the drain: as "Connection: close" on HTTP/1.1, new requests go elsewhere
    wake();
  }
  if (stopping_ && goaway_ == Goaway::notice && now >= notice_at_ + notice_wait_ms) {
    send_last_goaway();  // the PING never came back
    wake();
  }
  if (!ending_ && streams_.empty() && now >= idle_deadline()) {
    send_last_goaway();  // idle: GOAWAY, then the connection closes
    process();
  }
  // The client did not take what was sent (or a handler hangs), or lingers too long.
  const std::chrono::milliseconds wait =
      transport_.is_lingering() ? o.linger_timeout : o.response_timeout;
  if (ending_ && now >= idle_since_ + static_cast<std::uint64_t>(wait.count())) {
    transport_.fail();
  }
}

void Http2Session::shut_down() {
  if (ending_ || stopping_ || transport_.is_closing()) return;
  stopping_ = true;
  if (goaway_ == Goaway::none) {
    send_notice();
  } else if (goaway_ == Goaway::notice && notice_acked_) {
    send_last_goaway();  // the drain's notice made its round trip already
  }
  process();
}

void Http2Session::send_notice() {
  if (goaway_ != Goaway::none) return;
  goaway_ = Goaway::notice;
  notice_at_ = worker_.now();
  nghttp2_submit_shutdown_notice(session_);
  nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, notice_ping);
}

void Http2Session::send_last_goaway() {
  if (goaway_ == Goaway::last || ending_) return;
  goaway_ = Goaway::last;
  // Streams the client opened before it sees the GOAWAY are still answered (RFC 9113 6.8).
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

void Http2Session::abort() noexcept {
  // nghttp2 is not called again: the streams end here, their handlers are cancelled.
  if (!ending_) idle_since_ = worker_.now();
  ending_ = true;
  for (const auto& st : streams_) st->on_closed();
}

}  // namespace swoop::detail
