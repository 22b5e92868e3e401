// SPDX-License-Identifier: MIT
// Blueprint and BlueprintGroup: registrations kept as values until an app takes them.
#include "swoop/blueprint.hpp"

#include <stdexcept>

namespace swoop {

Blueprint::Blueprint(std::string name, BlueprintOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  if (name_.empty() || name_.find('.') != std::string::npos) {
    throw std::invalid_argument("a blueprint name must be non-empty and contain no '.'");
  }
}

void Blueprint::add_route(std::string_view pattern, RouteOptions options, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("blueprint '" + name_ +
                                "': route pattern must start with '/': " + std::string{pattern});
  }
  apply_status(pattern, options, handler);
  routes_.push_back({std::string{pattern}, std::move(options), std::move(handler)});
}

const Blueprint* BlueprintGroup::Member::blueprint() const noexcept {
  const auto* p = std::get_if<std::shared_ptr<const Blueprint>>(&value_);
  return p != nullptr ? p->get() : nullptr;
}

const BlueprintGroup* BlueprintGroup::Member::group() const noexcept {
  const auto* p = std::get_if<std::shared_ptr<const BlueprintGroup>>(&value_);
  return p != nullptr ? p->get() : nullptr;
}

}  // namespace swoop
