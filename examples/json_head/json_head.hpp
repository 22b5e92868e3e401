// SPDX-License-Identifier: MIT
// json_head's helpers: its own flags, one HEAD as a JSON object, the usage page.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <swoop/swoop.hpp>
#include <vector>

namespace json_head {

/// json_head's flags on top of example::parse_args's --host, --port, --workers.
struct Flags {
  std::chrono::milliseconds timeout{5000};  ///< --timeout-ms: per URL
  std::size_t max_urls = 10;                ///< --max-urls: more answer 400
  bool allow_private = false;               ///< --allow-private: loopback/private targets too
  std::string ca_file;                      ///< --ca-file: a PEM CA trusted besides the system's
};

/// Removes json_head's own flags from argv (argc shrinks); exits with usage on a mistake.
inline Flags take_flags(int& argc, char** argv) {
  Flags flags;
  auto number = [&](int i) -> long {
    char* end = nullptr;
    const long n = i < argc ? std::strtol(argv[i], &end, 10) : -1;
    if (end == nullptr || *end != '\0' || n <= 0) {
      std::fprintf(stderr,
                   "%s: %s needs a positive number\nusage: %s [--host ADDR] [--port N] "
                   "[--workers N] [--timeout-ms N] [--max-urls N] [--allow-private] "
                   "[--ca-file PEM]\n",
                   argv[0], argv[i - 1], argv[0]);
      std::exit(2);
    }
    return n;
  };
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--allow-private") {
      flags.allow_private = true;
    } else if (arg == "--timeout-ms") {
      flags.timeout = std::chrono::milliseconds{number(++i)};
    } else if (arg == "--ca-file" && i + 1 < argc) {
      flags.ca_file = argv[++i];
    } else if (arg == "--max-urls") {
      flags.max_urls = static_cast<std::size_t>(number(++i));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return flags;
}

inline bool is_http_url(std::string_view url) {
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  auto starts = [&](std::string_view p) {
    return url.size() >= p.size() && std::equal(p.begin(), p.end(), url.begin(),
                                                [&](char a, char b) { return a == lower(b); });
  };
  return starts("http://") || starts("https://");
}

// Header names keep the upstream's case; a repeated header is joined with ", ".
inline swoop::JsonObject headers_of(const swoop::http::ClientResponse& res) {
  swoop::JsonObject out;
  for (const auto& [name, value] : res.headers) {
    auto same = [&](const swoop::JsonMember& m) { return swoop::iequals(m.key, name); };
    if (auto it = std::find_if(out.begin(), out.end(), same); it != out.end()) {
      it->value = it->value.as_string() + ", " + value;
    } else {
      out.push_back({name, value});
    }
  }
  return out;
}

inline swoop::JsonValue failure(std::string error, std::string url) {
  return swoop::JsonObject{{"ok", false}, {"error", std::move(error)}, {"url", std::move(url)}};
}

/// HEADs url without following redirects; every failure becomes {"ok": false, ...}.
/// The client is the caller's, which awaits this task through gather.
inline swoop::Task<swoop::JsonValue> head_one(swoop::http::Client& client, std::string url) {
  if (!is_http_url(url)) {
    co_return failure("unsupported URL: only http:// and https:// URLs are accepted", url);
  }
  try {
    auto res = co_await client.head(url);
    co_return swoop::JsonObject{
        {"ok", true}, {"status", res.status}, {"headers", headers_of(res)}, {"url", url}};
  } catch (const swoop::http::ClientError& e) {
    co_return failure(e.what(), url);
  }
}

inline constexpr std::string_view usage_page = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>json_head</title></head><body>
<h1>json_head</h1>
<p>HEADs one or more URLs in parallel and answers their status codes and headers as JSON.</p>
<pre>GET /?url=https://example.com/&amp;url=https://example.org/missing</pre>
<p>The answer is an array, one object per <code>url</code>, in order:
<code>{"ok": true, "status": 200, "headers": {...}, "url": "..."}</code> or
<code>{"ok": false, "error": "...", "url": "..."}</code>. Redirects are reported, not followed.
Only http and https URLs; private, loopback and link-local targets are refused.</p>
</body></html>
)";

}  // namespace json_head
