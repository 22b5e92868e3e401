// SPDX-License-Identifier: MIT
// Internal: a response body sent from an open file with sendfile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "swoop/detail/body.hpp"

namespace swoop::detail {

/// Literal bytes, then length bytes of the file from offset (one part of a range response).
struct FileSegment {
  std::string prefix;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// A body that sends segments of the file fd (which it owns and closes); its length is the
/// sum of the segments.
std::shared_ptr<BodySource> make_file_body(int fd, std::vector<FileSegment> segments);

}  // namespace swoop::detail
