// SPDX-License-Identifier: MIT
// Server-sent events: the text/event-stream format (WHATWG HTML 9.2).
#include "swoop/stream.hpp"

#include <stdexcept>

#include "swoop/detail/access.hpp"

namespace swoop {

namespace {

void check_field(std::string_view value, const char* what, bool refuse_nul) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || (refuse_nul && c == '\0')) {
      throw std::invalid_argument(std::string{"server-sent event: "} + what +
                                  " must not contain CR, LF or NUL");
    }
  }
}

}  // namespace

std::string format_event(const Event& e) {
  check_field(e.event, "event type", false);
  check_field(e.id, "id", true);  // a NUL makes clients ignore the id
  std::string out;
  out.reserve(e.data.size() + e.event.size() + e.id.size() + 32);
  if (!e.event.empty()) {
    out += "event: ";
    out += e.event;
    out += '\n';
  }
  if (!e.id.empty()) {
    out += "id: ";
    out += e.id;
    out += '\n';
  }
  if (e.retry) {
    out += "retry: ";
    out += std::to_string(e.retry->count() < 0 ? 0 : e.retry->count());
    out += '\n';
  }
  // Any of CRLF, CR and LF ends a line in the stream; each line of data is its own field.
  std::string_view data = e.data;
  for (;;) {
    const std::size_t end = data.find_first_of("\r\n");
    out += "data: ";
    out += data.substr(0, end);
    out += '\n';
    if (end == std::string_view::npos) break;
    const std::size_t next =
        data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n' ? end + 2 : end + 1;
    data.remove_prefix(next);
  }
  out += '\n';
  return out;
}

Task<void> EventStream::comment(std::string_view text) {
  std::string line = ":";
  if (!text.empty()) line += ' ';
  for (char c : text) line += c == '\r' || c == '\n' ? ' ' : c;
  line += "\n\n";
  return out_->write(line);
}

namespace detail {

void set_body_source(Response& res, std::shared_ptr<BodySource> source) noexcept {
  Access::set_body_source(res, std::move(source));
}

void prepare_event_stream(Response& res) {
  res.set_header("Content-Type", "text/event-stream; charset=utf-8");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // nginx: pass events on at once
}

}  // namespace detail

}  // namespace swoop
