// SPDX-License-Identifier: MIT
// Kubernetes service links, told apart from settings in the environment.
#include "app/service_links.hpp"

#include <fmt/format.h>

#include <cctype>

namespace swoop::detail {

bool is_service_link_value(std::string_view v) {
  const std::size_t scheme = v.find("://");
  const std::string_view proto = v.substr(0, scheme);
  if (scheme == std::string_view::npos || (proto != "tcp" && proto != "udp" && proto != "sctp")) {
    return false;
  }
  v.remove_prefix(scheme + 3);
  const std::size_t colon = v.rfind(':');
  auto only = [](std::string_view s, std::string_view allowed) {
    return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
  };
  if (colon == std::string_view::npos || !only(v.substr(colon + 1), "0123456789")) return false;
  std::string_view host = v.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) {
    return only(host.substr(1, host.size() - 2), "0123456789abcdefABCDEF:.");
  }
  return only(host, "0123456789.");
}

bool is_service_link_name(std::string_view rest) {
  if (rest == "SERVICE_HOST" || rest == "SERVICE_PORT") return true;
  if (rest.starts_with("SERVICE_PORT_")) return rest.size() > 13;  // a named port
  if (!rest.starts_with("PORT_")) return false;
  rest.remove_prefix(5);
  const std::size_t digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos || rest[digits] != '_') return false;
  rest.remove_prefix(digits + 1);
  for (std::string_view proto : {"TCP", "UDP", "SCTP"}) {
    if (!rest.starts_with(proto)) continue;
    rest.remove_prefix(proto.size());
    return rest.empty() || rest == "_PROTO" || rest == "_PORT" || rest == "_ADDR";
  }
  return false;
}

namespace {
// The Service whose links have the prefix: "SWOOP_" is the prefix of the Service "swoop".
std::string service_name(std::string_view prefix) {
  if (prefix.ends_with('_')) prefix.remove_suffix(1);
  std::string name;
  for (const char c : prefix) {
    name += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}
}  // namespace

std::string service_links_warning(std::string_view prefix, const std::vector<std::string>& vars) {
  return fmt::format(
      "config: ignoring {}: Kubernetes service links for a Service named '{}', whose variables "
      "share the prefix {} with the settings; to keep them out, set enableServiceLinks: false in "
      "the pod spec, or give the app another prefix with app.config().load_env(\"MYSVC_\") before "
      "run()",
      fmt::join(vars, ", "), service_name(prefix), prefix);
}

}  // namespace swoop::detail
