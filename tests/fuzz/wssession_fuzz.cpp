// SPDX-License-Identifier: MIT
// Fuzzes the websocket session state machine (src/websocket/session.cpp: fragmentation,
// control frames inside messages, the close handshake, queue limits, permessage-deflate) over
// a fake WsTransport that records what the session writes, against a plain reference reading
// of the same client bytes.
// Input: byte 0 picks the options: bits 0-1 max_message_size (0, 16, 300, 70000), bit 2
// permessage-deflate, bit 3 no context takeover, bits 4-5 send_high_water (0, 16, 256, 64 KiB),
// bit 6 short ping, idle and close timeouts, bit 7 flushes at once instead of at the end of
// the step; byte 1 the server's deflate window (9-15). Then steps, one byte each plus their
// arguments: queue a client frame (masked or not, any opcode and reserved bits), a whole message
// (text or binary, compressed, fragmented, with pings between the fragments), a close frame or
// raw bytes; deliver some of the queued bytes; pop() one or all; send(); start_close(); a
// tick; the peer reads what was written; a handler waits for recv, send or close; the peer goes
// away or the server shuts down. The session's waiters are coroutines resumed by a swoop::Loop.
// Invariants: the written bytes are whole, unmasked, final server frames with known opcodes and
// no reserved bits (but RSV1 on compressed data); at most one close frame and nothing after it;
// its code may be sent (RFC 6455 7.4), its reason is UTF-8; the peer's close is echoed; a
// protocol violation closes with 1002, invalid UTF-8 with 1007, a message too big with 1009,
// exactly when the reference finds that; sent messages appear in order (compressed ones inflate
// back); every ping gets its pong while open; popped messages are the reference's, in order,
// no larger than max_message_size, text ones UTF-8, none completed after our close; the queue
// stays within its limits; waiters are resumed once, when their condition holds; nothing is
// written after the transport went away.
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "swoop/detail/cancel.hpp"
#include "swoop/loop.hpp"
#include "swoop/websocket.hpp"
#include "websocket/deflate.hpp"
#include "websocket/frame.hpp"
#include "websocket/session.hpp"

namespace {

namespace d = swoop::detail;
using d::Opcode;
using swoop_fuzz::check;
using swoop_fuzz::Input;

// As in session.cpp: received messages beyond this many stop reading until recv().
constexpr std::size_t max_queued_messages = 64;

// ---- a handler's awaits --------------------------------------------------------------------

// A coroutine frame standing for a handler suspended in recv(), send() or close(): it counts
// how often it is resumed.
struct Probe {
  struct promise_type {
    Probe get_return_object() {
      return Probe{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::abort(); }
  };
  std::coroutine_handle<promise_type> handle;
};

Probe wait_forever(int* resumed) {
  for (;;) {
    co_await std::suspend_always{};
    ++*resumed;
  }
}

struct Waiter {
  Waiter() : probe(wait_forever(resumed.get())) {}
  ~Waiter() { probe.handle.destroy(); }
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  std::unique_ptr<int> resumed = std::make_unique<int>(0);
  Probe probe;
};

// ---- the fake transport --------------------------------------------------------------------

// Stands for the server's WsConnection: holds received bytes the session did not take, keeps
// what it writes (out: not handed to the socket yet; writing: in flight), and feeds held input
// again when the session asks, as WsConnection::ws_resume and a deferred flush do.
class FakeTransport final : public d::WsTransport {
 public:
  d::WsSession* session = nullptr;
  std::uint64_t now = 1000;
  bool flush_at_once = false;
  bool hold_resume = false;  // inside "pop all": feed held input afterwards
  bool flush_deferred = false;
  bool closed = false;  // ws_close_transport(): no more reading
  bool gone = false;    // aborted or the peer went away: nothing may be written any more
  int detached = 0;
  std::string held;      // received, not taken by the session
  std::string consumed;  // what the session took before it was done (for the reference)
  std::string out, writing, wire;
  std::size_t wire_when_gone = 0;

  std::uint64_t ws_now() const noexcept override { return now; }
  std::string& ws_out() noexcept override { return out; }
  void ws_flush(bool at_once) override {
    if (at_once || flush_at_once) {
      flush();
    } else {
      flush_deferred = true;
    }
  }
  std::size_t ws_buffered() const noexcept override { return out.size() + writing.size(); }
  void ws_close_transport() override { closed = true; }
  void ws_abort() override {
    go_away();
    session->on_transport_closed();  // Connection::start_close tells the session at once
  }
  void ws_resume() override {
    if (!hold_resume && !flush_deferred) feed();
  }
  void ws_detach() noexcept override { ++detached; }

  // Hands out to the socket when no write is in flight.
  void flush() {
    if (!writing.empty() || out.empty()) return;
    wire += out;
    writing = std::move(out);
    out.clear();
  }
  // The socket delivered bytes.
  void receive(std::string_view bytes) {
    held += bytes;
    feed();
  }
  // Offers the held input to the session once (Connection::ws_process).
  void feed() {
    if (session == nullptr || held.empty()) return;
    const bool was_done = session->is_done();
    const std::string copy = held;  // feed() unmasks in place
    const std::size_t used = session->feed(held.data(), held.size());
    check(used <= copy.size(), "feed used more than it was given");
    if (!was_done) consumed.append(copy, 0, session->is_done() ? copy.size() : used);
    held.erase(0, used);
  }
  // The end of a loop turn: a deferred flush runs (and feeds held input), the session hears
  // that the socket is writable.
  void end_step() {
    if (flush_deferred) {
      flush_deferred = false;
      flush();
      feed();
    }
    if (!gone && detached == 0) session->on_writable();
  }
  // The peer read everything in flight.
  void drain() {
    writing.clear();
    flush();
    if (!gone) session->on_writable();
  }
  void go_away() {
    if (gone) return;
    gone = true;
    wire_when_gone = wire.size() + out.size();
  }
};

// ---- the client's bytes --------------------------------------------------------------------

std::string take(Input& in, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n && !in.empty(); ++i) s.push_back(static_cast<char>(in.byte()));
  return s;
}

// n code points of UTF-8 of one to four bytes each.
std::string utf8_text(Input& in, std::size_t n) {
  static constexpr std::string_view pieces[] = {
      "a", "Z", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xc2\x80"};
  std::string s;
  for (std::size_t i = 0; i < n && !in.empty(); ++i) s += pieces[in.byte() % 8];
  return s;
}

// A masked (or not) client frame with any first byte.
void append_client_frame(std::string& out, std::uint8_t first, std::string_view payload,
                         const std::uint8_t mask[4], bool masked) {
  out.push_back(static_cast<char>(first));
  const std::uint8_t m = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(m | payload.size()));
  } else {
    out.push_back(static_cast<char>(m | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  }
  if (masked) out.append(reinterpret_cast<const char*>(mask), 4);
  const std::size_t at = out.size();
  out.append(payload);
  if (masked) d::apply_mask(out.data() + at, payload.size(), mask, 0);
}

constexpr std::uint8_t opcodes[] = {0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x3, 0xB};

// One frame: flags byte (bit 0 FIN, bits 1-3 RSV, bits 4-6 an opcode, bit 7 unmasked),
// length, mask, payload.
void frame_step(Input& in, std::string& stream) {
  const std::uint8_t f = in.byte();
  const auto first =
      static_cast<std::uint8_t>(((f & 1) << 7) | (((f >> 1) & 7) << 4) | opcodes[(f >> 4) & 7]);
  const std::size_t len = in.byte();
  std::uint8_t mask[4];
  for (auto& b : mask) b = in.byte();
  append_client_frame(stream, first, take(in, len), mask, (f & 0x80) == 0);
}

// A whole message: kind byte (bit 0 text, bit 1 compressed, bits 2-3 fragments - 1, bit 4 a
// ping between fragments), a mask byte, a length, the payload.
void message_step(Input& in, std::string& stream, d::PerMessageDeflate* compressor) {
  const std::uint8_t k = in.byte();
  const std::uint8_t m = in.byte();
  const std::uint8_t mask[4] = {m, static_cast<std::uint8_t>(m ^ 0x5A),
                                static_cast<std::uint8_t>(m + 1), 0xC3};
  const std::size_t len = in.byte();
  const bool text = (k & 1) != 0;
  std::string payload = text ? utf8_text(in, len) : take(in, len);
  const bool compressed = (k & 2) != 0 && compressor != nullptr;
  if (compressed) {
    std::string packed;
    check(compressor->compress(payload, packed), "the client's compress failed");
    payload = std::move(packed);
  }
  const std::size_t fragments = 1 + ((k >> 2) & 3);
  const std::size_t piece = payload.size() / fragments + 1;
  for (std::size_t i = 0; i < fragments; ++i) {
    const std::string_view part =
        std::string_view{payload}.substr(std::min(payload.size(), i * piece), piece);
    const bool last = i + 1 == fragments;
    std::uint8_t first = i == 0 ? (text ? 0x1 : 0x2) : 0x0;
    if (i == 0 && compressed) first |= 0x40;
    if (last) first |= 0x80;
    append_client_frame(stream, first, part, mask, true);
    if (!last && (k & 0x10) != 0) append_client_frame(stream, 0x89, "p", mask, true);
  }
}

// A close frame: flags (bit 0 no payload, bit 1 a one-byte payload, bit 2 a raw reason), a
// code, a reason.
void close_step(Input& in, std::string& stream) {
  const std::uint8_t c = in.byte();
  const std::uint8_t mask[4] = {1, 2, 3, 4};
  std::string payload;
  if ((c & 1) == 0) {
    payload.push_back(static_cast<char>(in.byte()));
    if ((c & 2) == 0) {
      payload.push_back(static_cast<char>(in.byte()));
      const std::size_t n = in.byte() % 64;
      payload += (c & 4) != 0 ? take(in, n) : utf8_text(in, n);
    }
  }
  append_client_frame(stream, 0x88, payload, mask, true);
}

// ---- the reference --------------------------------------------------------------------------

struct RefMessage {
  std::string data;
  bool text = false;
  std::size_t end = 0;  // offset in the consumed bytes after its last frame
};

// Whether s could start valid UTF-8 (nothing invalid before an unfinished code point).
bool is_utf8_prefix(std::string_view s) {
  d::Utf8Validator v;
  return v.feed(s.data(), s.size());
}

std::uint16_t code_of(std::string_view payload) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                    static_cast<unsigned char>(payload[1]));
}

// What a plain reading of the client's bytes finds (RFC 6455 5, 7; RFC 7692 6): the messages,
// the pings, and how the bytes end: a violation, with the close codes it allows, or the peer's
// close. Frame by frame, whole frames at a time, where the session takes what has arrived.
class Reference {
 public:
  std::vector<RefMessage> messages;
  std::vector<std::pair<std::string, std::size_t>> pings;  // payload, end offset
  bool terminal = false;                                   // a violation or the peer's close frame
  bool peer_close = false;                                 // it was the peer's valid close frame
  std::string echo;                  // then: the payload of the answer (the code alone)
  std::vector<std::uint16_t> codes;  // else: the close codes allowed for the violation

  Reference(std::string_view in, const swoop::WebSocketOptions& o,
            const std::optional<d::DeflateParams>& deflate)
      : max_(o.max_message_size) {
    if (deflate) inflater_ = std::make_unique<d::PerMessageDeflate>(*deflate);
    std::size_t pos = 0;
    while (pos < in.size()) {
      d::FrameHeader h;
      const int size = d::parse_frame_header(in.data() + pos, in.size() - pos, h);
      if (size == 0) return;
      if (size < 0) {
        stop({swoop::close_protocol_error});
        return;
      }
      if (!is_allowed(h)) return;
      const std::size_t start = pos + static_cast<std::size_t>(size);
      std::string payload{in.substr(start, std::min<std::uint64_t>(h.length, in.size() - start))};
      d::apply_mask(payload.data(), payload.size(), h.mask, 0);
      const bool whole = payload.size() == h.length;
      pos = start + payload.size();
      if (!(h.is_control() ? control(h, std::move(payload), pos) : data(h, payload, whole, pos))) {
        return;
      }
      if (!whole) return;
    }
  }

 private:
  void stop(std::initializer_list<std::uint16_t> allowed) {
    terminal = true;
    codes = allowed;
  }

  // The checks on a header alone (RFC 6455 5.1, 5.2, 5.4, 5.5; RFC 7692 6); false after a
  // violation.
  bool is_allowed(const d::FrameHeader& h) {
    const auto op = static_cast<Opcode>(h.opcode);
    const bool rsv1_data = h.rsv == 4 && inflater_ && !h.is_control() && op != Opcode::continuation;
    const bool known =
        h.is_control() ? op == Opcode::close || op == Opcode::ping || op == Opcode::pong
                       : op == Opcode::continuation || op == Opcode::text || op == Opcode::binary;
    if (!h.masked || (h.rsv != 0 && !rsv1_data) || !known ||
        (h.is_control() && (!h.fin || h.length > 125)) ||
        (!h.is_control() && (op == Opcode::continuation) != in_message_)) {
      stop({swoop::close_protocol_error});
      return false;
    }
    if (h.is_control()) return true;
    if (!in_message_) {
      in_message_ = true;
      text_ = op == Opcode::text;
      compressed_ = rsv1_data;
      wire_ = 0;
      message_.clear();
    }
    // Compressed data may be a little larger than what it inflates to.
    const std::uint64_t limit = max_ + (compressed_ ? max_ / 8 + 1024 : 0);
    if (h.length > limit - wire_) {
      stop({swoop::close_message_too_big});
      return false;
    }
    wire_ += h.length;
    return true;
  }

  // A control frame; false when the bytes end here (cut, or the close).
  bool control(const d::FrameHeader& h, std::string payload, std::size_t end) {
    if (payload.size() < h.length) return false;
    const auto op = static_cast<Opcode>(h.opcode);
    if (op == Opcode::ping) pings.emplace_back(std::move(payload), end);
    if (op != Opcode::close) return true;
    if (payload.size() == 1 || (payload.size() >= 2 && !d::is_valid_close_code(code_of(payload)))) {
      stop({swoop::close_protocol_error});
    } else if (payload.size() >= 2 && !d::is_valid_utf8(std::string_view{payload}.substr(2))) {
      stop({swoop::close_invalid_payload});
    } else {
      terminal = peer_close = true;
      echo = payload.substr(0, 2);
    }
    return false;
  }

  // A data frame (or what arrived of it); false after a violation.
  bool data(const d::FrameHeader& h, std::string_view payload, bool whole, std::size_t end) {
    if (compressed_) {
      if (!inflated(inflater_->decompress(payload.data(), payload.size(), message_, max_))) {
        return false;
      }
    } else {
      message_ += payload;
    }
    if (text_ && !is_utf8_prefix(message_)) {
      stop({swoop::close_invalid_payload});
      return false;
    }
    if (!whole || !h.fin) return true;
    if (compressed_ && !inflated(inflater_->finish_message(message_, max_))) return false;
    if (text_ && !d::is_valid_utf8(message_)) {
      stop({swoop::close_invalid_payload});
      return false;
    }
    messages.push_back({std::move(message_), text_, end});
    message_ = std::string{};
    in_message_ = false;
    return true;
  }

  bool inflated(d::InflateResult r) {
    if (r == d::InflateResult::error) stop({swoop::close_invalid_payload});
    // The session inflates what has arrived, piece by piece, checking UTF-8 as it goes: text
    // already invalid may be found before the limit.
    if (r == d::InflateResult::too_big && text_ && !is_utf8_prefix(message_)) {
      stop({swoop::close_message_too_big, swoop::close_invalid_payload});
    } else if (r == d::InflateResult::too_big) {
      stop({swoop::close_message_too_big});
    }
    return r == d::InflateResult::ok;
  }

  std::size_t max_;
  std::unique_ptr<d::PerMessageDeflate> inflater_;
  bool in_message_ = false, text_ = false, compressed_ = false;
  std::uint64_t wire_ = 0;
  std::string message_;
};

// ---- the server's bytes ---------------------------------------------------------------------

struct ServerFrames {
  std::vector<std::pair<Opcode, std::string>> data;  // text and binary, inflated
  std::vector<std::string> pings, pongs;
  std::optional<std::string> close;  // the close frame's payload
};

ServerFrames parse_server_frames(std::string_view wire,
                                 const std::optional<d::DeflateParams>& deflate) {
  ServerFrames out;
  std::unique_ptr<d::PerMessageDeflate> inflater;
  if (deflate) {
    d::DeflateParams mirror;  // the client's side: it inflates what the server compresses
    mirror.client_no_context_takeover = deflate->server_no_context_takeover;
    inflater = std::make_unique<d::PerMessageDeflate>(mirror);
  }
  std::size_t pos = 0;
  while (pos < wire.size()) {
    check(!out.close, "a frame after the close frame");
    d::FrameHeader h;
    const int size = d::parse_frame_header(wire.data() + pos, wire.size() - pos, h);
    check(size > 0, "a bad or cut server frame header");
    pos += static_cast<std::size_t>(size);
    check(h.length <= wire.size() - pos, "a cut server frame");
    std::string payload{wire.substr(pos, h.length)};
    pos += h.length;
    check(!h.masked, "a masked server frame");
    check(h.fin, "a fragmented server frame");
    const auto op = static_cast<Opcode>(h.opcode);
    if (op == Opcode::text || op == Opcode::binary) {
      check(h.rsv == 0 || (h.rsv == 4 && inflater), "reserved bits on a server data frame");
      if (h.rsv == 4) {
        std::string plain;
        const std::size_t big = std::size_t{1} << 24;
        check(inflater->decompress(payload.data(), payload.size(), plain, big) ==
                      d::InflateResult::ok &&
                  inflater->finish_message(plain, big) == d::InflateResult::ok,
              "a compressed server message does not inflate");
        payload = std::move(plain);
      }
      out.data.emplace_back(op, std::move(payload));
      continue;
    }
    check(h.rsv == 0, "reserved bits on a server control frame");
    check(h.length <= 125, "a server control frame over 125 bytes");
    if (op == Opcode::ping) {
      out.pings.push_back(std::move(payload));
    } else if (op == Opcode::pong) {
      out.pongs.push_back(std::move(payload));
    } else {
      check(op == Opcode::close, "an unknown server opcode");
      check(payload.size() != 1, "a one-byte close payload");
      if (payload.size() >= 2) {
        const std::uint16_t code = code_of(payload);
        check(code >= 1000 && code <= 4999 && code != swoop::close_no_status &&
                  code != swoop::close_abnormal && code != 1015 && d::is_valid_close_code(code),
              "a close code that may not be sent");
        check(d::is_valid_utf8(std::string_view{payload}.substr(2)), "a close reason not UTF-8");
      }
      out.close = std::move(payload);
    }
  }
  return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p += reason;
  return p;
}

// ---- one run ----------------------------------------------------------------------------------

struct Run {
  swoop::WebSocketOptions options;
  std::optional<d::DeflateParams> deflate;
  d::CancelState cancel;
  FakeTransport t;
  std::unique_ptr<d::WsSession> session;
  std::unique_ptr<d::PerMessageDeflate> client_deflate;
  std::string stream;                                // client bytes not delivered yet
  std::vector<std::pair<Opcode, std::string>> sent;  // what send() must have written
  std::vector<std::string> sent_pings;
  std::vector<std::pair<std::string, bool>> popped;
  std::optional<std::string> own_close;     // the close frame start_close() must have written
  std::optional<std::size_t> own_close_at;  // consumed bytes when it did
  std::optional<std::string> reason_given;  // the reason given to start_close()
  std::unique_ptr<Waiter> recv_waiter, close_waiter;
  std::vector<std::unique_ptr<Waiter>> send_waiters;

  // Returns the size of the message popped, if there was one.
  std::optional<std::size_t> pop_one() {
    const bool had = session->has_message();
    std::optional<swoop::WebSocketMessage> m = session->pop();
    check(m.has_value() == had, "pop() disagrees with has_message()");
    if (!m) return std::nullopt;
    check(m->text().size() <= options.max_message_size, "a message over max_message_size");
    if (m->is_text()) check(d::is_valid_utf8(m->text()), "a text message that is not UTF-8");
    popped.emplace_back(std::string{m->text()}, m->is_text());
    return m->text().size();
  }

  // Takes the whole queue before the held input is fed again, to measure it.
  void pop_all() {
    t.hold_resume = true;
    std::size_t count = 0, bytes = 0;
    while (const auto n = pop_one()) {
      bytes += *n;
      ++count;
    }
    t.hold_resume = false;
    // The session stops reading before a frame header once 64 messages or the byte limit
    // are queued, so the last message may pass the byte limit.
    const std::size_t byte_limit = std::max<std::size_t>(options.max_message_size, 64 * 1024);
    check(count <= max_queued_messages, "more than 64 messages queued");
    check(bytes < byte_limit + options.max_message_size || bytes == 0,
          "more bytes queued than the limit allows");
    if (count > 0) t.ws_resume();
  }

  void send(Input& in) {
    const std::uint8_t k = in.byte();
    const std::size_t len = in.byte();
    const Opcode op = k % 3 == 0 ? Opcode::text : k % 3 == 1 ? Opcode::binary : Opcode::ping;
    std::string payload = op == Opcode::text ? utf8_text(in, len) : take(in, len);
    if (op == Opcode::ping) payload.resize(std::min<std::size_t>(payload.size(), 125));
    const bool appears =
        session->is_open() && !t.gone && t.ws_buffered() <= 16 * options.send_high_water;
    session->send(op, payload);
    if (!appears) return;
    if (op == Opcode::ping) {
      sent_pings.push_back(std::move(payload));
    } else {
      sent.emplace_back(op, std::move(payload));
    }
  }

  void start_close(std::uint16_t code, std::string reason, bool shut_down) {
    const bool open = session->is_open();
    // Before the call: it feeds held input (ws_resume) once its close frame is out.
    const std::size_t at = t.consumed.size();
    if (shut_down) {
      session->shut_down();
    } else {
      session->start_close(code, reason);
    }
    if (!open) return;
    if (!d::is_valid_close_code(code)) code = swoop::close_normal;
    own_close = close_payload(code, {});
    own_close_at = at;
    reason_given = std::move(reason);
  }

  void add_waiters() {
    if (!recv_waiter && !session->recv_ready()) {
      recv_waiter = std::make_unique<Waiter>();
      session->set_recv_waiter(recv_waiter->probe.handle);
    }
    if (!session->send_ready()) {
      send_waiters.push_back(std::make_unique<Waiter>());
      session->add_send_waiter(send_waiters.back()->probe.handle);
    }
    if (!close_waiter && !session->is_done()) {
      close_waiter = std::make_unique<Waiter>();
      session->add_close_waiter(close_waiter->probe.handle);
    }
  }

  // After a loop turn: each waiter resumed at most once, and resumed when it had to be.
  void check_waiters() {
    auto settled = [](std::unique_ptr<Waiter>& w) {
      if (!w) return;
      check(*w->resumed <= 1, "a waiter resumed twice");
      if (*w->resumed == 1) w.reset();
    };
    settled(recv_waiter);
    settled(close_waiter);
    for (auto& w : send_waiters) settled(w);
    std::erase(send_waiters, nullptr);
    if (recv_waiter) check(!session->recv_ready(), "a recv waiter not resumed");
    if (close_waiter) check(!session->is_done(), "a close waiter not resumed");
    if (session->is_done()) check(send_waiters.empty(), "a send waiter not resumed at the end");
  }

  void step(Input& in, std::uint8_t op) {
    switch (op % 13) {
      case 0:
        frame_step(in, stream);
        break;
      case 1:
        message_step(in, stream, client_deflate.get());
        break;
      case 2:
        close_step(in, stream);
        break;
      case 3:
        stream += take(in, in.byte());
        break;
      case 4: {
        const std::size_t n = in.byte();
        const std::size_t k = n == 0 ? stream.size() : std::min(n, stream.size());
        if (!t.gone && !t.closed) t.receive(std::string_view{stream}.substr(0, k));
        stream.erase(0, k);
        break;
      }
      case 5:
        pop_one();
        break;
      case 6:
        pop_all();
        break;
      case 7:
        send(in);
        break;
      case 8: {
        const std::uint8_t high = in.byte();
        const auto code = static_cast<std::uint16_t>((high << 8) | in.byte());
        const std::size_t n = in.byte();
        start_close(code, utf8_text(in, n), false);
        break;
      }
      case 9:
        t.now += in.byte();
        if (!t.gone) session->on_tick(t.now);
        break;
      case 10:
        t.drain();
        break;
      case 11:
        add_waiters();
        break;
      case 12:
        if ((in.byte() & 1) != 0) {
          start_close(swoop::close_going_away, "server shutting down", true);
        } else if (!t.gone) {
          t.go_away();
          session->on_transport_closed();
        }
        break;
    }
  }
};

swoop::Loop& loop() {
  static swoop::Loop loop;
  return loop;
}

void run_loop() { uv_run(loop().native(), UV_RUN_NOWAIT); }

// What the session wrote, against what it was asked to write and what the reference read.
void check_output(Run& r, const Reference& ref) {
  check(r.t.wire.size() == r.t.wire_when_gone || !r.t.gone, "written after the transport went");
  const ServerFrames frames = parse_server_frames(r.t.wire, r.deflate);
  check(frames.data == r.sent, "sent messages are not on the wire as sent");
  std::size_t next = 0;
  for (const std::string& ping : frames.pings) {
    if (next < r.sent_pings.size() && ping == r.sent_pings[next]) {
      ++next;
    } else {
      check(ping.empty(), "a ping that was not sent");  // the keep-alive ping of on_tick()
    }
  }
  check(next == r.sent_pings.size(), "a sent ping is missing");

  std::vector<std::string> pongs;
  for (const auto& [payload, end] : ref.pings) {
    if (!r.own_close_at || end <= *r.own_close_at) pongs.push_back(payload);
  }
  check(frames.pongs == pongs, "pongs do not answer the pings");

  check(r.popped.size() <= ref.messages.size(), "more messages than the client sent");
  for (std::size_t i = 0; i < r.popped.size(); ++i) {
    check(r.popped[i].first == ref.messages[i].data && r.popped[i].second == ref.messages[i].text,
          "a popped message differs from the one sent");
    if (r.own_close_at) check(ref.messages[i].end <= *r.own_close_at, "a message after our close");
  }

  if (r.own_close) {
    check(frames.close.has_value(), "start_close() wrote no close frame");
    check(frames.close->substr(0, 2) == *r.own_close, "start_close() wrote another code");
    const std::string_view reason = std::string_view{*frames.close}.substr(2);
    const std::string_view given = *r.reason_given;
    check(given.starts_with(reason) && reason.size() <= 123,
          "the close reason is not the one given");
    check(reason.size() + 3 >= std::min<std::size_t>(given.size(), 123),
          "the reason was cut short");
    return;
  }
  if (!ref.terminal) {
    check(!frames.close, "a close frame without a reason in the input");
    return;
  }
  check(r.session->is_done(), "the session goes on after a close or a violation");
  check(frames.close.has_value(), "no close frame after the input's close or violation");
  if (ref.peer_close) {
    check(*frames.close == ref.echo, "the peer's close is not echoed");
    return;
  }
  check(frames.close->size() >= 2, "a violation closed without a code");
  const std::uint16_t code = code_of(*frames.close);
  check(std::find(ref.codes.begin(), ref.codes.end(), code) != ref.codes.end(),
        "a violation closed with the wrong code");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Input in{data, size};
  const std::uint8_t flags = in.byte();
  const std::uint8_t window = in.byte();
  Run r;
  constexpr std::size_t max_sizes[] = {0, 16, 300, 70000};
  constexpr std::size_t high_waters[] = {0, 16, 256, 64 * 1024};
  r.options.max_message_size = max_sizes[flags & 3];
  r.options.send_high_water = high_waters[(flags >> 4) & 3];
  r.options.compression_threshold = 8;
  if ((flags & 0x40) != 0) {
    r.options.ping_interval = std::chrono::milliseconds{20};
    r.options.idle_timeout = std::chrono::milliseconds{60};
    r.options.close_timeout = std::chrono::milliseconds{40};
  }
  if ((flags & 4) != 0) {
    d::DeflateParams p;
    p.server_no_context_takeover = p.client_no_context_takeover = (flags & 8) != 0;
    p.server_max_window_bits = 9 + window % 7;
    r.deflate = p;
    d::DeflateParams client;  // the client compresses as the session inflates
    client.server_no_context_takeover = p.client_no_context_takeover;
    r.client_deflate = std::make_unique<d::PerMessageDeflate>(client);
  }
  r.t.flush_at_once = (flags & 0x80) != 0;
  loop();
  r.session = std::make_unique<d::WsSession>(r.t, r.options, r.cancel, "", r.deflate);
  r.t.session = r.session.get();

  while (!in.empty()) {
    r.step(in, in.byte());
    r.t.end_step();
    run_loop();
    r.check_waiters();
  }
  if (!r.session->is_done()) {
    r.t.go_away();
    r.session->on_transport_closed();
  }
  r.t.end_step();
  run_loop();
  r.check_waiters();
  check(!r.recv_waiter && !r.close_waiter && r.send_waiters.empty(), "waiters left at the end");
  check(r.cancel.is_cancelled(), "the handler was not cancelled at the end");
  check(r.session->close_code().has_value(), "no close code at the end");

  r.t.wire += r.t.out;  // written while closing
  const Reference ref{r.t.consumed, r.options, r.deflate};
  check_output(r, ref);
  r.t.session = nullptr;
  r.session.reset();
  check(r.t.detached == 1, "the session did not detach once");
  return 0;
}
