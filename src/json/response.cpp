// SPDX-License-Identifier: MIT
// JSON responses: swoop::json() and the body-plus-headers assembly the typed overloads share.
#include <string>
#include <utility>

#include "swoop/headers.hpp"
#include "swoop/json.hpp"

namespace swoop {

namespace detail {
Response make_json_response(std::string body, int status, const HeaderList& headers) {
  Response res = json_text(std::move(body), status);
  for (const auto& [name, value] : headers) {
    // Several headers of one name are kept (Link, Set-Cookie), but only one Content-Type.
    if (iequals(name, "Content-Type")) {
      res.set_header(name, value);
    } else {
      res.add_header(name, value);
    }
  }
  return res;
}
}  // namespace detail

Response json(const JsonValue& value, StatusCode status, const HeaderList& headers) {
  std::string body = detail::take_body_buffer();
  write_json(body, value);
  return detail::make_json_response(std::move(body), status, headers);
}

}  // namespace swoop
