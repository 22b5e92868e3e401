// SPDX-License-Identifier: MIT
// Umbrella header: includes every public swoop header.
#pragma once

#include "swoop/app.hpp"
#include "swoop/app_config.hpp"
#include "swoop/blocking.hpp"
#include "swoop/blueprint.hpp"
#include "swoop/builtin_middleware.hpp"
#include "swoop/client.hpp"
#include "swoop/config.hpp"
#include "swoop/context.hpp"
#include "swoop/cookies.hpp"
#include "swoop/describe.hpp"
#include "swoop/error.hpp"
#include "swoop/form.hpp"
#include "swoop/gather.hpp"
#include "swoop/handler.hpp"
#include "swoop/headers.hpp"
#include "swoop/json.hpp"
#include "swoop/json_view.hpp"
#include "swoop/json_writer.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"
#include "swoop/middleware.hpp"
#include "swoop/openapi.hpp"
#include "swoop/options.hpp"
#include "swoop/pubsub.hpp"
#include "swoop/registry.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/router.hpp"
#include "swoop/server.hpp"
#include "swoop/setting.hpp"
#include "swoop/spawn.hpp"
#include "swoop/static_files.hpp"
#include "swoop/status.hpp"
#include "swoop/stream.hpp"
#include "swoop/sync_wait.hpp"
#include "swoop/task.hpp"
#include "swoop/testing.hpp"
#include "swoop/time.hpp"
#include "swoop/url.hpp"
#include "swoop/websocket.hpp"

/// @namespace swoop
/// swoop: an embeddable async web microframework for C++20. Start at swoop::App; the guide
/// is in docs/guide/ of the source tree.

/// @namespace swoop::http
/// The HTTP client: swoop::http::Client and what it returns and throws.
