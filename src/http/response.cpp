// SPDX-License-Identifier: MIT
// Response construction and the named constructors for common responses.
#include "swoop/response.hpp"

#include <stdexcept>

namespace swoop {

namespace {
void check_status(int status) {
  if (status < 100 || status > 599) {
    throw std::invalid_argument("HTTP status must be in 100..599");
  }
}
}  // namespace

Response::Response(int status) : status_(status) { check_status(status); }

void Response::set_status(int status) {
  check_status(status);
  status_ = status;
}

Response text(std::string body, int status) {
  Response r{status};
  r.set_body(std::move(body), "text/plain; charset=utf-8");
  return r;
}

Response html(std::string body, int status) {
  Response r{status};
  r.set_body(std::move(body), "text/html; charset=utf-8");
  return r;
}

Response raw(std::string body, std::string_view content_type, int status) {
  Response r{status};
  r.set_body(std::move(body), content_type);
  return r;
}

Response json_text(std::string serialized, int status) {
  Response r{status};
  r.set_body(std::move(serialized), "application/json");
  return r;
}

Response empty(int status) { return Response{status}; }

Response redirect(std::string_view location, int status) {
  Response r{status};
  r.set_header("Location", location);
  return r;
}

}  // namespace swoop
