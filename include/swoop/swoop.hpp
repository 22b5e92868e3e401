// SPDX-License-Identifier: MIT
// Umbrella header: includes every public swoop header.
#pragma once

#include "swoop/blocking.hpp"
#include "swoop/config.hpp"
#include "swoop/error.hpp"
#include "swoop/gather.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"
#include "swoop/spawn.hpp"
#include "swoop/sync_wait.hpp"
#include "swoop/task.hpp"
#include "swoop/time.hpp"
