// SPDX-License-Identifier: MIT
// Static files over real sockets: path safety, ranges, conditional requests, directories.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::TestClient;
namespace fs = std::filesystem;

namespace {

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream{p, std::ios::binary} << content;
}

/// A directory tree: <base>/secret.txt outside the served root <base>/public.
struct Tree {
  fs::path base, root;
  std::string big = pattern(200000);
  Tree() {
    char tmpl[] = "/tmp/swoop-static-XXXXXX";
    base = ::mkdtemp(tmpl);
    root = base / "public";
    fs::create_directories(root / "sub");
    fs::create_directories(root / "empty");
    write_file(base / "secret.txt", "secret");
    write_file(root / "index.html", "<h1>home</h1>");
    write_file(root / "a.txt", "hello world");
    write_file(root / "big.bin", big);
    write_file(root / "sub" / "b.css", "body{}");
    write_file(root / "empty" / "x <y>.txt", "x");
    fs::create_symlink(base / "secret.txt", root / "out");
    fs::create_symlink(base, root / "outdir");
    fs::create_symlink(root / "a.txt", root / "inlink");
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

void add_routes(swoop::App& app, const Tree& t, bool listing = false) {
  app.static_files("/static", t.root.string(),
                   {.directory_listing = listing, .max_age = std::chrono::seconds{60}});
  app.get("/download")([path = (t.root / "big.bin").string()](Request& req) {
    swoop::FileOptions o;
    o.download_name = "report 1.bin";
    return swoop::file(req, path, o);
  });
  app.get("/missing")([](Request& req) { return swoop::file(req, "/nonexistent/file"); });
}

}  // namespace

TEST_SUITE("static_files") {
  TEST_CASE("files are served with a type, validators and the whole body") {
    Tree t;
    swoop::App app;
    add_routes(app, t);
    TestClient client{app};
    auto r = client.get("/static/a.txt");
    CHECK(r.status == 200);
    CHECK(r.body == "hello world");
    CHECK(r.header("content-type") == "text/plain; charset=utf-8");
    CHECK(r.header("accept-ranges") == "bytes");
    CHECK(r.header("cache-control") == "public, max-age=60");
    CHECK(r.header("etag"));
    CHECK(r.header("last-modified"));
    CHECK(client.get("/static/sub/b.css").header("content-type") == "text/css; charset=utf-8");
    auto big = client.get("/static/big.bin");  // large: sent with sendfile
    CHECK(big.status == 200);
    CHECK(big.header("content-type") == "application/octet-stream");
    CHECK(big.header("content-length") == "200000");
    CHECK(big.body == t.big);
    auto head = client.head("/static/big.bin");
    CHECK(head.header("content-length") == "200000");
    CHECK(head.body.empty());
    auto dl = client.get("/download");
    CHECK(dl.body == t.big);
    CHECK(dl.header("content-disposition") == "attachment; filename*=UTF-8''report%201.bin");
    CHECK(client.get("/missing").status == 404);
    CHECK(client.get("/static/nope.txt").status == 404);
  }

  TEST_CASE("paths that leave the root are refused with 404") {
    Tree t;
    swoop::App app;
    add_routes(app, t, true);
    TestClient client{app};
    for (const char* target : {
             "/static/../secret.txt",
             "/static/%2e%2e/secret.txt",
             "/static/%2E%2E/secret.txt",
             "/static/..%2fsecret.txt",
             "/static/%2e%2e%2fsecret.txt",
             "/static/sub/../../secret.txt",
             "/static/sub/%2e%2e/%2e%2e/secret.txt",
             "/static/..%5csecret.txt",
             "/static/%5c..%5csecret.txt",
             "/static/%252e%252e/secret.txt",
             "/static/%252e%252e%252fsecret.txt",
             "/static/out",
             "/static/outdir/secret.txt",
             "/static/outdir/",
         }) {
      CAPTURE(target);
      auto r = client.get(target);
      CHECK(r.status == 404);
      CHECK(r.body.find("secret") == std::string::npos);
    }
    // A NUL is refused by the connection before any route (400), never served.
    auto nul = client.get("/static/a.txt%00.html");
    CHECK(nul.status == 400);
    CHECK(nul.body.find("secret") == std::string::npos);
    auto raw =
        client.raw("GET /static/..\\secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("secret\r\n") == std::string::npos);
    CHECK(raw.find("HTTP/1.1 200") == std::string::npos);
    CHECK(client.get("/static/inlink").body == "hello world");  // a symlink inside is fine
  }

  TEST_CASE("directories redirect to their slash form, then serve the index or a listing") {
    Tree t;
    swoop::App app;
    add_routes(app, t);
    TestClient client{app};
    auto r = client.get("/static?x=1");
    CHECK(r.status == 301);
    CHECK(r.header("location") == "/static/?x=1");
    CHECK(client.get("/static/").body == "<h1>home</h1>");
    CHECK(client.get("/static/sub").status == 301);
    CHECK(client.get("/static/sub/").status == 404);  // no index, no listing

    swoop::App listing;
    add_routes(listing, t, true);
    TestClient lc{listing};
    auto l = lc.get("/static/empty/");
    CHECK(l.status == 200);
    CHECK(l.body.find("href=\"x%20%3Cy%3E.txt\"") != std::string::npos);
    CHECK(l.body.find("x &lt;y&gt;.txt") != std::string::npos);
  }

  TEST_CASE("conditional requests get 304 when the client's copy is current") {
    Tree t;
    swoop::App app;
    add_routes(app, t);
    TestClient client{app};
    auto first = client.get("/static/a.txt");
    const std::string etag{*first.header("etag")};
    const std::string modified{*first.header("last-modified")};
    auto r = client.get("/static/a.txt", {{"If-None-Match", etag}});
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(r.header("etag") == etag);
    CHECK(client.get("/static/a.txt", {{"If-None-Match", "W/" + etag}}).status == 304);
    CHECK(client.get("/static/a.txt", {{"If-None-Match", "\"x\", " + etag}}).status == 304);
    CHECK(client.get("/static/a.txt", {{"If-None-Match", "*"}}).status == 304);
    CHECK(client.get("/static/a.txt", {{"If-None-Match", "\"other\""}}).status == 200);
    CHECK(client.get("/static/a.txt", {{"If-Modified-Since", modified}}).status == 304);
    CHECK(client.get("/static/a.txt", {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}})
              .status == 200);
    CHECK(client.get("/static/a.txt", {{"If-Modified-Since", "yesterday"}}).status == 200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    CHECK(
        client
            .get("/static/a.txt", {{"If-None-Match", "\"other\""}, {"If-Modified-Since", modified}})
            .status == 200);
    CHECK(client.get("/static/big.bin", {{"If-Match", "\"other\""}}).status == 412);
    auto big = client.get("/static/big.bin");
    CHECK(client.get("/static/big.bin", {{"If-None-Match", std::string{*big.header("etag")}}})
              .status == 304);
  }

  TEST_CASE("byte ranges: single, suffix, open, merged, multiple, unsatisfiable, ignored") {
    Tree t;
    swoop::App app;
    add_routes(app, t);
    TestClient client{app};
    auto range = [&](const char* path, std::string spec, swoop::HeaderList extra = {}) {
      extra.emplace_back("Range", std::move(spec));
      return client.get(path, extra);
    };
    auto r = range("/static/a.txt", "bytes=0-4");
    CHECK(r.status == 206);
    CHECK(r.body == "hello");
    CHECK(r.header("content-range") == "bytes 0-4/11");
    CHECK(r.header("content-length") == "5");
    CHECK(range("/static/a.txt", "bytes=-5").body == "world");
    CHECK(range("/static/a.txt", "bytes=6-").body == "world");
    CHECK(range("/static/a.txt", "bytes=0-100").header("content-range") == "bytes 0-10/11");
    CHECK(range("/static/a.txt", "bytes=-100").body == "hello world");
    auto merged = range("/static/a.txt", "bytes=0-3, 2-6");
    CHECK(merged.status == 206);
    CHECK(merged.body == "hello w");
    auto un = range("/static/a.txt", "bytes=20-30");
    CHECK(un.status == 416);
    CHECK(un.header("content-range") == "bytes */11");
    CHECK(range("/static/a.txt", "bytes=-0").status == 416);
    for (const char* ignored :
         {"bytes=5-2", "bytes=abc", "items=0-1", "bytes=", "bytes=1-2-3", "bytes 0-1"}) {
      CAPTURE(ignored);
      auto g = range("/static/a.txt", ignored);
      CHECK(g.status == 200);
      CHECK(g.body == "hello world");
    }
    auto multi = range("/static/a.txt", "bytes=0-0,-1");
    CHECK(multi.status == 206);
    const std::string type{multi.header("content-type").value_or("")};
    REQUIRE(type.starts_with("multipart/byteranges; boundary="));
    const std::string boundary = type.substr(type.find('=') + 1);
    CHECK(multi.body == "\r\n--" + boundary +
                            "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
                            "0-0/11\r\n\r\nh\r\n--" +
                            boundary +
                            "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
                            "10-10/11\r\n\r\nd\r\n--" +
                            boundary + "--\r\n");
    CHECK(multi.header("content-length") == std::to_string(multi.body.size()));
    // If-Range: the range applies only to the copy the client has.
    const std::string etag{*client.get("/static/a.txt").header("etag")};
    CHECK(range("/static/a.txt", "bytes=0-0", {{"If-Range", etag}}).status == 206);
    CHECK(range("/static/a.txt", "bytes=0-0", {{"If-Range", "\"old\""}}).status == 200);
    // The sendfile path (a large file).
    auto b = range("/static/big.bin", "bytes=100000-100009");
    CHECK(b.status == 206);
    CHECK(b.body == t.big.substr(100000, 10));
    auto bm = range("/static/big.bin", "bytes=0-9,150000-");
    CHECK(bm.status == 206);
    CHECK(bm.body.find(t.big.substr(0, 10)) != std::string::npos);
    CHECK(bm.body.find(t.big.substr(150000)) != std::string::npos);
    CHECK(bm.header("content-length") == std::to_string(bm.body.size()));
  }

  TEST_CASE("blueprints serve static files under their prefix") {
    Tree t;
    swoop::Blueprint bp{"assets", {.url_prefix = "/assets"}};
    bp.static_files("/files", t.root.string(), {.name = "file"});
    swoop::App app;
    app.blueprint(bp);
    CHECK(app.url_for("assets.file", {{"path", "a.txt"}}) == "/assets/files/a.txt");
    TestClient client{app};
    CHECK(client.get("/assets/files/a.txt").body == "hello world");
    CHECK(client.get("/assets/files/../../secret.txt").status == 404);
  }
}
