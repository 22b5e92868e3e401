// SPDX-License-Identifier: MIT
// The built-in settings of AppConfig: each a row of the reference and the RunOptions field it
// fills.
#pragma once

#include <string>
#include <vector>

#include "swoop/app_config.hpp"

namespace swoop::detail {

/// A built-in setting: its row of the reference (the default printed from RunOptions{}), and
/// how it fills its RunOptions field.
struct BuiltinSetting {
  ConfigEntry entry;
  /// Gives the field the config's value unless the caller gave it (Setting::is_given); null for
  /// log_level, which App::run applies itself.
  void (*fill)(const AppConfig& config, const std::string& name, RunOptions& options) = nullptr;
};

/// The built-in settings, in reference order.
const std::vector<BuiltinSetting>& builtin_settings();

}  // namespace swoop::detail
