// SPDX-License-Identifier: MIT
// Internal: the task that writes a streamed response body (BodySource) into its protocol's
// BodySink, for HTTP/1.1 connections and HTTP/2 streams alike.
#pragma once

#include <exception>
#include <memory>
#include <utility>

#include "swoop/detail/body.hpp"
#include "swoop/detail/root.hpp"
#include "swoop/error.hpp"
#include "swoop/log.hpp"

namespace swoop::detail {

/// Runs source->send(*sink), then sink->on_stream_done(ok): ok when the body went out whole.
/// An exception other than Cancelled is logged unless sink->is_stream_broken() (the client is
/// gone: nothing to report). Start it with the request's cancel state.
template <typename Sink>
RootTask write_body(Sink* sink, std::shared_ptr<BodySource> source) {
  bool ok = true;
  try {
    co_await source->send(*sink);
  } catch (const Cancelled&) {
    ok = false;
  } catch (const std::exception& e) {
    ok = false;
    if (!sink->is_stream_broken()) log(LogLevel::error, "streamed response cut: {}", e.what());
  } catch (...) {
    ok = false;
    if (!sink->is_stream_broken()) log(LogLevel::error, "streamed response cut");
  }
  source.reset();  // closes a file before the connection or stream moves on
  sink->on_stream_done(ok);
}

}  // namespace swoop::detail
