// SPDX-License-Identifier: MIT
// Fuzzes the websocket codec: frame headers and masking, incremental UTF-8 validation, the
// permessage-deflate offer parser and bounded inflating (src/websocket/).
// Byte 0 selects where the input is split for the incremental checks.
// Invariants: a parsed header never claims more bytes than given and agrees with the bytes;
// masking twice gives the input back; UTF-8 fed in two pieces (split anywhere) is accepted
// exactly when the whole is; inflating never produces more than the limit; compress then
// inflate gives the input back; an accepted offer's answer starts with permessage-deflate.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "websocket/deflate.hpp"
#include "websocket/frame.hpp"

namespace {

using swoop_fuzz::check;
namespace d = swoop::detail;

void check_header(std::string_view in) {
  d::FrameHeader h;
  const int size = d::parse_frame_header(in.data(), in.size(), h);
  if (size <= 0) return;
  check(static_cast<std::size_t>(size) <= in.size(), "header longer than the input");
  check(size == 2 || size == 4 || size == 6 || size == 8 || size == 10 || size == 14,
        "odd header size");
  check(h.opcode == (static_cast<unsigned char>(in[0]) & 0x0F), "opcode differs");
  std::string payload{in.substr(static_cast<std::size_t>(size))};
  const std::string original = payload;
  d::apply_mask(payload.data(), payload.size(), h.mask, 3);
  d::apply_mask(payload.data(), payload.size(), h.mask, 3);
  check(payload == original, "masking twice does not restore the payload");
  std::string frame;
  d::append_frame(frame, static_cast<d::Opcode>(h.opcode), payload, h.fin);
  d::FrameHeader back;
  const int back_size = d::parse_frame_header(frame.data(), frame.size(), back);
  check(back_size > 0 && back.length == payload.size() && back.fin == h.fin && !back.masked,
        "a written frame does not parse back");
}

void check_utf8(std::string_view in, std::size_t split) {
  const bool whole = d::is_valid_utf8(in);
  d::Utf8Validator v;
  const bool pieces =
      v.feed(in.data(), split) && v.feed(in.data() + split, in.size() - split) && v.finish();
  check(whole == pieces, "incremental UTF-8 validation disagrees with the whole");
}

void check_inflate(std::string_view in, std::size_t split) {
  for (const bool takeover : {false, true}) {
    d::DeflateParams params;
    params.client_no_context_takeover = !takeover;
    d::PerMessageDeflate z{params};
    std::string out;
    constexpr std::size_t limit = 64 * 1024;
    auto r = z.decompress(in.data(), split, out, limit);
    if (r == d::InflateResult::ok)
      r = z.decompress(in.data() + split, in.size() - split, out, limit);
    if (r == d::InflateResult::ok) r = z.finish_message(out, limit);
    check(out.size() <= limit, "inflated beyond the limit");
  }
  d::DeflateParams params;
  params.server_no_context_takeover = (in.size() & 1) != 0;
  d::PerMessageDeflate a{params}, b{params};
  for (int round = 0; round < 2; ++round) {
    std::string packed, unpacked;
    check(a.compress(in, packed), "compress failed");
    check(
        b.decompress(packed.data(), packed.size(), unpacked, in.size() + 1) == d::InflateResult::ok,
        "inflating our own output failed");
    check(b.finish_message(unpacked, in.size() + 1) == d::InflateResult::ok, "finish failed");
    check(unpacked == in, "compress then inflate changed the message");
  }
}

void check_offer(std::string_view in) {
  std::string response;
  const std::vector<std::string_view> offers{in};
  if (d::negotiate_deflate(offers, false, response)) {
    check(response.starts_with("permessage-deflate"), "odd extension answer");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = in.empty() ? 0 : data[0] % (in.size() + 1);
  check_header(in);
  check_utf8(in, split);
  if (in.size() <= 4096) check_inflate(in, split);
  check_offer(in);
  return 0;
}
