// SPDX-License-Identifier: MIT
// Default error responses: status and message as JSON, HTML or text, chosen by Accept.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "app/app_state.hpp"
#include "http/grammar.hpp"
#include "http/html.hpp"
#include "http/request_builder.hpp"
#include "swoop/json.hpp"
#include "swoop/log.hpp"

namespace swoop::detail {

namespace {

enum class Format { text, json, html };

/// The weight the Accept header gives type (in thousandths), and how specifically it names it
/// (3 exact, 2 type/*, 1 */*).
std::pair<int, int> quality(std::string_view accept, std::string_view type) {
  const std::string_view major = type.substr(0, type.find('/'));
  int best_q = 0, best_spec = 0;
  for (const std::string_view item : ListItems{accept}) {
    std::string_view params;
    const std::string_view range = split_parameters(item, params);
    int spec = 0;
    if (iequals(range, type))
      spec = 3;
    else if (range.size() == major.size() + 2 && iequals(range.substr(0, major.size()), major) &&
             range.substr(major.size()) == "/*")
      spec = 2;
    else if (range == "*/*")
      spec = 1;
    if (spec > best_spec) best_spec = spec, best_q = weight(params).value_or(0);
  }
  return {best_q, best_spec};
}

Format negotiate(const Request& req) {
  const auto accept = req.header("Accept");
  if (!accept) return Format::text;
  const auto [qj, sj] = quality(*accept, "application/json");
  const auto [qh, sh] = quality(*accept, "text/html");
  // Only ranges that name the type (or its major type) count: "*/*" alone means plain text.
  const bool json = sj >= 2 && qj > 0, html = sh >= 2 && qh > 0;
  if (json && (!html || qj > qh)) return Format::json;
  if (html) return Format::html;
  return Format::text;
}

std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name{
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), &std::free};
  return status == 0 && name ? name.get() : t.name();
}

struct ErrorInfo {
  int status = 500;
  std::string message = "Internal Server Error";
  std::string detail;  // debug only: exception type and what()
};

ErrorInfo describe(const Request& req, const std::exception_ptr& error, bool debug) {
  ErrorInfo info;
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    info.status = e.status();
    info.message = e.what();
    if (!e.is_quiet() && e.status() >= 500) {
      log(LogLevel::error, "{} {}: HTTP {}: {}", req.method(), req.path(), e.status(), e.what());
    }
  } catch (const Cancelled&) {
    info.status = 503;
    info.message = "Service Unavailable";
  } catch (const std::exception& e) {
    log(LogLevel::error, "unhandled exception in {} {}: {}: {}", req.method(), req.path(),
        type_name(typeid(e)), e.what());
    if (debug) info.detail = type_name(typeid(e)) + ": " + e.what();
  } catch (...) {
    log(LogLevel::error, "unhandled non-standard exception in {} {}", req.method(), req.path());
  }
  return info;
}

}  // namespace

Response render_error(const Request& req, std::exception_ptr error, bool debug,
                      ErrorFormat format) {
  ErrorInfo info = describe(req, error, debug);
  const HttpError* http = nullptr;
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    http = &e;  // error (held by this frame) keeps the object alive
  } catch (...) {
  }
  Response r{info.status};
  if (http != nullptr) {
    for (const auto& [name, value] : http->headers()) {
      try {
        r.add_header(name, value);
      } catch (const std::invalid_argument&) {
        log(LogLevel::warning, "dropped an invalid header from an HttpError");
      }
    }
  }
  Format chosen = negotiate(req);
  if (format == ErrorFormat::json) chosen = Format::json;
  if (format == ErrorFormat::html) chosen = Format::html;
  if (format == ErrorFormat::text) chosen = Format::text;
  switch (chosen) {
    case Format::json: {
      JsonObject e{{"status", info.status}, {"message", info.message}};
      if (!info.detail.empty()) e.push_back({"detail", info.detail});
      std::string body = to_json(JsonObject{{"error", std::move(e)}});
      if (http != nullptr && !http->context_json().empty()) {
        body.insert(body.size() - 2, ",\"context\":" + http->context_json());
      }
      r.set_body(std::move(body), "application/json");
      break;
    }
    case Format::html: {
      std::string title =
          std::to_string(info.status) + " " + std::string{reason_phrase(info.status)};
      std::string body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>";
      append_html_escaped(body, title);
      body += "</title></head><body><h1>";
      append_html_escaped(body, title);
      body += "</h1><p>";
      append_html_escaped(body, info.message);
      body += "</p>";
      if (!info.detail.empty()) {
        body += "<pre>";
        append_html_escaped(body, info.detail);
        body += "</pre>";
      }
      body += "</body></html>";
      r.set_body(std::move(body), "text/html; charset=utf-8");
      break;
    }
    case Format::text:
      r.set_body(info.detail.empty() ? info.message : info.message + "\n" + info.detail,
                 "text/plain; charset=utf-8");
      break;
  }
  return r;
}

Response fallback_response(const Match& m) {
  if (m.verdict == 204) {
    Response r{204};
    r.set_header("Allow", m.allow);
    return r;
  }
  if (m.verdict == 405)
    throw MethodNotAllowed{"Method Not Allowed", {{"Allow", std::string{m.allow}}}};
  throw NotFound{};
}

}  // namespace swoop::detail
