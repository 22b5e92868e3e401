// SPDX-License-Identifier: MIT
// Typed reading: the issues a document's values raise, and the ValidationError that lists them.
#include "swoop/describe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "json/document.hpp"
#include "swoop/json.hpp"

namespace swoop {

namespace {

std::string summary(const std::vector<ValidationIssue>& issues, std::size_t total) {
  total = std::max(total, issues.size());
  std::string message = total == 1 ? "1 invalid value:" : fmt::format("{} invalid values:", total);
  constexpr std::size_t shown = 5;
  for (std::size_t i = 0; i < issues.size() && i < shown; ++i) {
    const ValidationIssue& issue = issues[i];
    message += i == 0 ? " " : "; ";
    message += issue.path.empty() ? "the body" : issue.path;
    message += ' ';
    message += issue.message;
  }
  if (total > shown) message += fmt::format("; and {} more", total - shown);
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

ValidationError::ValidationError(std::vector<ValidationIssue> issues, std::size_t total)
    : StatusError<422>(summary(issues, total), {}, context(issues)), issues_(std::move(issues)) {}

namespace detail {

void Validator::fail(std::string_view kind, std::string message) {
  if (count_++ >= ValidationError::max_issues) return;
  std::string path;
  for (const Segment& step : steps_) {
    if (step.index == no_index) {
      append_path_key(path, step.key);
    } else if (step.index == verbatim) {
      path += step.key;
    } else {
      append_path_index(path, step.index);
    }
  }
  issues_.push_back({std::move(path), std::move(message), std::string{kind}});
}

void Validator::check() && {
  if (count_ == 0) return;
  if (count_ > ValidationError::max_issues) {
    issues_.back() = {"", fmt::format("and {} more invalid values", count_ - issues_.size() + 1),
                      "too_many"};
  }
  throw ValidationError{std::move(issues_), count_};
}

void Validator::restate(std::size_t since, std::string_view kind, std::string message) {
  if (count_ != since + 1 || count_ > ValidationError::max_issues) return;
  if (issues_.back().kind == kind) issues_.back().message = std::move(message);
}

void fail_kind(Validator& v, std::string_view expected, const JsonView& got) {
  v.fail("type", fmt::format("must be {}, not {}", expected, json_kind_name(got.kind())));
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool search_pattern(std::string_view pattern, std::string_view text) {
  // A pattern is a constant of a description: compiled once per worker thread, then kept
  // (no lock on the request path; a description has few patterns).
  thread_local std::unordered_map<std::string_view, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) {
    try {
      it = compiled.emplace(pattern, std::regex{pattern.begin(), pattern.end()}).first;
    } catch (const std::regex_error& e) {
      throw std::logic_error(fmt::format(
          "swoop::pattern(\"{}\") is not an ECMAScript regular expression: {}", pattern, e.what()));
    }
  }
  return std::regex_search(text.begin(), text.end(), it->second);
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
  // The largest float is written as 3.4028235e+38, a little above FLT_MAX as a double: every
  // double below the midpoint between FLT_MAX and the next power of two rounds to FLT_MAX.
  constexpr double largest = std::numeric_limits<float>::max();
  constexpr double rounds_to_infinity = 0x1.ffffffp127;
  const double d = json.get<double>();
  if (std::abs(d) >= rounds_to_infinity) {
    return v.fail("range", "must be a number within the range of a 32-bit float");
  }
  out = static_cast<float>(std::clamp(d, -largest, largest));
}

bool read_integer(const JsonView& json, std::int64_t min, std::int64_t max, std::int64_t& out,
                  Validator& v) {
  if (!json.is_integer()) {
    fail_kind(v, "an integer", json);
    return false;
  }
  if (json.is_int64()) {
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
  if (json.is_uint64()) {
    out = json.get<std::uint64_t>();
    if (out <= max) return true;
  }
  v.fail("range", fmt::format("must be an integer from 0 to {}", max));
  return false;
}

bool read_enum(const JsonView& json, const std::string_view* names, std::size_t count,
               std::size_t& index, Validator& v) {
  if (!json.is_string()) {
    v.fail("type",
           fmt::format("{}, not {}", one_of_message(names, count), json_kind_name(json.kind())));
    return false;
  }
  index = index_of(names, count, json.get<std::string_view>());
  if (index < count) return true;
  v.fail("enum", one_of_message(names, count));
  return false;
}

std::string one_of_message(const std::string_view* choices, std::size_t count) {
  std::string message = "must be one of";
  for (std::size_t i = 0; i < count; ++i) {
    fmt::format_to(std::back_inserter(message), "{}\"{}\"", i == 0 ? " " : ", ", choices[i]);
  }
  return message;
}

std::size_t index_of(const std::string_view* names, std::size_t count,
                     std::string_view key) noexcept {
  return static_cast<std::size_t>(std::find(names, names + count, key) - names);
}

void fail_duplicate(Validator& v) { v.fail("duplicate", "appears more than once"); }

std::vector<std::string_view> header_values(const RequestHeaders& headers, std::string_view name,
                                            bool list) {
  std::vector<std::string_view> values = headers.get_all(name);
  if (!list) return values;
  std::vector<std::string_view> items;
  for (std::string_view line : values) {
    while (!line.empty()) {
      const std::size_t comma = std::min(line.find(','), line.size());
      std::string_view item = line.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) items.push_back(item);  // RFC 9110 5.6.1: empty elements do not count
      line.remove_prefix(std::min(comma + 1, line.size()));
    }
  }
  return items;
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
  if (value.size() > max_text) {
    return v.fail("pattern", fmt::format("must be at most {} bytes long to match the pattern {}",
                                         max_text, regex));
  }
  if (!detail::search_pattern(regex, value)) {
    v.fail("pattern", fmt::format("must match the pattern {}", regex));
  }
}

}  // namespace swoop
