// SPDX-License-Identifier: MIT
// Tests of swoop/static_files.hpp: swoop::file with its FileOptions, and StaticOptions' effects.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::Task;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system's temporary directory, removed with its contents.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> serial{0};
    std::random_device random;
    path = fs::temp_directory_path() /
           ("swoop-unit-static-" + std::to_string(random()) + "-" + std::to_string(++serial));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes content to the file at relative (directories made as needed); returns its path.
  std::string write(const std::string& relative, const std::string& content) const {
    const fs::path p = path / relative;
    fs::create_directories(p.parent_path());
    std::ofstream{p, std::ios::binary} << content;
    return p.string();
  }
};

}  // namespace

TEST_SUITE("static_files") {
  TEST_CASE("file sends a file with its type from the extension and no caching by default") {
    TempDir dir;
    const std::string data = dir.write("data.json", R"({"a":1})");
    swoop::App app;
    app.get("/data")([data](Request& req) { return swoop::file(req, data); });
    swoop::TestClient client{app};
    auto r = client.get("/data");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"a":1})");
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(r.header("Content-Length") == "7");
    CHECK(r.header("Accept-Ranges") == "bytes");
    CHECK_FALSE(r.header("Cache-Control"));
    CHECK_FALSE(r.header("Content-Disposition"));
    auto head = client.head("/data");
    CHECK(head.status == 200);
    CHECK(head.header("Content-Length") == "7");
    CHECK(head.body.empty());
  }

  TEST_CASE("FileOptions set the content type, a max-age and an attachment name") {
    TempDir dir;
    const std::string path = dir.write("report.bin", "a,b\n1,2\n");
    swoop::App app;
    app.get("/report")([path](Request& req) {
      swoop::FileOptions options;
      options.content_type = "text/csv";
      options.max_age = std::chrono::hours{1};
      options.download_name = "report.csv";
      return swoop::file(req, path, options);
    });
    swoop::TestClient client{app};
    auto r = client.get("/report");
    CHECK(r.status == 200);
    CHECK(r.body == "a,b\n1,2\n");
    CHECK(r.header("Content-Type") == "text/csv");
    CHECK(r.header("Cache-Control") == "public, max-age=3600");
    CHECK(r.header("Content-Disposition") == "attachment; filename*=UTF-8''report.csv");
  }

  TEST_CASE(
      "file throws HttpError 404 for a missing file or a directory, which a handler catches") {
    TempDir dir;
    dir.write("sub/x.txt", "x");
    swoop::App app;
    const std::string missing = (dir.path / "nope.txt").string();
    const std::string directory = (dir.path / "sub").string();
    app.get("/missing")([missing](Request& req) { return swoop::file(req, missing); });
    app.get("/directory")([directory](Request& req) { return swoop::file(req, directory); });
    app.get("/fallback")([missing](Request& req) -> Task<Response> {
      try {
        co_return co_await swoop::file(req, missing);
      } catch (const swoop::HttpError& e) {
        co_return swoop::text("caught " + std::to_string(e.status()));
      }
    });
    swoop::TestClient client{app};
    CHECK(client.get("/missing").status == 404);
    CHECK(client.get("/directory").status == 404);
    auto fallback = client.get("/fallback");
    CHECK(fallback.status == 200);
    CHECK(fallback.body == "caught 404");
  }

  TEST_CASE("StaticOptions index names the file a directory is answered with, empty for none") {
    TempDir dir;
    dir.write("home.htm", "<p>home</p>");
    dir.write("index.html", "<p>default index</p>");
    dir.write("docs/index.html", "<p>docs</p>");
    swoop::App app;
    app.static_files("/custom", dir.path.string(), {.index = "home.htm"});
    app.static_files("/default", dir.path.string());
    app.static_files("/none", dir.path.string(), {.index = ""});
    swoop::TestClient client{app};
    CHECK(client.get("/custom/").body == "<p>home</p>");
    CHECK(client.get("/custom/docs/").status == 404);  // no home.htm there
    CHECK(client.get("/default/").body == "<p>default index</p>");
    CHECK(client.get("/default/docs/").body == "<p>docs</p>");
    CHECK(client.get("/none/").status == 404);
    CHECK(client.get("/none/index.html").body == "<p>default index</p>");  // still a file
  }

  TEST_CASE("directory_listing lists a directory without its index, max_age marks files") {
    TempDir dir;
    dir.write("files/b.txt", "b");
    dir.write("files/a.txt", "a");
    dir.write("files/inner/c.txt", "c");
    swoop::App app;
    app.static_files("/s", dir.path.string(),
                     {.directory_listing = true, .max_age = std::chrono::seconds{120}});
    swoop::TestClient client{app};
    auto listing = client.get("/s/files/");
    CHECK(listing.status == 200);
    CHECK(listing.header("Content-Type") == "text/html; charset=utf-8");
    const auto a = listing.body.find(">a.txt<");
    const auto b = listing.body.find(">b.txt<");
    const auto inner = listing.body.find(">inner/<");
    CHECK(a != std::string::npos);
    CHECK(b != std::string::npos);
    CHECK(inner != std::string::npos);
    CHECK(a < b);
    auto file = client.get("/s/files/inner/c.txt");
    CHECK(file.body == "c");
    CHECK(file.header("Cache-Control") == "public, max-age=120");
    auto redirect = client.get("/s/files");
    CHECK(redirect.status == 301);
    CHECK(redirect.header("Location") == "/s/files/");
  }

  TEST_CASE("StaticOptions name makes the files url_for targets") {
    TempDir dir;
    dir.write("css/site.css", "body{}");
    swoop::App app;
    app.static_files("/assets/", dir.path.string(), {.name = "assets"});
    CHECK(app.url_for("assets", {{"path", "css/site.css"}}) == "/assets/css/site.css");
    swoop::TestClient client{app};
    auto r = client.get(app.url_for("assets", {{"path", "css/site.css"}}));
    CHECK(r.body == "body{}");
    CHECK(r.header("Content-Type") == "text/css; charset=utf-8");
  }

  TEST_CASE("the root is resolved when a request comes, so it may appear after registration") {
    TempDir dir;
    const fs::path later = dir.path / "later";
    swoop::App app;
    app.static_files("/late", later.string());
    swoop::TestClient client{app};
    CHECK(client.get("/late/a.txt").status == 404);
    dir.write("later/a.txt", "now here");
    CHECK(client.get("/late/a.txt").body == "now here");
  }
}
