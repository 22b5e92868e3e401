# SPDX-License-Identifier: MIT
# CPack settings for the Debian package: `cpack -G DEB` in a Release build tree writes
# libswoop-dev_<version>_<arch>.deb with what cmake/install.cmake installs, under /usr.

set(CPACK_PACKAGE_NAME libswoop-dev)
set(CPACK_PACKAGE_VENDOR "swoop developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "embeddable async web microframework for C++20")
set(CPACK_PACKAGE_DESCRIPTION
    "swoop runs C++20 coroutine handlers on a libuv event loop, in the spirit of Sanic and
Flask: routes, blueprints, middleware, websockets, an HTTP client and a test client.
This package holds the headers, the static library, the CMake package (find_package(swoop))
and a pkg-config file (pkg-config --cflags --libs swoop).")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_PACKAGE_NAME libswoop-dev)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "swoop developers")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# <name>_<version>_<arch>.deb, as Debian names packages (CPack's own default is
# <name>-<version>-Linux.deb); CPack takes the architecture from dpkg --print-architecture.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# What a program built against the package needs: fmt's headers (log.hpp includes
# fmt/format.h), and the libraries libswoop.a calls into, which a static library's user links
# (swoopConfig.cmake finds each of them, libuv through pkg-config, and swoop.pc requires them).
# fmt's symbols carry its major version (fmt::v9), so the package needs that major. llhttp is
# compiled into libswoop.a, so node-llhttp is needed only to build swoop itself.
string(REGEX MATCH "^[0-9]+" SWOOP_FMT_MAJOR "${fmt_VERSION}")
math(EXPR SWOOP_FMT_NEXT_MAJOR "${SWOOP_FMT_MAJOR} + 1")
string(REGEX MATCH "^[0-9]+\\.[0-9]+" SWOOP_SIMDJSON_MINOR "${simdjson_VERSION}")
string(REGEX MATCH "^[0-9]+" SWOOP_OPENSSL_MAJOR "${OPENSSL_VERSION}")
string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS
  "libfmt-dev (>= ${fmt_VERSION})" "libfmt-dev (<< ${SWOOP_FMT_NEXT_MAJOR})"
  "libuv1-dev (>= 1.44)"
  "libnghttp2-dev (>= 1.52)"
  "libhiredis-dev (>= 0.14)"
  "libsimdjson-dev (>= ${SWOOP_SIMDJSON_MINOR})"
  "zlib1g-dev"
  "libssl-dev (>= ${SWOOP_OPENSSL_MAJOR})"
  "pkg-config")

include(CPack)
