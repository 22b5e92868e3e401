// SPDX-License-Identifier: MIT
// Typed reading: the issues a document's values raise, and the ValidationError that lists them.
#include "swoop/describe.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <regex>
#include <unordered_map>

#include "json/document.hpp"
#include "swoop/json.hpp"

namespace swoop {

namespace {

std::string summary(const std::vector<ValidationIssue>& issues) {
  std::string message =
      issues.size() == 1 ? "1 invalid value:" : fmt::format("{} invalid values:", issues.size());
  constexpr std::size_t shown = 5;
  for (std::size_t i = 0; i < issues.size() && i < shown; ++i) {
    const ValidationIssue& issue = issues[i];
    message += i == 0 ? " " : "; ";
    message += issue.path.empty() ? "the body" : issue.path;
    message += ' ';
    message += issue.message;
  }
  if (issues.size() > shown) message += fmt::format("; and {} more", issues.size() - shown);
  return message;
}

std::string context(const std::vector<ValidationIssue>& issues) {
  JsonArray errors;
  errors.reserve(issues.size());
  for (const ValidationIssue& issue : issues) {
    errors.push_back(
        JsonObject{{"path", issue.path}, {"message", issue.message}, {"kind", issue.kind}});
  }
  return to_json(JsonObject{{"errors", std::move(errors)}});
}

}  // namespace

ValidationError::ValidationError(std::vector<ValidationIssue> issues)
    : StatusError<422>(summary(issues), {}, context(issues)), issues_(std::move(issues)) {}

namespace detail {

void Validator::fail(std::string_view kind, std::string message) {
  if (count_++ >= ValidationError::max_issues) return;
  issues_.push_back({path_, std::move(message), std::string{kind}});
}

void Validator::check() && {
  if (count_ == 0) return;
  if (count_ > ValidationError::max_issues) {
    issues_.back() = {"", fmt::format("and {} more invalid values", count_ - issues_.size() + 1),
                      "too_many"};
  }
  throw ValidationError{std::move(issues_)};
}

void Validator::push_key(std::string_view key) { append_path_key(path_, key); }

void Validator::push_index(std::size_t index) { append_path_index(path_, index); }

void fail_kind(Validator& v, std::string_view expected, const JsonView& got) {
  v.fail("type", fmt::format("must be {}, not {}", expected, json_kind_name(got.kind())));
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool search_pattern(std::string_view pattern, std::string_view text) {
  // A pattern is a constant of a description: compiled once per process, then shared by every
  // worker (std::regex is safe to use from several threads once built).
  static std::mutex mutex;
  static std::unordered_map<std::string_view, std::unique_ptr<const std::regex>> compiled;
  const std::regex* re;
  {
    std::lock_guard lock{mutex};
    auto& slot = compiled[pattern];
    if (!slot) slot = std::make_unique<const std::regex>(pattern.begin(), pattern.end());
    re = slot.get();
  }
  return std::regex_search(text.begin(), text.end(), *re);
}

void read_value(const JsonView& json, bool& out, Validator& v) {
  if (!json.is_bool()) return fail_kind(v, "a boolean", json);
  out = json.get<bool>();
}

void read_value(const JsonView& json, std::string& out, Validator& v) {
  if (!json.is_string()) return fail_kind(v, "a string", json);
  out = json.get<std::string_view>();
}

void read_value(const JsonView& json, double& out, Validator& v) {
  if (!json.is_number()) return fail_kind(v, "a number", json);
  out = json.get<double>();
}

void read_value(const JsonView& json, float& out, Validator& v) {
  if (!json.is_number()) return fail_kind(v, "a number", json);
  const double d = json.get<double>();
  if (std::abs(d) > static_cast<double>(std::numeric_limits<float>::max())) {
    return v.fail("range", "must be a number within the range of a 32-bit float");
  }
  out = static_cast<float>(d);
}

bool read_integer(const JsonView& json, std::int64_t min, std::int64_t max, std::int64_t& out,
                  Validator& v) {
  if (!json.is_integer()) {
    fail_kind(v, "an integer", json);
    return false;
  }
  if (json.is_int()) {
    out = json.get<std::int64_t>();
    if (out >= min && out <= max) return true;
  }
  v.fail("range", fmt::format("must be an integer from {} to {}", min, max));
  return false;
}

bool read_unsigned(const JsonView& json, std::uint64_t max, std::uint64_t& out, Validator& v) {
  if (!json.is_integer()) {
    fail_kind(v, "an integer", json);
    return false;
  }
  if (json.is_uint()) {
    out = json.get<std::uint64_t>();
    if (out <= max) return true;
  }
  v.fail("range", fmt::format("must be an integer from 0 to {}", max));
  return false;
}

bool read_enum(const JsonView& json, const std::string_view* names, std::size_t count,
               std::size_t& index, Validator& v) {
  if (json.is_string()) {
    const std::string_view name = json.get<std::string_view>();
    for (index = 0; index < count; ++index) {
      if (names[index] == name) return true;
    }
  }
  std::string message = "must be one of";
  for (std::size_t i = 0; i < count; ++i) {
    fmt::format_to(std::back_inserter(message), "{}\"{}\"", i == 0 ? " " : ", ", names[i]);
  }
  v.fail("enum", std::move(message));
  return false;
}

void reject_unknown(const JsonView& json, const std::string_view* fields, std::size_t count,
                    Validator& v) {
  for (const auto [key, value] : json.members()) {
    if (std::find(fields, fields + count, key) != fields + count) continue;
    Validator::Step step{v, key};
    v.fail("unknown_field", "is not a field of this object");
  }
}

std::string decimal_range_message(double min, double max) {
  return fmt::format("must be from {} to {}", min, max);
}

}  // namespace detail

void Length::check(const std::string& value, detail::Validator& v) const {
  const std::size_t n = detail::code_points(value);
  if (n >= min && n <= max) return;
  v.fail("length", min == max ? fmt::format("must be {} characters long", min)
                              : fmt::format("must be {} to {} characters long", min, max));
}

void Pattern::check(const std::string& value, detail::Validator& v) const {
  if (!detail::search_pattern(regex, value)) {
    v.fail("pattern", fmt::format("must match the pattern {}", regex));
  }
}

}  // namespace swoop
