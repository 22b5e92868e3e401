// SPDX-License-Identifier: MIT
// json_head: HEAD every ?url= in parallel with swoop::http::Client; answer status and headers.
#include <swoop/swoop.hpp>

#include "example_args.hpp"
#include "json_head.hpp"

int main(int argc, char** argv) {
  const json_head::Flags flags = json_head::take_flags(argc, argv);
  swoop::App app{"json_head"};

  app.get("/")([flags](swoop::Request& req) -> swoop::Task<swoop::Response> {
    std::vector<std::string_view> urls = req.args().get_all("url");
    if (urls.empty()) co_return swoop::html(std::string{json_head::usage_page});
    if (urls.size() > flags.max_urls) {
      throw swoop::BadRequest{"at most " + std::to_string(flags.max_urls) + " urls per request"};
    }
    // One client per request: its pool lives on this worker's loop and closes with it. The
    // address policy runs after DNS, so no spelling of a private address gets through.
    // Bounds per URL (a visitor picks the upstream, so it may be hostile): the timeout for
    // the whole HEAD, and the client's head limits (defaults: 64 KiB of status line and
    // headers, 100 fields, 16 interim 1xx responses); past one the URL's answer is an error
    // and its connection closes. So a request costs at most max_urls heads of 64 KiB.
    swoop::http::ClientOptions options{.max_per_host = flags.max_urls,
                                       .connect_timeout = flags.timeout,
                                       .request_timeout = flags.timeout};
    options.ca_file = flags.ca_file;
    if (!flags.allow_private) options.allow_address = swoop::http::is_public_address;
    swoop::http::Client client{std::move(options)};
    std::vector<swoop::Task<swoop::JsonValue>> heads;
    for (std::string_view url : urls) {
      heads.push_back(json_head::head_one(client, std::string{url}));
    }
    swoop::JsonArray results = co_await swoop::gather(std::move(heads));
    co_return swoop::json(results, 200, {{"Access-Control-Allow-Origin", "*"}});
  });

  app.add_health_routes();  // GET /healthz and /readyz, for a load balancer (deploy/)

  return example::run(app, argc, argv, 8006);
}
