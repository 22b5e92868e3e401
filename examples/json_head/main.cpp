// SPDX-License-Identifier: MIT
// json_head: HEAD every ?url= in parallel with swoop::http::Client; answer status and headers.
#include <swoop/swoop.hpp>

#include "example_args.hpp"

namespace {

constexpr auto per_url_timeout = std::chrono::seconds{5};

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// Header names keep the upstream's case; a repeated header is joined with ", ".
swoop::JsonObject headers_of(const swoop::http::ClientResponse& res) {
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

// The client is the caller's, which awaits this task through gather (STYLE.md 6, rule b).
swoop::Task<swoop::JsonValue> head_one(swoop::http::Client& client, std::string url) {
  const swoop::http::RequestOptions options{.timeout = per_url_timeout};
  try {
    auto res = co_await client.request("HEAD", url, options);
    co_return swoop::JsonObject{{"url", url}, {"status", res.status}, {"headers", headers_of(res)}};
  } catch (const swoop::http::ClientError& e) {
    co_return swoop::JsonObject{{"url", url}, {"error", e.what()}};
  }
}

}  // namespace

int main(int argc, char** argv) {
  swoop::App app{"json_head"};

  app.get("/")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    std::vector<std::string> urls;
    for (std::string_view url : req.args().getlist("url")) {
      if (!is_http_url(url)) throw swoop::BadRequest{"not an http(s) URL: " + std::string{url}};
      urls.emplace_back(url);
    }
    if (urls.empty()) throw swoop::BadRequest{"usage: GET /?url=http://...&url=https://..."};
    // One client per request: its pool lives on this worker's loop and closes with it.
    swoop::http::Client client;
    std::vector<swoop::Task<swoop::JsonValue>> heads;
    for (auto& url : urls) heads.push_back(head_one(client, url));
    swoop::JsonArray results = co_await swoop::gather(std::move(heads));
    co_return swoop::json(results, 200, {{"Access-Control-Allow-Origin", "*"}});
  });

  app.run(example::parse_args(argc, argv, 8006));
}
