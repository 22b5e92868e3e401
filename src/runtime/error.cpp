// SPDX-License-Identifier: MIT
// The swoop and uv error categories.
#include "swoop/error.hpp"

#include <uv.h>

#include "swoop/status.hpp"

namespace swoop {

namespace {
class SwoopCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "swoop"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::timed_out:
        return "operation timed out";
      case errc::cancelled:
        return "operation cancelled";
      case errc::connection_closed:
        return "connection closed by peer";
      case errc::body_too_large:
        return "body too large";
      case errc::protocol_error:
        return "protocol error";
    }
    return "unknown swoop error";
  }
};

class UvCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "uv"; }
  std::string message(int ev) const override { return uv_strerror(ev); }
};
}  // namespace

const std::error_category& swoop_category() noexcept {
  static const SwoopCategory category;
  return category;
}

const std::error_category& uv_category() noexcept {
  static const UvCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), swoop_category()}; }

std::error_code uv_error(int status) noexcept { return {status, uv_category()}; }

namespace detail {
const char* default_error_message(int status) noexcept {
  const std::string_view phrase = reason_phrase(status);
  // reason_phrase returns views of string literals, so data() is NUL-terminated.
  return phrase.empty() ? "Error" : phrase.data();
}
}  // namespace detail

}  // namespace swoop
