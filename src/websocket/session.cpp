// SPDX-License-Identifier: MIT
// WsSession: frames in, messages out, pings, the close handshake (RFC 6455 sections 5 to 7).
#include "websocket/session.hpp"

#include <algorithm>
#include <stdexcept>

#include "swoop/loop.hpp"

namespace swoop::detail {

namespace {
// Received messages beyond this many bytes (or this many messages) stop reading until recv().
constexpr std::size_t max_queued_messages = 64;
// Unsent bytes beyond this many high-water marks drop the connection (see send()).
constexpr std::size_t max_unsent_factor = 16;
}  // namespace

WsSession::WsSession(WsTransport& conn, const WebSocketOptions& options, CancelState& cancel,
                     std::string subprotocol, std::optional<DeflateParams> deflate)
    : conn_(&conn),
      options_(options),
      cancel_(cancel),
      subprotocol_(std::move(subprotocol)),
      topic_queue_(*this, options.topic_queue_limit, options.topic_overflow) {
  last_input_ = conn.ws_now();
  if (deflate) deflate_ = std::make_unique<PerMessageDeflate>(*deflate);
}

WsSession::~WsSession() {
  topic_queue_.leave();
  detach();
}

void WsSession::detach() noexcept {
  if (conn_ == nullptr) return;
  WsTransport* c = std::exchange(conn_, nullptr);
  c->ws_detach();
}

// ---- input --------------------------------------------------------------------------------

std::size_t WsSession::feed(char* p, std::size_t n) {
  std::size_t used = 0;
  if (n > 0) {
    last_input_ = conn_->ws_now();
    ping_sent_ = 0;  // any input shows the peer is alive
  }
  while (used < n && !done_) {
    if (!in_frame_) {
      if (!wants_input()) break;  // backpressure: recv() resumes reading
      const int size = parse_frame_header(p + used, n - used, frame_);
      if (size == 0) break;
      if (size < 0) {
        fail(close_protocol_error, "bad frame length");
        break;
      }
      used += static_cast<std::size_t>(size);
      if (!check_header()) break;
      in_frame_ = true;
      frame_off_ = 0;
    }
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(n - used, frame_.length - frame_off_));
    if (!take_payload(p + used, take)) break;
    frame_off_ += take;
    used += take;
    if (frame_off_ == frame_.length) {
      in_frame_ = false;
      if (!end_frame()) break;
    }
  }
  return done_ ? n : used;  // once the handshake is over, later input is discarded
}

bool WsSession::take_payload(char* p, std::size_t n) {
  apply_mask(p, n, frame_.mask, frame_off_);  // in place: the input buffer is ours to change
  if (frame_.is_control()) {
    control_.append(p, n);
    return true;
  }
  const std::size_t at = message_.size();
  if (message_compressed_) {
    const InflateResult r = deflate_->decompress(p, n, message_, options_.max_message_size);
    if (r != InflateResult::ok) {
      fail(r == InflateResult::too_big ? close_message_too_big : close_invalid_payload,
           r == InflateResult::too_big ? "message too big" : "bad compressed data");
      return false;
    }
  } else {
    message_.append(p, n);
  }
  if (message_text_ && !utf8_.feed(message_.data() + at, message_.size() - at)) {
    fail(close_invalid_payload, "invalid UTF-8");
    return false;
  }
  return true;
}

bool WsSession::check_header() {
  // RFC 6455 5.1: a client masks every frame; 5.2: reserved bits need a negotiated extension.
  if (!frame_.masked) {
    fail(close_protocol_error, "unmasked frame");
    return false;
  }
  const auto op = static_cast<Opcode>(frame_.opcode);
  // RFC 7692 6: RSV1 marks the first frame of a compressed message, when negotiated.
  const bool compressed =
      frame_.rsv == 4 && deflate_ != nullptr && !frame_.is_control() && op != Opcode::continuation;
  if (frame_.rsv != 0 && !compressed) {
    fail(close_protocol_error, "reserved bits set");
    return false;
  }
  if (frame_.is_control()) {
    if (op != Opcode::close && op != Opcode::ping && op != Opcode::pong) {
      fail(close_protocol_error, "unknown opcode");
      return false;
    }
    // 5.5: control frames carry at most 125 bytes and are never fragmented.
    if (!frame_.fin || frame_.length > 125) {
      fail(close_protocol_error, "bad control frame");
      return false;
    }
    control_.clear();
    return true;
  }
  if (op != Opcode::continuation && op != Opcode::text && op != Opcode::binary) {
    fail(close_protocol_error, "unknown opcode");
    return false;
  }
  // 5.4: a continuation continues a started message; a new message cannot start inside one.
  if ((op == Opcode::continuation) != in_message_) {
    fail(close_protocol_error, in_message_ ? "expected a continuation" : "unexpected continuation");
    return false;
  }
  if (!in_message_) {
    in_message_ = true;
    message_text_ = op == Opcode::text;
    message_compressed_ = compressed;
    message_wire_ = 0;
    utf8_.reset();
  }
  // Compressed data may grow a little when it does not compress; the inflated size is
  // checked while inflating.
  const std::uint64_t limit =
      options_.max_message_size + (message_compressed_ ? options_.max_message_size / 8 + 1024 : 0);
  if (frame_.length > limit - message_wire_) {
    fail(close_message_too_big, "message too big");
    return false;
  }
  message_wire_ += frame_.length;
  return true;
}

bool WsSession::end_frame() {
  switch (static_cast<Opcode>(frame_.opcode)) {
    case Opcode::ping:
      if (open_) {
        append_frame(conn_->ws_out(), Opcode::pong, control_);
        conn_->ws_flush();
      }
      return true;
    case Opcode::pong:
      return true;
    case Opcode::close:
      on_close_frame();
      return false;
    default:
      break;
  }
  if (!frame_.fin) return true;
  if (message_compressed_) {
    const std::size_t at = message_.size();
    const InflateResult r = deflate_->finish_message(message_, options_.max_message_size);
    if (r != InflateResult::ok) {
      fail(r == InflateResult::too_big ? close_message_too_big : close_invalid_payload,
           r == InflateResult::too_big ? "message too big" : "bad compressed data");
      return false;
    }
    if (message_text_ && !utf8_.feed(message_.data() + at, message_.size() - at)) {
      fail(close_invalid_payload, "invalid UTF-8");
      return false;
    }
    message_compressed_ = false;
  }
  if (message_text_ && !utf8_.finish()) {
    fail(close_invalid_payload, "invalid UTF-8");
    return false;
  }
  in_message_ = false;
  if (!open_) {  // RFC 6455 1.4: after our close frame, data is read but not delivered
    message_.clear();
    return true;
  }
  queued_bytes_ += message_.size();
  if (queue_head_ > 0 && queue_.size() == queue_.capacity()) {
    // Full: drop the entries recv() took instead of growing. A handler that awaits between
    // recv()s while the peer keeps sending may never empty the queue, so clear_queue() alone
    // would let it grow without bound.
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
  if (message_.size() <= WebSocketMessage::inline_capacity) {
    // Copied into the message, which needs no allocation; message_ keeps its storage.
    queue_.push_back(WebSocketMessage::copy_of(message_, message_text_));
    message_.clear();
  } else {
    queue_.emplace_back(std::move(message_), message_text_);
    message_ = std::string{};
  }
  wake(recv_waiter_);
  return true;
}

void WsSession::on_close_frame() {
  std::uint16_t code = close_no_status;
  std::string_view reason;
  if (control_.size() == 1) {
    fail(close_protocol_error, "bad close frame");
    return;
  }
  if (control_.size() >= 2) {
    code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_[0]) << 8) |
                                      static_cast<unsigned char>(control_[1]));
    reason = std::string_view{control_}.substr(2);
    if (!is_valid_close_code(code)) {
      fail(close_protocol_error, "bad close code");
      return;
    }
    if (!is_valid_utf8(reason)) {
      fail(close_invalid_payload, "invalid UTF-8 in close reason");
      return;
    }
  }
  if (!sent_close_) {
    // 5.5.1: answer with a close frame, echoing the status code.
    std::string payload;
    if (code != close_no_status) {
      payload.push_back(static_cast<char>(code >> 8));
      payload.push_back(static_cast<char>(code & 0xFF));
    }
    append_frame(conn_->ws_out(), Opcode::close, payload);
    sent_close_ = true;
    close_code_ = code;
    close_reason_ = reason;
  }
  open_ = false;
  // 7.1.1: the server closes the TCP connection first, once the close frame is written.
  conn_->ws_close_transport();
  finish();
}

void WsSession::fail(std::uint16_t code, std::string_view reason) {
  // 7.1.7: send a close frame with the reason and close the connection without waiting.
  if (!sent_close_) {
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(reason);
    append_frame(conn_->ws_out(), Opcode::close, payload);
    sent_close_ = true;
    close_code_ = code;
    close_reason_ = reason;
  }
  open_ = false;
  clear_queue();
  conn_->ws_close_transport();
  finish();
}

// ---- output -------------------------------------------------------------------------------

void WsSession::send(Opcode opcode, std::string_view payload) {
  if (!open_ || conn_ == nullptr) return;
  if (conn_->ws_buffered() > max_unsent_factor * options_.send_high_water) {
    // A peer that reads far slower than senders write (sends not awaited, e.g. a broadcast)
    // is dropped rather than buffered without bound.
    close_reason_ = "peer too slow";
    conn_->ws_abort();
    return;
  }
  std::string compressed;
  if (deflate_ != nullptr && opcode != Opcode::ping &&
      payload.size() >= options_.compression_threshold && deflate_->compress(payload, compressed)) {
    append_frame(conn_->ws_out(), opcode, compressed, true, 4);  // RSV1: compressed
  } else {
    // Uncompressed, also when zlib failed (out of memory).
    append_frame(conn_->ws_out(), opcode, payload);
  }
  // Past the high-water mark at once, so that what send_ready() sees is what is queued.
  conn_->ws_flush(conn_->ws_buffered() >= options_.send_high_water);
}

bool WsSession::send_ready() const noexcept {
  return done_ || conn_ == nullptr || conn_->ws_buffered() <= options_.send_high_water;
}

void WsSession::start_close(std::uint16_t code, std::string_view reason) {
  if (!open_ || conn_ == nullptr) return;
  if (!is_valid_close_code(code)) code = close_normal;
  // RFC 6455 5.5: 125 payload bytes at most, 2 of them the code; 5.5.1: the reason is UTF-8,
  // so the cut goes back to the start of a code point.
  if (reason.size() > 123) {
    std::size_t cut = 123;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  append_frame(conn_->ws_out(), Opcode::close, payload);
  conn_->ws_flush();
  sent_close_ = true;
  open_ = false;
  close_code_ = code;
  close_reason_ = reason;
  clear_queue();
  topic_queue_.leave();
  close_deadline_ = conn_->ws_now() + static_cast<std::uint64_t>(options_.close_timeout.count());
  wake(recv_waiter_);
  conn_->ws_resume();  // read the peer's answer even if input was held back
}

// ---- events -------------------------------------------------------------------------------

void WsSession::on_transport_closed() noexcept {
  if (done_) return;
  if (!close_code_) close_code_ = close_abnormal;
  open_ = false;
  finish();
}

void WsSession::on_writable() noexcept {
  pump_topics();
  if (!send_ready()) return;
  for (auto& h : send_waiters_) wake(h);
  send_waiters_.clear();
}

void WsSession::on_tick(std::uint64_t now) noexcept {
  if (done_ || conn_ == nullptr) return;
  if (queue_.empty()) queue_.shrink_to_fit();  // an idle connection keeps no queue storage
  if (sent_close_) {
    if (now >= close_deadline_) {
      conn_->ws_close_transport();
      finish();
    }
    return;
  }
  const auto idle = static_cast<std::uint64_t>(options_.idle_timeout.count());
  if (idle > 0 && now - last_input_ >= idle) {
    close_code_ = close_abnormal;
    close_reason_ = "idle timeout";
    open_ = false;
    conn_->ws_close_transport();
    finish();
    return;
  }
  const auto interval = static_cast<std::uint64_t>(options_.ping_interval.count());
  if (interval > 0 && ping_sent_ == 0 && now - last_input_ >= interval) {
    ping_sent_ = now;
    append_frame(conn_->ws_out(), Opcode::ping, {});
    conn_->ws_flush();
  }
}

void WsSession::shut_down() noexcept { shut_down_with(close_going_away, "server shutting down"); }

void WsSession::shut_down_with(std::uint16_t code, std::string_view reason) noexcept {
  try {
    start_close(code, reason);
  } catch (...) {
    on_transport_closed();  // out of memory: drop the connection instead
  }
}

bool WsSession::wants_input() const noexcept {
  return !done_ && queued() < max_queued_messages &&
         queued_bytes_ < std::max<std::size_t>(options_.max_message_size, 64 * 1024);
}

void WsSession::set_recv_waiter(std::coroutine_handle<> h) noexcept {
  SWOOP_ASSERT(!recv_waiter_, "two recv() at once on one websocket");
  recv_waiter_ = h;
}

std::optional<WebSocketMessage> WsSession::pop() {
  if (!has_message()) return std::nullopt;
  std::optional<WebSocketMessage> m{std::move(queue_[queue_head_++])};
  queued_bytes_ -= m->text().size();
  // Taken entries stay until the queue is empty, then it restarts (keeping its storage: an
  // echo loop empties it after each read; on_tick frees it once the connection is idle).
  if (queue_head_ == queue_.size()) clear_queue();
  if (conn_ != nullptr) conn_->ws_resume();
  return m;
}

void WsSession::clear_queue() noexcept {
  queue_.clear();
  queue_head_ = 0;
  queued_bytes_ = 0;
}

void WsSession::finish() noexcept {
  done_ = true;
  open_ = false;
  topic_queue_.leave();
  wake_all();
  // The handler's other awaits end now, as after an HTTP client disconnect.
  cancel_.cancel();
}

void WsSession::wake_all() noexcept {
  wake(recv_waiter_);
  for (auto& h : send_waiters_) wake(h);
  send_waiters_.clear();
  for (auto& h : close_waiters_) wake(h);
  close_waiters_.clear();
}

void WsSession::wake(std::coroutine_handle<>& h) noexcept {
  if (h) Loop::current().call_soon(std::exchange(h, {}));
}

// ---- topics -------------------------------------------------------------------------------

void WsSession::subscribe(std::string_view topic) {
  if (!open_ || conn_ == nullptr) return;
  PubSubNode* node = topic_queue_.node() != nullptr ? topic_queue_.node() : PubSubNode::current();
  if (node == nullptr) throw std::logic_error("subscribe() needs a running server's worker");
  topic_queue_.subscribe(*node, topic);
}

void WsSession::unsubscribe(std::string_view topic) noexcept { topic_queue_.unsubscribe(topic); }

void WsSession::deliver(const PublishedPtr& m) noexcept {
  if (!open_ || conn_ == nullptr) return;
  if (topic_queue_.empty() && conn_->ws_buffered() < options_.send_high_water) {
    try {
      send_topic_message(*m);
    } catch (...) {
      // out of memory: this subscriber misses the message
    }
    return;
  }
  if (!topic_queue_.push(m)) {
    // The peer reads slower than its topics publish: it can reconnect and catch up.
    shut_down_with(close_try_again_later, "too slow for its topics");
  }
}

void WsSession::pump_topics() noexcept {
  while (!topic_queue_.empty() && open_ && conn_ != nullptr &&
         conn_->ws_buffered() < options_.send_high_water) {
    const PublishedPtr m = topic_queue_.pop();
    try {
      send_topic_message(*m);
    } catch (...) {
      return;  // out of memory: the message is lost, the connection goes on
    }
  }
}

void WsSession::send_topic_message(const Published& m) {
  send(m.binary ? Opcode::binary : Opcode::text, m.data);
}

}  // namespace swoop::detail
