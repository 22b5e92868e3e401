// SPDX-License-Identifier: MIT
// Tests of form parsing (swoop/form.hpp): urlencoded and multipart bodies, limits and errors.
#include "swoop/form.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "swoop/error.hpp"

namespace {

using Views = std::vector<std::string_view>;
using namespace std::string_literals;
using namespace std::string_view_literals;

static_assert(!std::is_copy_constructible_v<swoop::FormData>);
static_assert(std::is_nothrow_move_constructible_v<swoop::FormData>);
static_assert(std::is_nothrow_move_assignable_v<swoop::FormData>);

constexpr std::string_view urlencoded = "application/x-www-form-urlencoded";
constexpr std::string_view multipart = "multipart/form-data; boundary=XyZ";

// The status parse_form throws, or 0 when it succeeds.
int error_status(std::string_view content_type, std::string_view body,
                 const swoop::FormLimits& limits = {}) {
  try {
    (void)swoop::parse_form(content_type, body, limits);
  } catch (const swoop::HttpError& e) {
    return e.status();
  }
  return 0;
}

// One multipart part with the boundary XyZ: its delimiter line, headers, blank line and content.
std::string part(std::string_view headers, std::string_view content) {
  std::string out = "--XyZ\r\n";
  out.append(headers).append("\r\n").append(content).append("\r\n");
  return out;
}

std::string field(std::string_view name, std::string_view value) {
  std::string headers = "Content-Disposition: form-data; name=\"";
  headers.append(name).append("\"\r\n");
  return part(headers, value);
}

constexpr std::string_view close_delimiter = "--XyZ--\r\n";

bool is_inside(std::string_view view, std::string_view body) {
  return view.data() >= body.data() && view.data() + view.size() <= body.data() + body.size();
}

template <typename Fn>
std::chrono::milliseconds time_of(Fn fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

}  // namespace

TEST_SUITE("form") {
  TEST_CASE("urlencoded fields keep their order and every repeated name") {
    const auto form = swoop::parse_form(urlencoded, "a=1&b=2&a=3");
    REQUIRE(form.size() == 3);
    CHECK(form.get("a") == "1");
    CHECK(form.get_all("a") == Views{"1", "3"});
    CHECK(form.get_all("missing").empty());
    CHECK(form.getlist("a") == form.get_all("a"));
    CHECK(form.contains("b"));
    CHECK_FALSE(form.contains("B"));
    CHECK_FALSE(form.get("c").has_value());
    CHECK(form.get("c", "fallback") == "fallback");
    CHECK(form.get("b", "fallback") == "2");
    std::vector<std::pair<std::string_view, std::string_view>> seen(form.begin(), form.end());
    CHECK(seen == std::vector<std::pair<std::string_view, std::string_view>>{
                      {"a", "1"}, {"b", "2"}, {"a", "3"}});
    CHECK(form.files().empty());
  }

  TEST_CASE("urlencoded names and values decode plus signs and percent escapes") {
    const auto form = swoop::parse_form(urlencoded, "first+name=J%C3%B6rg+M&q=a%2Bb%26c%3Dd&x=1=2");
    CHECK(form.get("first name") == "J\xC3\xB6rg M");
    CHECK(form.get("q") == "a+b&c=d");
    CHECK(form.get("x") == "1=2");
    const auto nul = swoop::parse_form(urlencoded, "z=a%00b");
    CHECK(nul.get("z") == "a\0b"sv);
  }

  TEST_CASE("urlencoded empty values are kept and empty pieces are skipped") {
    const auto form = swoop::parse_form(urlencoded, "&a=&&b&=v&");
    REQUIRE(form.size() == 3);
    CHECK(form.get("a") == "");
    CHECK(form.get("b") == "");
    CHECK(form.get("") == "v");
    CHECK(swoop::parse_form(urlencoded, "").empty());
    CHECK(swoop::parse_form(urlencoded, "&&&").empty());
  }

  TEST_CASE("urlencoded malformed escapes are kept literally") {
    const auto form = swoop::parse_form(urlencoded, "a=%zz&b=100%&c=%4&%=%41&d=%%41");
    CHECK(form.get("a") == "%zz");
    CHECK(form.get("b") == "100%");
    CHECK(form.get("c") == "%4");
    CHECK(form.get("%") == "A");
    CHECK(form.get("d") == "%A");
  }

  TEST_CASE("urlencoded text that needs no decoding is a view into the body") {
    const std::string body = "plain=value&coded=a+b";
    const auto form = swoop::parse_form(urlencoded, body);
    CHECK(is_inside(*form.get("plain"), body));
    CHECK_FALSE(is_inside(*form.get("coded"), body));
    CHECK(form.get("coded") == "a b");
  }

  TEST_CASE("the media type is matched case-insensitively and its parameters are ignored") {
    const auto form = swoop::parse_form("Application/X-WWW-Form-URLEncoded ; charset=UTF-8", "a=1");
    CHECK(form.get("a") == "1");
  }

  TEST_CASE("a moved form keeps its decoded values valid") {
    // A short body makes the decoded text short enough for the small-string buffer.
    auto original = std::make_unique<swoop::FormData>(swoop::parse_form(urlencoded, "k=%41"));
    swoop::FormData moved = std::move(*original);
    original.reset();
    CHECK(moved.get("k") == "A");
    swoop::FormData assigned;
    assigned = std::move(moved);
    CHECK(assigned.get("k") == "A");
  }

  TEST_CASE("an empty content type with an empty body is an empty form") {
    const auto form = swoop::parse_form("", "");
    CHECK(form.empty());
    CHECK(form.size() == 0);
  }

  TEST_CASE("other content types are refused with 415") {
    CHECK(error_status("text/plain", "a=1") == 415);
    CHECK(error_status("application/json", "{}") == 415);
    CHECK(error_status("", "a=1") == 415);
    CHECK(error_status("multipart/mixed; boundary=XyZ", close_delimiter) == 415);
    CHECK(error_status("application/x-www-form-urlencodedx", "a=1") == 415);
    CHECK(error_status("text/plain", "") == 415);
  }

  TEST_CASE("multipart fields and files are parsed with their metadata") {
    const std::string body = field("title", "Hello") +
                             part(
                                 "Content-Disposition: form-data; name=\"upload\"; "
                                 "filename=\"notes.txt\"\r\nContent-Type: text/markdown\r\n"
                                 "X-Extra:  kept \r\n",
                                 "# notes") +
                             field("title", "Again") + std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.size() == 2);
    CHECK(form.get_all("title") == Views{"Hello", "Again"});
    CHECK_FALSE(form.contains("upload"));
    REQUIRE(form.files().size() == 1);
    const swoop::UploadedFile* file = form.file("upload");
    REQUIRE(file != nullptr);
    CHECK(file->name == "upload");
    CHECK(file->filename == "notes.txt");
    CHECK(file->content_type == "text/markdown");
    CHECK(file->data == "# notes");
    CHECK(file->size() == 7);
    REQUIRE(file->headers.size() == 3);
    CHECK(file->headers[2] == swoop::PartHeader{"X-Extra", "kept"});
    CHECK(form.file("title") == nullptr);
    CHECK(form.file("missing") == nullptr);
  }

  TEST_CASE("file data is binary-safe and is a view into the body") {
    const std::string data =
        "\0\x01\xFF\r\n\r\nabc--XyZ\r\n\r\n--XyZX\r\n--XyZ-\r\n--Xy\r\n--XyZ\tx\r\n"
        "end\r\n"s;
    const std::string body =
        part("Content-Disposition: form-data; name=\"bin\"; filename=\"b.bin\"\r\n", data) +
        std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    const swoop::UploadedFile* file = form.file("bin");
    REQUIRE(file != nullptr);
    CHECK(file->data == data);
    CHECK(is_inside(file->data, body));
    CHECK(file->content_type == "text/plain");
  }

  TEST_CASE("multipart field values are raw bytes, not form-decoded") {
    const std::string body = field("f", "a+b%41\r\nline") + std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.get("f") == "a+b%41\r\nline");
  }

  TEST_CASE("a quoted boundary may hold spaces and the other RFC 2046 characters") {
    const std::string boundary = "a b'()+_,-./:=?Z";
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--" +
                             boundary + "--";
    const auto form = swoop::parse_form(
        "multipart/form-data; charset=utf-8; BOUNDARY=\"" + boundary + "\"", body);
    CHECK(form.get("x") == "1");
  }

  TEST_CASE("a boundary of 70 characters is accepted") {
    const std::string boundary(70, 'b');
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--" +
                             boundary + "--\r\n";
    CHECK(swoop::parse_form("multipart/form-data; boundary=" + boundary, body).get("x") == "1");
  }

  TEST_CASE("the preamble and the epilogue are ignored") {
    const std::string body = "This is the preamble.\r\n--XyZ not a boundary line\r\n" +
                             field("a", "1") + "--XyZ--\r\nepilogue\r\n--XyZ\r\ngarbage";
    const auto form = swoop::parse_form(multipart, body);
    REQUIRE(form.size() == 1);
    CHECK(form.get("a") == "1");
  }

  TEST_CASE("a body may start with the CRLF of the first delimiter") {
    const std::string body = "\r\n" + field("a", "1") + "--XyZ--";
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.get("a") == "1");
  }

  TEST_CASE("transport padding after a boundary is allowed") {
    const std::string body =
        "--XyZ \t \r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ  \r\n"
        "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--  \r\n";
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.get("a") == "1");
    CHECK(form.get("b") == "2");
  }

  TEST_CASE("part header names and parameter names are case-insensitive") {
    const std::string body =
        part(
            "content-disposition: Form-Data; NAME=\"f\"; FileName=\"x.png\"\r\n"
            "CONTENT-TYPE: image/png\r\n",
            "png") +
        std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    const swoop::UploadedFile* file = form.file("f");
    REQUIRE(file != nullptr);
    CHECK(file->filename == "x.png");
    CHECK(file->content_type == "image/png");
  }

  TEST_CASE("quoted parameters unescape quotes and backslashes and keep other backslashes") {
    const std::string body = part(
                                 "Content-Disposition: form-data; name=\"a\\\"b\\\\c\"; "
                                 "filename=\"C:\\Users\\me\\a;b.txt\"\r\n",
                                 "x") +
                             std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    REQUIRE(form.files().size() == 1);
    CHECK(form.files()[0].name == "a\"b\\c");
    CHECK(form.files()[0].filename == "C:\\Users\\me\\a;b.txt");
  }

  TEST_CASE("filename* in UTF-8 is decoded and preferred over filename") {
    const std::string body =
        part(
            "Content-Disposition: form-data; name=f; filename=\"fallback.txt\"; "
            "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n",
            "1") +
        part(
            "Content-Disposition: form-data; name=g; filename=\"plain.txt\"; "
            "filename*=ISO-8859-1''%A3.txt\r\n",
            "2") +
        part("Content-Disposition: form-data; name=h; filename*=utf-8'en'only.txt\r\n", "3") +
        std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    REQUIRE(form.files().size() == 3);
    CHECK(form.file("f")->filename == "\xE2\x82\xAC rates.txt");
    CHECK(form.file("g")->filename == "plain.txt");
    CHECK(form.file("h")->filename == "only.txt");
  }

  TEST_CASE("a moved multipart form keeps its unescaped names and decoded file names valid") {
    const std::string body =
        part("Content-Disposition: form-data; name=\"q\\\"\"; filename*=UTF-8''%41\r\n", "x") +
        std::string{close_delimiter};
    auto original = std::make_unique<swoop::FormData>(swoop::parse_form(multipart, body));
    swoop::FormData moved = std::move(*original);
    original.reset();
    REQUIRE(moved.files().size() == 1);
    CHECK(moved.files()[0].name == "q\"");
    CHECK(moved.files()[0].filename == "A");
    CHECK(moved.file("q\"") == &moved.files()[0]);
  }

  TEST_CASE("a part with an empty filename is still a file") {
    const std::string body = part(
                                 "Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
                                 "Content-Type: application/octet-stream\r\n",
                                 "") +
                             std::string{close_delimiter};
    const auto form = swoop::parse_form(multipart, body);
    REQUIRE(form.file("f") != nullptr);
    CHECK(form.file("f")->filename.empty());
    CHECK(form.file("f")->data.empty());
    CHECK(form.size() == 0);
    CHECK_FALSE(form.empty());
  }

  TEST_CASE("files sent under one name are all kept in order") {
    std::string body;
    for (const char* name : {"a.txt", "b.txt", "c.txt"}) {
      body +=
          part(std::string{"Content-Disposition: form-data; name=docs; filename="} + name + "\r\n",
               name);
    }
    body += close_delimiter;
    const auto form = swoop::parse_form(multipart, body);
    const auto docs = form.files("docs");
    REQUIRE(docs.size() == 3);
    CHECK(docs[0]->filename == "a.txt");
    CHECK(docs[2]->data == "c.txt");
    CHECK(form.files("other").empty());
  }

  TEST_CASE("empty parts and a body with no part at all parse") {
    const std::string body = field("empty", "") + "--XyZ--";
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.get("empty") == "");
    CHECK(swoop::parse_form(multipart, "--XyZ--").empty());
  }

  TEST_CASE("many parts are parsed up to the limit") {
    std::string body;
    for (int i = 0; i < 1000; ++i) body += field(fmt::format("f{}", i), std::to_string(i));
    body += close_delimiter;
    const auto form = swoop::parse_form(multipart, body);
    CHECK(form.size() == 1000);
    CHECK(form.get("f0") == "0");
    CHECK(form.get("f999") == "999");
  }

  TEST_CASE("a multipart type without a valid boundary is a 400") {
    const std::string body = field("a", "1") + std::string{close_delimiter};
    CHECK(error_status("multipart/form-data", body) == 400);
    CHECK(error_status("multipart/form-data; charset=utf-8", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=\"\"", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=\"XyZ ", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=\"XyZ \"", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=Xy@Z", body) == 400);
    CHECK(error_status("multipart/form-data; boundary=\"Xy\\Z\"", body) == 400);
  }

  TEST_CASE("a boundary of 71 characters is a 400") {
    const std::string boundary(71, 'b');
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--" +
                             boundary + "--\r\n";
    CHECK(error_status("multipart/form-data; boundary=" + boundary, body) == 400);
  }

  TEST_CASE("a multipart body without its final boundary is a 400") {
    SUBCASE("no boundary line at all") { CHECK(error_status(multipart, "just text") == 400); }
    SUBCASE("an empty body") { CHECK(error_status(multipart, "") == 400); }
    SUBCASE("LF line ends") {
      CHECK(error_status(multipart,
                         "--XyZ\nContent-Disposition: form-data; name=a\n\n1\n--XyZ--") == 400);
    }
    SUBCASE("the content runs to the end") {
      CHECK(error_status(multipart, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1") ==
            400);
    }
    SUBCASE("the body ends after a delimiter line") {
      CHECK(error_status(multipart, field("a", "1")) == 400);
    }
    SUBCASE("the body ends inside part headers") {
      CHECK(error_status(multipart, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n") == 400);
    }
    SUBCASE("the last delimiter is not a delimiter") {
      CHECK(error_status(multipart, field("a", "1") + "--XyZX--") == 400);
    }
  }

  TEST_CASE("malformed part headers are a 400") {
    auto status_of = [](std::string_view headers) {
      return error_status(multipart, part(headers, "v") + std::string{close_delimiter});
    };
    CHECK(status_of("") == 400);  // no Content-Disposition
    CHECK(status_of("Content-Type: text/plain\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data; filename=\"a.txt\"\r\n") == 400);
    CHECK(status_of("Content-Disposition: attachment; name=a\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data; name=\"a\r\n") == 400);
    CHECK(status_of("Content-Disposition form-data; name=a\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data;\r\n name=a\r\n") == 400);
    CHECK(status_of("Bad Name: x\r\nContent-Disposition: form-data; name=a\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data; name=a\rx\r\n") == 400);
    CHECK(status_of("Content-Disposition: form-data; name=a\r\n") == 0);
  }

  TEST_CASE("a part header block larger than the limit is a 400") {
    const std::string headers = "Content-Disposition: form-data; name=a\r\n";  // 40 bytes
    CHECK(headers.size() == 40);
    const std::string body = part(headers, "v") + std::string{close_delimiter};
    CHECK(error_status(multipart, body, {.max_part_header_size = 40}) == 0);
    CHECK(error_status(multipart, body, {.max_part_header_size = 39}) == 400);

    SUBCASE("100 KB of header lines") {
      std::string big = headers;
      while (big.size() < 100 * 1024) big += "X-Filler: 0123456789abcdef0123456789abcdef\r\n";
      CHECK(error_status(multipart, part(big, "v") + std::string{close_delimiter}) == 400);
    }
    SUBCASE("one header line of 100 KB") {
      const std::string big = headers + "X-Long: " + std::string(100 * 1024, 'x') + "\r\n";
      CHECK(error_status(multipart, part(big, "v") + std::string{close_delimiter}) == 400);
    }
    SUBCASE("a header block that never ends") {
      CHECK(error_status(multipart, "--XyZ\r\n" + headers + std::string(100 * 1024, 'x')) == 400);
    }
  }

  TEST_CASE("more fields than the limit is a 413") {
    CHECK(error_status(urlencoded, "a=1&b=2&c=3", {.max_fields = 3}) == 0);
    CHECK(error_status(urlencoded, "a=1&b=2&c=3&d", {.max_fields = 3}) == 413);
    const std::string body = field("a", "1") + field("b", "2") + std::string{close_delimiter};
    CHECK(error_status(multipart, body, {.max_fields = 2}) == 0);
    CHECK(error_status(multipart, body, {.max_fields = 1}) == 413);
  }

  TEST_CASE("more files or parts than the limit is a 413") {
    const std::string file_part =
        part("Content-Disposition: form-data; name=f; filename=f.txt\r\n", "data");
    const std::string body = file_part + file_part + field("a", "1") + std::string{close_delimiter};
    CHECK(error_status(multipart, body, {.max_files = 2, .max_parts = 3}) == 0);
    CHECK(error_status(multipart, body, {.max_files = 1}) == 413);
    CHECK(error_status(multipart, body, {.max_parts = 2}) == 413);
  }

  TEST_CASE("a field or a file larger than the limit is a 413") {
    CHECK(error_status(urlencoded, "a=1234", {.max_field_size = 4}) == 0);
    CHECK(error_status(urlencoded, "a=12345", {.max_field_size = 4}) == 413);
    CHECK(error_status(urlencoded, "abcde=1", {.max_field_size = 4}) == 413);
    CHECK(error_status(urlencoded, "a=%41%42%43%44", {.max_field_size = 4}) == 0);
    const std::string fields = field("a", "12345") + std::string{close_delimiter};
    CHECK(error_status(multipart, fields, {.max_field_size = 5}) == 0);
    CHECK(error_status(multipart, fields, {.max_field_size = 4}) == 413);
    const std::string files =
        part("Content-Disposition: form-data; name=f; filename=f.txt\r\n", "12345") +
        std::string{close_delimiter};
    CHECK(error_status(multipart, files, {.max_field_size = 1, .max_file_size = 5}) == 0);
    CHECK(error_status(multipart, files, {.max_file_size = 4}) == 413);
  }

  TEST_CASE("a million urlencoded fields hit the field limit fast") {
    std::string body;
    body.reserve(4'000'000);
    for (int i = 0; i < 1'000'000; ++i) body += "a=1&";
    int status = 0;
    const auto elapsed = time_of([&] { status = error_status(urlencoded, body); });
    CHECK(status == 413);
    CHECK(elapsed < std::chrono::milliseconds{500});
  }

  TEST_CASE("a hundred thousand multipart parts hit the part limit fast") {
    std::string body;
    const std::string one = field("a", "1");
    body.reserve(one.size() * 100'000 + close_delimiter.size());
    for (int i = 0; i < 100'000; ++i) body += one;
    body += close_delimiter;
    int status = 0;
    const auto elapsed = time_of([&] { status = error_status(multipart, body); });
    CHECK(status == 413);
    CHECK(elapsed < std::chrono::milliseconds{500});
  }

  TEST_CASE("data full of near-miss delimiters is parsed in linear time") {
    // Every CR starts a candidate that matches all but the boundary's last byte, or the whole
    // boundary with a wrong byte after it.
    std::string data;
    data.reserve(8 * 1024 * 1024);
    while (data.size() < 4 * 1024 * 1024) data += "\r\n--Xy\r\n--XyZX";
    const std::string body = part("Content-Disposition: form-data; name=f; filename=f\r\n", data) +
                             std::string{close_delimiter};
    const auto elapsed = time_of([&] {
      const auto form = swoop::parse_form(multipart, body);
      REQUIRE(form.file("f") != nullptr);
      CHECK(form.file("f")->size() == data.size());
    });
    CHECK(elapsed < std::chrono::milliseconds{2000});
  }

  TEST_CASE("form errors are quiet HttpErrors with a message for the client") {
    try {
      (void)swoop::parse_form("text/csv", "a,b");
      FAIL("parse_form accepted text/csv");
    } catch (const swoop::HttpError& e) {
      CHECK(e.status() == 415);
      CHECK(e.is_quiet());
      CHECK(std::string_view{e.what()}.find("multipart/form-data") != std::string_view::npos);
    }
  }
}
