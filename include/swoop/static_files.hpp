// SPDX-License-Identifier: MIT
// Files as responses: swoop::file and the options of Registry::static_files.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop {

/// How a file is sent.
struct FileOptions {
  std::string content_type;                     ///< empty: from the file name's extension
  std::optional<std::chrono::seconds> max_age;  ///< adds "Cache-Control: public, max-age=N"
  std::string download_name;  ///< non-empty: "Content-Disposition: attachment" with this name
};

/// Serves the file at path as the answer to req.
///
/// Sends the file with sendfile, never reading it whole into memory. Sets Content-Type (from
/// a built-in table of extensions unless given), Content-Length, Last-Modified, a strong ETag
/// and Accept-Ranges; answers If-None-Match / If-Modified-Since with 304, and Range with 206
/// (one range) or 206 multipart/byteranges (several; overlapping ones are merged), or 416 with
/// "Content-Range: bytes */<length>" when no range is satisfiable. A Range that is malformed,
/// not in bytes or whose If-Range does not match is ignored (200). HEAD gets the head only.
/// Throws HttpError 404 when path is not a readable regular file.
/// Lifetime: req must stay valid until the Task completes (the handler's own request does).
/// GCC 12: build options in a local, not inside the co_await expression.
/// Example:
///     co_return co_await swoop::file(req, "/srv/report.pdf");
Task<Response> file(const Request& req, std::string path, FileOptions options);
/// Serves a file with the default options.
inline Task<Response> file(const Request& req, std::string path) {
  return file(req, std::move(path), FileOptions{});
}

/// Options of a directory served by Registry::static_files.
struct StaticOptions {
  std::string index = "index.html";  ///< served for a directory; empty: none
  bool directory_listing = false;    ///< an HTML listing of a directory without its index
  std::optional<std::chrono::seconds> max_age;  ///< "Cache-Control: public, max-age=N"
  std::string name;                             ///< route name (for url_for); empty: none
};

namespace detail {
/// The handler behind Registry::static_files: serves `relative` below root, refusing any path
/// that could leave it ("..", backslashes, NUL, symlinks out of root) with 404.
Task<Response> serve_static(const Request& req, std::string root, std::string relative,
                            StaticOptions options);
/// The Content-Type of a file name by its extension ("application/octet-stream" if unknown).
std::string_view content_type_of(std::string_view name) noexcept;
}  // namespace detail

}  // namespace swoop
