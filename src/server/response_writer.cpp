// SPDX-License-Identifier: MIT
// ResponseWriter: HTTP/1.1 response heads, bodies and chunks, sized first and written in place.
#include "server/response_writer.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "http/status_line.hpp"
#include "swoop/config.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/headers.hpp"

namespace swoop::detail {

namespace {

// The response fields the server writes itself (framing) or adds when absent.
enum class FieldRole { other, framing, server, date };

FieldRole role_of(std::string_view name) noexcept {
  switch (name.size()) {  // most names are ruled out by their length alone
    case 4:
      return iequals(name, "date") ? FieldRole::date : FieldRole::other;
    case 6:
      return iequals(name, "server") ? FieldRole::server : FieldRole::other;
    case 10:
      return iequals(name, "connection") ? FieldRole::framing : FieldRole::other;
    case 14:
      return iequals(name, "content-length") ? FieldRole::framing : FieldRole::other;
    case 17:
      return iequals(name, "transfer-encoding") ? FieldRole::framing : FieldRole::other;
    default:
      return FieldRole::other;
  }
}

char* put(char* p, std::string_view s) noexcept {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view may hold nullptr
  return p + s.size();
}

}  // namespace

bool asks_to_close(const Response& res) noexcept {
  const auto asked = res.headers().get("Connection");
  return asked && iequals(*asked, "close");
}

void ResponseWriter::response(const Response& res, int version, bool head, bool keep_alive) {
  const std::string_view stamp{stamp_, server_and_date_size};
  const std::string& body = res.body();
  const int status = res.status();
  const bool body_allowed = allows_body(status);
  const std::string_view status_line = detail::status_line(status);

  // Framing: Content-Length, or chunked for a stream of unknown length (HTTP/1.1).
  char length[48];
  std::string_view framing;
  if (body_allowed) {
    const auto& source = Access::body_source(res);
    if (!res.is_streamed() || source->length) {
      const std::uint64_t n = res.is_streamed() ? *source->length : body.size();
      std::memcpy(length, "Content-Length: ", 16);
      auto [end, ec] = std::to_chars(length + 16, length + sizeof length - 2, n);
      static_cast<void>(ec);
      std::memcpy(end, "\r\n", 2);
      framing = {length, static_cast<std::size_t>(end + 2 - length)};
    } else if (is_chunked_body(source->length, version)) {
      framing = "Transfer-Encoding: chunked\r\n";
    }
  }
  const std::string_view connection = status == 101   ? "Connection: Upgrade\r\n"
                                      : !keep_alive   ? "Connection: close\r\n"
                                      : version == 10 ? "Connection: keep-alive\r\n"
                                                      : std::string_view{};

  // headers() would place a pending constant Content-Type among the fields (an allocation):
  // write it directly instead; while it is pending there are no other fields.
  const std::string_view pending_type = Access::pending_content_type(res);
  static const Headers no_fields;
  const Headers& fields = pending_type.empty() ? res.headers() : no_fields;
  bool has_server = false, has_date = false;
  std::size_t size = status_line.size() + framing.size() + connection.size() + 2;
  if (!pending_type.empty()) size += 16 + pending_type.size();  // "Content-Type: " CRLF
  for (const auto& f : fields) {
    const FieldRole role = role_of(f.name);
    if (role == FieldRole::framing) continue;  // framing is the server's business
    has_server = has_server || role == FieldRole::server;
    has_date = has_date || role == FieldRole::date;
    size += f.name.size() + f.value.size() + 4;
  }
  constexpr std::size_t server_len = 15;  // "Server: swoop\r\n"
  if (!has_server) size += server_len;
  if (!has_date) size += stamp.size() - server_len;
  const bool with_body = body_allowed && !head;
  if (with_body) size += body.size();

  const std::size_t at = out_.size();
  out_.resize(at + size);
  char* p = out_.data() + at;
  p = put(p, status_line);
  if (!pending_type.empty()) {
    p = put(p, "Content-Type: ");
    p = put(p, pending_type);
    p = put(p, "\r\n");
  }
  for (const auto& f : fields) {
    if (role_of(f.name) == FieldRole::framing) continue;
    p = put(p, f.name);
    p = put(p, ": ");
    p = put(p, f.value);
    p = put(p, "\r\n");
  }
  if (!has_server && !has_date) {
    p = put(p, stamp);
  } else if (!has_server) {
    p = put(p, stamp.substr(0, server_len));
  } else if (!has_date) {
    p = put(p, stamp.substr(server_len));
  }
  p = put(p, framing);
  p = put(p, connection);
  p = put(p, "\r\n");
  if (with_body) p = put(p, body);
  SWOOP_ASSERT(p == out_.data() + out_.size(), "response size miscounted");
}

void ResponseWriter::chunk(std::string_view data) {
  if (data.empty()) return;
  char size[20];
  auto [end, ec] = std::to_chars(size, size + sizeof size, data.size(), 16);
  static_cast<void>(ec);
  out_.append(size, end).append("\r\n").append(data).append("\r\n");
}

}  // namespace swoop::detail
