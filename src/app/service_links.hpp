// SPDX-License-Identifier: MIT
// Internal: Kubernetes service links (enableServiceLinks, on by default). For every Service in
// its namespace a pod gets FOO_SERVICE_HOST, FOO_SERVICE_PORT, FOO_SERVICE_PORT_<NAME>,
// FOO_PORT=tcp://ip:port and FOO_PORT_<n>_<TCP|UDP|SCTP>[_PROTO|_PORT|_ADDR], FOO being the
// Service's name in upper case: a Service named like the config's prefix fills its namespace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace swoop::detail {

/// "tcp://10.96.0.17:80", "udp://[fd00::17]:53": the value of FOO_PORT and FOO_PORT_<n>_<P>.
bool is_service_link_value(std::string_view v);
/// Whether rest, the name after the prefix, is a service link's, whatever its value.
bool is_service_link_name(std::string_view rest);
/// The one warning for all the service-link variables vars found with prefix.
std::string service_links_warning(std::string_view prefix, const std::vector<std::string>& vars);

}  // namespace swoop::detail
