// SPDX-License-Identifier: MIT
// The blueprints example's parts: each blueprint is built in its own file.
#pragma once

#include <map>
#include <string>
#include <swoop/swoop.hpp>

/// Per-worker resource prepared by a before_server_start listener.
struct ItemStore {
  std::map<std::string, double> prices;
};

swoop::Blueprint make_users();
swoop::Blueprint make_items();
swoop::Blueprint make_health();
