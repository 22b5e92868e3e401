// SPDX-License-Identifier: MIT
// Fuzzes the request path end to end: bytes from the input go over a loopback connection to a
// real swoop::Server (llhttp, head validation, router, request building, req.form(),
// req.cookies(), req.json(), error handling, static files with conditions and ranges, bodies
// read as they arrive, the websocket upgrade and session) and the bytes that come back are
// checked.
// Routes: plain, typed parameters, path, throwing (500 and HttpError 418), a coroutine,
// POST /echo, /json, /form; GET /ws, a websocket echo (subprotocol "chat", permessage-deflate,
// 1 KB messages); /static/, a directory made at start-up (a.txt of 300 bytes for ranges,
// big.bin of 70,000 bytes sent with sendfile, sub/index.html, a listing of the rest); POST or
// PUT /upload, a stream_body route that reads the body in pieces and answers with its size.
// Input: byte 0 bits 0-6 pick where the bytes are split in two writes; the rest is sent as is
// (an upgrade request may be followed by websocket frames), then the write side is shut down
// (with byte 0 bit 7, only once nothing came back for 10 ms) and the output read until the
// server closes it (or 300 ms). Shutting down is the client leaving: a handler still running
// then is cancelled (static files wait on the thread pool), so bit 7 lets them answer.
// Invariants: the output is a sequence of well-formed HTTP/1.1 responses (llhttp in response
// mode; when a HEAD request may be in the input only the prefix is checked, since bodyless
// HEAD responses cannot be told apart without knowing the requests; and a cancelled response
// of big.bin, told apart by its Last-Modified, may stop short); no 5xx other than 500, 501, 503
// and 505. After a 101 the rest of the output is websocket, not HTTP: there it must be a
// sequence of server frames (unmasked, known opcodes, RSV1 only on the first frame of a
// compressed message, control frames final and at most 125 bytes, lengths in their shortest
// form, continuations only inside a fragmented message, nothing after a close frame; a cut
// frame only when the server did not close). ASan/UBSan cover the server threads too.
#include <arpa/inet.h>
#include <fcntl.h>
#include <llhttp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "fuzz_support.hpp"
#include "loopback.hpp"
#include "swoop/swoop.hpp"

namespace {

using namespace std::chrono_literals;
using swoop_fuzz::check;
using swoop_fuzz::connect_to;
using swoop_fuzz::End;
using swoop_fuzz::send_all;

// Reads until the server closes (true: a reset after it closed counts too), or until `budget`
// passes or nothing came for `quiet` (false).
bool receive(int fd, std::string& out, std::chrono::milliseconds budget,
             std::chrono::milliseconds quiet) {
  return swoop_fuzz::receive(fd, out, budget, quiet) != End::quiet;
}

void write_file(const std::filesystem::path& path, std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + i % 26);
  std::ofstream{path, std::ios::binary} << bytes;
}

// big.bin's modification time, so that its responses are told apart by their Last-Modified.
constexpr std::time_t big_file_time = 978'307'200;
constexpr std::string_view big_file_date = "Mon, 01 Jan 2001 00:00:00 GMT";

std::string make_static_dir() {
  std::string dir = std::filesystem::temp_directory_path() / "swoop-request-fuzz-files.XXXXXX";
  check(::mkdtemp(dir.data()) != nullptr, "mkdtemp() failed");
  write_file(dir + "/a.txt", 300);
  write_file(dir + "/big.bin", 70'000);  // above the size read whole: sent with sendfile
  const timespec times[2] = {{big_file_time, 0}, {big_file_time, 0}};
  check(::utimensat(AT_FDCWD, (dir + "/big.bin").c_str(), times, 0) == 0, "utimensat() failed");
  std::filesystem::create_directory(dir + "/sub");
  write_file(dir + "/sub/index.html", 20);
  return dir;
}

// The directory behind /static: made once, removed when the process exits normally.
const std::string& static_root() {
  // Never freed: the exit handler reads it.
  static const std::string& root = *new std::string{make_static_dir()};
  static const int removal = std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  });
  static_cast<void>(removal);
  return root;
}

swoop::App& make_app() {
  auto* app = new swoop::App{"fuzz"};  // lives until the process exits
  app->get("/")([](swoop::Request&) { return swoop::text("hi"); });
  app->get("/items/<id:int>")([](swoop::Request& req) {
    return swoop::text(std::to_string(req.param<std::int64_t>("id")));
  });
  app->get("/f/<x:float>/<s:slug>")([](swoop::Request& req) {
    return swoop::text(std::string{req.params().get("s").value_or("")});
  });
  app->get("/files/<rest:path>")(
      [](swoop::Request& req) { return swoop::text(std::string{req.args().get("q", "-")}); });
  app->get("/throw")([](swoop::Request&) -> swoop::Response { throw std::runtime_error("boom"); });
  app->get("/teapot")([](swoop::Request&) -> swoop::Response {
    throw swoop::HttpError{418, "short and stout"};
  });
  app->get("/co")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    co_return swoop::text(std::string{req.header("X-A").value_or("none")});
  });
  app->route("/echo", {.methods = {"POST", "PUT"}})([](swoop::Request& req) {
    std::string out{req.body().substr(0, 64)};
    try {
      out += std::to_string(req.form().size());
    } catch (const swoop::HttpError&) {
    }
    try {
      out += std::to_string(req.json().size());
    } catch (const swoop::HttpError&) {
    }
    out += std::to_string(req.cookies().size());
    return swoop::text(std::move(out));
  });
  app->post("/json")(
      [](swoop::Request& req) { return swoop::json(req.json().get<swoop::JsonValue>()); });
  app->post("/form")(
      [](swoop::Request& req) { return swoop::text(std::string{req.form().get("a", "")}); });
  swoop::WebSocketOptions ws;
  ws.max_message_size = 1024;
  ws.subprotocols = {"chat"};
  ws.compression = true;
  ws.close_timeout = 100ms;
  app->websocket("/ws", ws)([](swoop::Request&, swoop::WebSocket& socket) -> swoop::Task<> {
    while (auto msg = co_await socket.recv()) {
      if (msg->is_text())
        co_await socket.send(msg->text());
      else
        co_await socket.send(msg->binary());
    }
  });
  app->static_files("/static", static_root(), {.directory_listing = true});
  swoop::RouteOptions upload;
  upload.methods = {"POST", "PUT"};
  upload.stream_body = true;
  app->route("/upload", upload)([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    std::size_t total = 0;
    for (std::string piece; !(piece = co_await req.stream().read()).empty();) {
      total += piece.size();
    }
    co_return swoop::text(std::to_string(total));
  });
  return *app;
}

std::uint16_t server_port() {
  static const std::uint16_t port = [] {
    swoop::RunOptions options;
    options.port = 0;
    options.workers = 1;
    options.max_target_size = 256;
    options.max_header_size = 1024;
    options.max_header_count = 16;
    options.max_body_size = 4096;
    options.request_timeout = 300ms;
    options.response_timeout = 300ms;
    options.keep_alive_timeout = 300ms;
    options.linger_timeout = 50ms;
    options.http2.enabled = false;  // the invariant is about HTTP/1.1; fuzz.h2 covers HTTP/2
    options.form_limits = {.max_fields = 8,
                           .max_files = 2,
                           .max_parts = 8,
                           .max_part_header_size = 256,
                           .max_field_size = 256,
                           .max_file_size = 1024};
    // Handler exceptions are logged at error level on every run; SWOOP_FUZZ_LOG=1 keeps them.
    if (std::getenv("SWOOP_FUZZ_LOG") == nullptr) swoop::set_log_level(swoop::LogLevel::off);
    auto* server = new swoop::Server{make_app(), options};  // runs until the process exits
    server->start();
    return server->port();
  }();
  return port;
}

/// Closes with a reset rather than a FIN, so the client side keeps no TIME_WAIT entry.
void close_abortively(int fd) {
  const linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
}

// The statuses of the responses, and whether the last one sends big.bin (by its date).
struct Responses {
  std::vector<int> codes;
  bool sends_file = false;
  std::string field, value;

  static Responses& of(llhttp_t* parser) { return *static_cast<Responses*>(parser->data); }
  static int on_message_begin(llhttp_t* parser) {
    of(parser).sends_file = false;
    return 0;
  }
  static int on_header_field(llhttp_t* parser, const char* at, std::size_t n) {
    of(parser).field.append(at, n);
    return 0;
  }
  static int on_header_value(llhttp_t* parser, const char* at, std::size_t n) {
    of(parser).value.append(at, n);
    return 0;
  }
  static int on_header_value_complete(llhttp_t* parser) {
    Responses& r = of(parser);
    r.sends_file |= r.field == "Last-Modified" && r.value == big_file_date;
    r.field.clear();
    r.value.clear();
    return 0;
  }
  static int on_headers_complete(llhttp_t* parser) {
    of(parser).codes.push_back(parser->status_code);
    return 0;
  }
};

// Checks what follows a 101: websocket frames from the server (RFC 6455 5.2), the last
// perhaps cut short when the server did not close.
void check_frames(std::string_view bytes, bool complete) {
  bool in_message = false, closed = false;
  while (!bytes.empty()) {
    check(!closed, "bytes after a close frame");
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    std::size_t head = 2;
    std::uint64_t length = bytes.size() >= 2 ? byte(1) & 0x7f : 0;
    if (length == 126) head = 4;
    if (length == 127) head = 10;
    if (bytes.size() < head) break;
    if (head > 2) {
      length = 0;
      for (std::size_t i = 2; i < head; ++i) length = length << 8 | byte(i);
      check(length >= (head == 4 ? 126u : 65536u) && length >> 63 == 0,
            "a frame length not in its shortest form");
    }
    const bool fin = byte(0) & 0x80;
    const unsigned rsv = byte(0) & 0x70, opcode = byte(0) & 0x0f;
    check((byte(1) & 0x80) == 0, "a masked frame from the server");
    check(opcode <= 2 || (opcode >= 8 && opcode <= 10), "a frame with an unknown opcode");
    if (opcode >= 8) {
      check(fin && length <= 125 && rsv == 0, "a fragmented, long or compressed control frame");
      closed = opcode == 8;
    } else {
      check((opcode == 0) == in_message, "a continuation outside a message, or a new message");
      check(rsv == 0 || (rsv == 0x40 && opcode != 0), "RSV bits other than RSV1 on a first frame");
      in_message = !fin;
    }
    if (bytes.size() - head < length) break;
    bytes.remove_prefix(head + static_cast<std::size_t>(length));
  }
  check(bytes.empty() || !complete, "the server closed after a cut frame");
}

void check_output(std::string_view output, bool complete, bool maybe_head) {
  Responses responses;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_begin = Responses::on_message_begin;
  settings.on_header_field = Responses::on_header_field;
  settings.on_header_value = Responses::on_header_value;
  settings.on_header_value_complete = Responses::on_header_value_complete;
  settings.on_headers_complete = Responses::on_headers_complete;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &settings);
  parser.data = &responses;
  const llhttp_errno_t err = llhttp_execute(&parser, output.data(), output.size());
  if (err == HPE_PAUSED_UPGRADE) {
    check(!responses.codes.empty() && responses.codes.back() == 101, "an upgrade without a 101");
    const auto at = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - output.data());
    check(output.substr(0, at).ends_with("\r\n\r\n"), "the websocket does not follow the 101");
    if (!maybe_head) check_frames(output.substr(at), complete);
  } else if (!maybe_head) {
    if (err != HPE_OK) {
      std::fprintf(stderr, "llhttp: %s\n", llhttp_get_error_reason(&parser));
      check(false, "the output is not a sequence of HTTP responses");
    }
    // The end of the input cancels a handler still sending big.bin: it may stop short.
    if (complete && !responses.sends_file) {
      check(llhttp_finish(&parser) == HPE_OK, "the output ends inside a response");
    }
  }
  for (const int code : responses.codes) {
    check(code >= 100 && code <= 599, "a status code out of range");
    check(code < 500 || code == 500 || code == 501 || code == 503 || code == 505,
          "an unexpected 5xx status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint16_t port = server_port();
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = bytes.empty() ? 0 : (data[0] & 0x7f) % (bytes.size() + 1);

  const int fd = connect_to(port);
  send_all(fd, std::string_view{bytes}.substr(0, split));
  send_all(fd, std::string_view{bytes}.substr(split));
  std::string output;
  // The end of the input is the client leaving, which cancels a handler still running (one
  // waiting on the thread pool, as static files do): bit 7 lets the server answer first.
  bool complete = (data[0] & 0x80) != 0 && receive(fd, output, 300ms, 10ms);
  ::shutdown(fd, SHUT_WR);
  complete = complete || receive(fd, output, 300ms, 300ms);
  close_abortively(fd);
  if (std::getenv("SWOOP_FUZZ_PRINT") != nullptr) {  // to see what a reproducer gets back
    std::fprintf(stderr, "--- %zu bytes back (%s)\n%s\n---\n", output.size(),
                 complete ? "closed" : "timed out", output.c_str());
  }
  const bool maybe_head = bytes.find("HEAD") != std::string::npos;
  check_output(output, complete, maybe_head);
  return 0;
}
