// SPDX-License-Identifier: MIT
// The blueprints example's typed model: described once, read from request bodies (checked, with
// every mistake in one 422) and written back as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <swoop/swoop.hpp>
#include <vector>

/// An item for sale: what POST /v1/api/items takes and what the items routes answer.
struct Item {
  std::string name;               ///< a slug (`dragon-fruit`), 1 to 40 characters
  double price = 0;               ///< from 0 to 10000
  std::vector<std::string> tags;  ///< at most 5; may be left out (empty)

  static constexpr auto json_fields =
      swoop::fields(swoop::field("name", &Item::name, swoop::length(1, 40),
                                 swoop::pattern("^[a-z0-9]+(-[a-z0-9]+)*$")),
                    swoop::field("price", &Item::price, swoop::range(0.0, 10000.0)),
                    swoop::field("tags", &Item::tags, swoop::has_default, swoop::max_items(5)));
};

/// A user, as the users routes answer it.
struct User {
  std::int64_t id = 0;
  std::string name;

  static constexpr auto json_fields =
      swoop::fields(swoop::field("id", &User::id), swoop::field("name", &User::name));
};

/// What GET /health answers.
struct Health {
  std::string status;

  static constexpr auto json_fields = swoop::fields(swoop::field("status", &Health::status));
};
