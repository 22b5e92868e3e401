// SPDX-License-Identifier: MIT
// Fuzzes the HTTP/2 server path end to end: the client preface, then frames from the input, go
// over loopback to a real swoop::Server (h2c sniffing, Http2Session and Http2Stream over
// nghttp2: SETTINGS, flow control, header blocks, heads rebuilt for the head validator, resets,
// flood limits, streamed and static answers) and the frames that come back are checked.
// Routes: GET / (text), POST or PUT /echo, GET /json, /throw (500), /teapot (HttpError 418),
// /slow (sleeps 5 ms), /numbers (streamed; ?sized=1: with a Content-Length), /events (3
// server-sent events), POST /upload (stream_body), /static/ (a.txt of 300 bytes, big.bin of
// 70,000, more than a stream's first window, sub/index.html, a listing).
// Input: byte 0 bits 0-5 pick where the bytes (preface included) are split in two writes; with
// bit 6 the second waits until the server was quiet for 5 ms, with bit 7 so does shutting the
// write side down (the client leaving, which cancels running handlers). The output is read
// until the server closes it (or 300 ms) and checked against RFC 9113 and what the input's
// frames allow (Checker, with a frame reader of its own; nghttp2 only decodes HPACK).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "loopback.hpp"
#include "swoop/swoop.hpp"

namespace {

using namespace std::chrono_literals;
using swoop_fuzz::check;
using swoop_fuzz::connect_to;
using swoop_fuzz::End;
using swoop_fuzz::receive;
using swoop_fuzz::send_all;

constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// The directory behind /static: made once, removed when the process exits normally.
const std::string& static_root() {
  static const std::string& root = *new std::string{[] {  // never freed: the exit handler reads it
    std::string dir = std::filesystem::temp_directory_path() / "swoop-h2-fuzz-files.XXXXXX";
    check(::mkdtemp(dir.data()) != nullptr, "mkdtemp() failed");
    std::ofstream{dir + "/a.txt"} << std::string(300, 'a');
    std::ofstream{dir + "/big.bin"} << std::string(70'000, 'b');  // more than a stream window
    std::filesystem::create_directory(dir + "/sub");
    std::ofstream{dir + "/sub/index.html"} << "<p>index</p>";
    return dir;
  }()};
  [[maybe_unused]] static const int removal = std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  });
  return root;
}

swoop::App& make_app() {
  auto& app = *new swoop::App{"h2fuzz"};  // lives until the process exits
  app.get("/")([](swoop::Request&) { return swoop::text("hi"); });
  app.route("/echo", {.methods = {"POST", "PUT"}})([](swoop::Request& req) {
    return swoop::raw(std::string{req.body()}, "application/octet-stream");
  });
  app.get("/json")([](swoop::Request& req) {
    return swoop::json(swoop::JsonValue{swoop::JsonObject{{"path", std::string{req.path()}}}});
  });
  app.get("/throw")([](swoop::Request&) -> swoop::Response { throw std::runtime_error("boom"); });
  app.get("/teapot")([](swoop::Request&) -> swoop::Response {
    throw swoop::HttpError{418, "short and stout"};
  });
  app.get("/slow")([](swoop::Request&) -> swoop::Task<swoop::Response> {
    co_await swoop::sleep(5ms);
    co_return swoop::text("slept");
  });
  app.get("/numbers")([](swoop::Request& req) {
    std::optional<std::uint64_t> length;  // of "1\n" to "1000\n"
    if (req.args().get("sized", "0") == "1") length = 3893;
    return swoop::stream(
        [](swoop::ResponseStream& out) -> swoop::Task<void> {
          for (int i = 1; i <= 1000; ++i) co_await out.write(std::to_string(i) + "\n");
        },
        {.content_type = "text/plain; charset=utf-8", .length = length});
  });
  app.get("/events")([](swoop::Request&) {
    return swoop::sse([](swoop::EventStream& events) -> swoop::Task<void> {
      for (int i = 0; i < 3; ++i) {
        co_await events.send(std::to_string(i));
        co_await swoop::sleep(2ms);
      }
    });
  });
  app.route("/upload", {.methods = {"POST", "PUT"}, .stream_body = true})(
      [](swoop::Request& req) -> swoop::Task<swoop::Response> {
        std::size_t total = 0;
        for (std::string piece; !(piece = co_await req.stream().read()).empty();)
          total += piece.size();
        co_return swoop::text(std::to_string(total));
      });
  app.static_files("/static", static_root(), {.directory_listing = true});
  return app;
}

std::uint16_t server_port() {
  static const std::uint16_t port = [] {
    swoop::RunOptions options;
    options.port = 0;
    options.workers = 1;
    options.max_header_size = 1024;
    options.max_header_count = 16;
    options.max_body_size = 4096;
    options.request_timeout = 300ms;
    options.response_timeout = 300ms;
    options.keep_alive_timeout = 300ms;
    options.linger_timeout = 50ms;
    options.http2.max_concurrent_streams = 8;
    options.http2.reset_burst = 20;
    options.http2.control_burst = 20;
    // Handler exceptions are logged at error level on every run; SWOOP_FUZZ_LOG=1 keeps them.
    if (std::getenv("SWOOP_FUZZ_LOG") == nullptr) swoop::set_log_level(swoop::LogLevel::off);
    auto* server = new swoop::Server{make_app(), options};  // runs until the process exits
    server->start();
    return server->port();
  }();
  return port;
}

enum : std::uint8_t { data_t, headers_t, priority_t, rst_t, settings_t, push_t, ping_t, goaway_t };
enum : std::uint8_t { window_t = 8, continuation_t = 9 };
enum : std::uint8_t { end_stream = 0x1, ack = 0x1, end_headers = 0x4, padded = 0x8, prio = 0x20 };
// The flags each type defines (6.1-6.10); the others must be sent unset (4.1).
constexpr std::uint8_t defined_flags[10] = {0x09, 0x2d, 0, 0, 0x01, 0x0c, 0x01, 0, 0, 0x04};

struct Frame {
  std::uint8_t type = 0, flags = 0;
  std::uint32_t stream = 0;  // with the reserved bit
  std::string_view payload;
};

std::uint32_t be(std::string_view s, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v << 8 | static_cast<std::uint8_t>(s[i]);
  return v;
}

// The whole frames at the front of bytes; what follows them (a cut frame) stays in bytes.
std::vector<Frame> split_frames(std::string_view& bytes) {
  std::vector<Frame> out;
  while (bytes.size() >= 9) {
    const std::size_t length = be(bytes, 0, 3);
    if (bytes.size() - 9 < length) break;
    out.push_back({static_cast<std::uint8_t>(bytes[3]), static_cast<std::uint8_t>(bytes[4]),
                   be(bytes, 5, 4), bytes.substr(9, length)});
    bytes.remove_prefix(9 + length);
  }
  return out;
}

// A DATA or HEADERS frame's content without the pad length, priority fields (HEADERS) and
// padding (6.1, 6.2); nullopt when they do not fit.
std::optional<std::string_view> content_of(const Frame& f) {
  const bool is_padded = (f.flags & padded) != 0;
  const std::size_t skip = is_padded + (f.type == headers_t && (f.flags & prio) != 0 ? 5 : 0);
  const std::size_t pad = is_padded && !f.payload.empty() ? std::uint8_t(f.payload[0]) : 0;
  if (f.payload.size() < skip + pad) return std::nullopt;
  return f.payload.substr(skip, f.payload.size() - skip - pad);
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// One HPACK decoding context (RFC 7541) per direction: its header blocks go through it in order,
// as each may refer to the dynamic table the blocks before it left.
using Inflater = std::unique_ptr<nghttp2_hd_inflater, decltype(&nghttp2_hd_inflate_del)>;

// table_size: the largest SETTINGS_HEADER_TABLE_SIZE the decoding side announced. Only a larger
// one is told: a smaller one would make the decoder demand a size update in the very next block,
// where the encoder may use the old size until it has seen the SETTINGS.
Inflater make_inflater(std::uint32_t table_size) {
  nghttp2_hd_inflater* inflater = nullptr;
  check(nghttp2_hd_inflate_new(&inflater) == 0, "nghttp2_hd_inflate_new() failed");
  if (table_size > 4096) nghttp2_hd_inflate_change_table_size(inflater, table_size);
  return {inflater, &nghttp2_hd_inflate_del};
}

// Decodes a whole header block; false when it is no valid HPACK (the context is then spent).
bool decode(nghttp2_hd_inflater* inflater, std::string_view block, Fields& out) {
  const auto* in = reinterpret_cast<const std::uint8_t*>(block.data());
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    const ssize_t n = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (n < 0) return false;
    in += n;
    left -= static_cast<std::size_t>(n);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      out.emplace_back(std::string{reinterpret_cast<const char*>(nv.name), nv.namelen},
                       std::string{reinterpret_cast<const char*>(nv.value), nv.valuelen});
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) break;
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) return false;
  }
  return nghttp2_hd_inflate_end_headers(inflater) == 0;
}

// What the input's frames allow the server: bounds over every frame, whether or not the server
// got to it or accepted it, so that they hold whatever it did.
struct ClientSide {
  std::uint32_t max_frame = 16384;               // the largest SETTINGS_MAX_FRAME_SIZE
  std::uint32_t table_size = 4096;               // the largest SETTINGS_HEADER_TABLE_SIZE
  std::uint32_t initial_window = 65535;          // the largest SETTINGS_INITIAL_WINDOW_SIZE
  std::map<std::uint32_t, std::int64_t> credit;  // WINDOW_UPDATE increments (0: connection)
  std::set<std::uint32_t> used, opened;          // stream ids of any frame, of HEADERS
  std::multiset<std::string_view> pings;         // PING payloads
  std::size_t settings = 0;                      // SETTINGS frames (not ACKs)
  // The :method of each stream whose first header block decoded ("": not exactly one).
  std::map<std::uint32_t, std::string> methods;

  std::optional<bool> is_head(std::uint32_t id) const {  // nullopt: maybe (not decoded)
    const auto m = methods.find(id);
    return m == methods.end() || m->second.empty() ? std::nullopt
                                                   : std::optional{m->second == "HEAD"};
  }
};

void note_settings(ClientSide& c, const Frame& f) {
  if ((f.flags & ack) != 0) return;
  ++c.settings;
  for (std::size_t at = 0; at + 6 <= f.payload.size(); at += 6) {
    const std::uint32_t id = be(f.payload, at, 2), value = be(f.payload, at + 2, 4);
    if (id == 1) c.table_size = std::max(c.table_size, value);
    if (id == 4 && value <= 0x7fffffff) c.initial_window = std::max(c.initial_window, value);
    if (id == 5 && value <= 0xffffff) c.max_frame = std::max(c.max_frame, value);
  }
}

// Reads the client's frames. Its header blocks are decoded as the server decodes them (in order,
// one HPACK context) for the requests' methods, up to the first frame the server fails the
// connection for: from there on it starts no request, and what it decodes may differ.
ClientSide read_client(std::string_view input) {
  ClientSide c;
  const Inflater inflater = make_inflater(4096);
  std::string block;
  std::uint32_t stream = 0;
  bool open = false, decoding = true;
  std::vector<Frame> frames = split_frames(input);
  // A cut frame's header reached the server, which may act on it: reset its stream, say.
  if (input.size() >= 9) frames.push_back({std::uint8_t(input[3]), 0, be(input, 5, 4), {}});
  for (const Frame& f : frames) {
    const std::uint32_t id = f.stream & 0x7fffffff;  // the receiver ignores the reserved bit
    c.used.insert(id);
    if (f.type == headers_t) c.opened.insert(id);
    if (f.type == settings_t) note_settings(c, f);
    if (f.type == window_t && f.payload.size() == 4)
      c.credit[id] += be(f.payload, 0, 4) & 0x7fffffff;
    if (f.type == ping_t && (f.flags & ack) == 0 && f.payload.size() == 8)
      c.pings.insert(f.payload);
    // A frame above the server's SETTINGS_MAX_FRAME_SIZE, or in the middle of a header block.
    decoding = decoding && f.payload.size() <= 16384 && open == (f.type == continuation_t) &&
               (!open || id == stream);
    if (!decoding || (f.type != headers_t && f.type != continuation_t)) continue;
    if (f.type == headers_t) {
      const auto fragment = content_of(f);
      decoding = fragment && id % 2 == 1;
      stream = id;
      block.assign(fragment.value_or(""));
    } else {
      block.append(f.payload);
    }
    open = (f.flags & end_headers) == 0;
    Fields fields;
    if (!decoding || open) continue;
    decoding = decode(inflater.get(), block, fields);
    if (!decoding || c.methods.contains(stream)) continue;  // (or a trailer section)
    const auto is_method = [](const auto& field) { return field.first == ":method"; };
    const auto m = std::find_if(fields.begin(), fields.end(), is_method);
    const bool one = std::count_if(fields.begin(), fields.end(), is_method) == 1;
    c.methods[stream] = one ? m->second : "";
  }
  return c;
}

bool valid_name(std::string_view name) {  // 8.2.1 (a pseudo-header's leading colon aside)
  return !name.empty() && std::all_of(name.begin() + (name[0] == ':'), name.end(), [](char c) {
    const auto b = static_cast<std::uint8_t>(c);
    return b > 0x20 && b < 0x7f && c != ':' && !(c >= 'A' && c <= 'Z');
  });
}

bool valid_value(std::string_view value) {  // 8.2.1
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  return value.find_first_of(std::string_view{"\0\r\n", 3}) == value.npos &&
         (value.empty() || (!space(value.front()) && !space(value.back())));
}

constexpr std::string_view connection_fields[] = {"connection", "keep-alive", "proxy-connection",
                                                  "transfer-encoding", "upgrade"};  // 8.2.2

bool is_number(std::string_view s) {
  return !s.empty() && s.size() < 16 && s.find_first_not_of("0123456789") == s.npos;
}

struct StreamState {
  int status = 0;                       // the final status, 0 before it
  bool ended = false;                   // END_STREAM or RST_STREAM sent
  std::optional<std::uint64_t> length;  // Content-Length
  std::uint64_t content = 0;            // DATA bytes without padding
  std::int64_t flow = 0;                // DATA payload bytes (flow-controlled, 6.9.1)
};

// Reads the server's frames in order and checks them against RFC 9113 and what the client sent:
// frames, the first the server's SETTINGS (3.4); lengths within 16384 or the largest
// SETTINGS_MAX_FRAME_SIZE sent; known types, no PUSH_PROMISE, only defined flags, reserved bits
// clear; well-formed SETTINGS, PING and GOAWAY on stream 0, ACKs only for what the client sent,
// last-stream-ids never rising; RST_STREAM on streams the client used; HEADERS and DATA on
// streams it opened, before their END_STREAM or RST_STREAM, none above a GOAWAY's last-stream-id,
// DATA within the client's flow-control credit; header blocks as one run of frames, decoding in
// order (one HPACK context) to :status first (not 101; 5xx only 500, 501, 503, 505), no other
// pseudo-header, valid lowercase names and values, no connection-specific field, trailers ending
// the stream; DATA as long as Content-Length, none for 204, 304 or HEAD; a cut frame at the end
// only when the server did not close.
class Checker {
 public:
  explicit Checker(const ClientSide& client)
      : client_(client), inflater_(make_inflater(client.table_size)) {}

  void frame(const Frame& f) {
    check(f.payload.size() <= client_.max_frame, "a frame longer than the client allows (4.2)");
    check(f.type <= continuation_t && f.type != push_t, "an unknown frame type, or a push");
    check((f.flags & ~defined_flags[f.type]) == 0, "a flag the frame type does not define (4.1)");
    check(f.stream >> 31 == 0, "the reserved bit of a stream id set (4.1)");
    check(frames_++ != 0 || (f.type == settings_t && (f.flags & ack) == 0),
          "the first frame is no SETTINGS (3.4)");
    const bool continuing = f.type == continuation_t;  // 6.10: a block is one run of frames
    check(continuing == block_stream_.has_value() && (!continuing || f.stream == *block_stream_),
          "a header block not sent as one run of HEADERS and CONTINUATION frames");
    if (f.type == settings_t || f.type == ping_t || f.type == goaway_t) {
      check(f.stream == 0, "SETTINGS, PING or GOAWAY on a stream");
      connection_frame(f);
    } else if (f.type == window_t) {
      const std::uint32_t increment = f.payload.size() == 4 ? be(f.payload, 0, 4) : 0;
      check(increment != 0 && increment >> 31 == 0, "a bad WINDOW_UPDATE (6.9)");
      check(f.stream == 0 || (f.stream % 2 == 1 && client_.used.contains(f.stream)),
            "a WINDOW_UPDATE on a stream the client did not use");
    } else if (f.type == rst_t || f.type == priority_t) {
      const bool used = f.stream % 2 == 1 && client_.used.contains(f.stream);
      check(f.payload.size() == (f.type == rst_t ? 4u : 5u) && f.stream != 0 &&
                (used || f.type == priority_t),
            "a bad RST_STREAM or PRIORITY, or a reset of a stream the client did not use");
      if (f.type == rst_t) streams_[f.stream].ended = true;
    } else {
      stream_frame(f);
    }
  }

  void finish(std::string_view cut, bool complete) const {
    check(!complete || frames_ != 0, "the server closed without its SETTINGS");
    check(cut.empty() || !complete, "the server closed after a cut frame");
    // 6.8: streams above a last-stream-id were not acted on, so none of them was answered.
    check(highest_answered_ <= lowest_goaway_, "an answer above a GOAWAY's last-stream-id");
  }

 private:
  void connection_frame(const Frame& f) {
    const std::size_t size = f.payload.size();
    if (f.type == settings_t && (f.flags & ack) != 0) {
      check(size == 0, "a SETTINGS ACK with a payload (6.5)");
      check(++settings_acks_ <= client_.settings, "more SETTINGS ACKs than client SETTINGS");
    } else if (f.type == settings_t) {
      check(size % 6 == 0, "a SETTINGS length not a multiple of 6 (6.5)");
      for (std::size_t at = 0; at < size; at += 6) {
        const std::uint32_t id = be(f.payload, at, 2), value = be(f.payload, at + 2, 4);
        // 6.5.2; a server's SETTINGS_ENABLE_PUSH, when sent, is 0.
        check((id != 2 || value == 0) && (id != 4 || value <= 0x7fffffff) &&
                  (id != 5 || (value >= 16384 && value <= 0xffffff)),
              "a SETTINGS value out of range");
      }
    } else if (f.type == ping_t) {
      check(size == 8, "a PING not of 8 bytes (6.7)");
      if ((f.flags & ack) == 0) return;
      const auto ping = pings_.find(f.payload);  // 6.7: each PING is answered once, as it was
      check(ping != pings_.end(), "a PING ACK echoing no client PING not answered yet");
      pings_.erase(ping);
    } else {
      check(size >= 8 && be(f.payload, 0, 4) >> 31 == 0, "a GOAWAY shorter than 8 bytes (6.8)");
      const std::uint32_t last = be(f.payload, 0, 4), code = be(f.payload, 4, 4);
      // 6.8: the last-stream-id never rises; another GOAWAY may report another error.
      check(
          !goaway_ || last < goaway_->first || (last == goaway_->first && code != goaway_->second),
          "a GOAWAY raising its last-stream-id, or repeated");
      goaway_.emplace(last, code);
      lowest_goaway_ = std::min(lowest_goaway_, last);
    }
  }

  void stream_frame(const Frame& f) {
    const std::uint32_t id = f.stream;
    if (f.type == continuation_t) {
      block_.append(f.payload);
    } else {
      check(id % 2 == 1 && client_.opened.contains(id), "HEADERS or DATA on a stream not opened");
      check(!streams_[id].ended, "HEADERS or DATA after the stream's END_STREAM or RST_STREAM");
      highest_answered_ = std::max(highest_answered_, id);
      const auto content = content_of(f);
      check(content.has_value(), "a DATA or HEADERS frame with bad padding (6.1, 6.2)");
      if (f.type == data_t) return data(id, f, content->size());
      block_.assign(*content);
      block_ends_stream_ = (f.flags & end_stream) != 0;
    }
    block_stream_.reset();
    if ((f.flags & end_headers) == 0) {
      block_stream_ = id;
    } else {
      header_block(id);
    }
  }

  void data(std::uint32_t id, const Frame& f, std::size_t content) {
    StreamState& s = streams_[id];
    check(s.status != 0, "DATA before a final response head (8.1)");
    s.content += content;
    s.flow += static_cast<std::int64_t>(f.payload.size());
    connection_flow_ += static_cast<std::int64_t>(f.payload.size());
    check(s.flow <= client_.initial_window + credit_[id], "DATA beyond a stream's window (6.9)");
    check(connection_flow_ <= 65535 + credit_[0], "DATA beyond the connection's window (6.9)");
    if ((f.flags & end_stream) != 0) end(id, s);
  }

  void header_block(std::uint32_t id) {
    Fields fields;
    check(decode(inflater_.get(), block_, fields), "a header block that does not decode (HPACK)");
    StreamState& s = streams_[id];
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& [name, value] = fields[i];
      check(valid_name(name), "a field name with uppercase or invalid bytes (8.2.1)");
      check(valid_value(value), "a field value with NUL, CR, LF or outer whitespace (8.2.1)");
      check(std::find(std::begin(connection_fields), std::end(connection_fields), name) ==
                std::end(connection_fields),
            "a connection-specific field (8.2.2)");
      check(!name.starts_with(':') || (i == 0 && s.status == 0 && name == ":status"),
            "a pseudo-header other than :status first in a response head (8.3)");
      if (name == "content-length") {
        check(is_number(value) && (!s.length || *s.length == std::stoull(value)),
              "a Content-Length that is no number, or two different ones");
        s.length = std::stoull(value);
      }
    }
    if (s.status != 0) {  // 8.1: a trailer section ends the stream
      check(block_ends_stream_, "a header block after the final head without END_STREAM (8.1)");
      return end(id, s);
    }
    check(!fields.empty() && fields[0].first == ":status" && fields[0].second.size() == 3 &&
              is_number(fields[0].second),
          "a response head without a :status of 3 digits (8.3.2)");
    const int status = std::stoi(fields[0].second);
    check(status >= 100 && status != 101, "a status below 100, or 101 (8.6)");
    check(status < 500 || status == 500 || status == 501 || status == 503 || status == 505,
          "an unexpected 5xx status");
    check(!s.length || (status >= 200 && status != 204),
          "Content-Length in a 1xx or 204 response (RFC 9110 8.6)");
    if (status < 200) {  // informational: the final head follows (8.1)
      check(!block_ends_stream_, "an informational response ending the stream (8.1)");
      return;
    }
    s.status = status;
    if (block_ends_stream_) end(id, s);
  }

  void end(std::uint32_t id, StreamState& s) {
    s.ended = true;
    const std::optional<bool> head = client_.is_head(id);
    const bool no_content = s.status == 204 || s.status == 304 || head.value_or(false);
    check(!no_content || s.content == 0, "content in a response to HEAD, or a 204 or 304");
    // A response to HEAD carries the Content-Length a GET would get, with no DATA (RFC 9110
    // 8.6), and so may a 304 (of the 200 it stands for).
    if (s.length && s.status != 304 && !(head.value_or(true) && s.content == 0)) {
      check(s.content == *s.length, "DATA not as long as the Content-Length (8.1.1)");
    }
  }

  const ClientSide& client_;
  Inflater inflater_;
  std::multiset<std::string_view> pings_ = client_.pings;  // not answered yet
  std::map<std::uint32_t, std::int64_t> credit_ = client_.credit;
  std::map<std::uint32_t, StreamState> streams_;
  std::size_t frames_ = 0, settings_acks_ = 0;
  std::optional<std::uint32_t> block_stream_;  // a header block waiting for CONTINUATION
  std::string block_;
  bool block_ends_stream_ = false;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> goaway_;  // the last: stream id, code
  std::uint32_t lowest_goaway_ = 0x7fffffff, highest_answered_ = 0;
  std::int64_t connection_flow_ = 0;
};

void check_output(std::string_view input, std::string_view output, bool complete) {
  const ClientSide client = read_client(input);
  Checker checker{client};
  const bool print = std::getenv("SWOOP_FUZZ_PRINT") != nullptr;  // what a reproducer gets back
  for (const Frame& f : split_frames(output)) {
    if (print)
      std::fprintf(stderr, "type %u flags %#x stream %u length %zu\n", f.type, f.flags, f.stream,
                   f.payload.size());
    checker.frame(f);
  }
  if (print)
    std::fprintf(stderr, "%s, %zu bytes after\n", complete ? "closed" : "open", output.size());
  checker.finish(output, complete);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint16_t port = server_port();
  const std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  const std::string bytes = std::string{client_preface}.append(input);
  const std::size_t split = bytes.size() * (data[0] & 0x3f) / 64;
  const int fd = connect_to(port);
  std::string output;
  send_all(fd, std::string_view{bytes}.substr(0, split));
  End end = End::quiet;
  if ((data[0] & 0x40) != 0) end = receive(fd, output, 300ms, 5ms);
  send_all(fd, std::string_view{bytes}.substr(split));
  // Half-closing is the client leaving, which cancels running handlers: bit 7 lets them answer.
  if (end == End::quiet && (data[0] & 0x80) != 0) end = receive(fd, output, 300ms, 10ms);
  ::shutdown(fd, SHUT_WR);
  if (end == End::quiet) end = receive(fd, output, 300ms, 300ms);
  const linger reset{1, 0};  // closes with a reset, so that no TIME_WAIT entry stays behind
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
  check_output(input, output, end == End::closed);
  return 0;
}
