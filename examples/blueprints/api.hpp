// SPDX-License-Identifier: MIT
// The blueprints example's parts: each blueprint is built in its own file.
#pragma once

#include <map>
#include <string>
#include <swoop/swoop.hpp>

#include "models.hpp"

/// Per-worker resource prepared by a before_server_start listener: each worker has its own
/// store, so an item created on one connection is seen by the connections of that worker only.
struct ItemStore {
  std::map<std::string, Item> items;  ///< by name
};

swoop::Blueprint make_users();
swoop::Blueprint make_items();
swoop::Blueprint make_health();
