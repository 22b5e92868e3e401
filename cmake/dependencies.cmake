# SPDX-License-Identifier: MIT
# Finds swoop's dependencies, all from Debian packages; a missing one names its apt package.

function(swoop_require found package what)
  if(NOT ${found})
    message(FATAL_ERROR "swoop needs ${what}: install it with `sudo apt-get install ${package}` "
                        "(or run scripts/setup, which installs everything swoop needs)")
  endif()
endfunction()

find_package(PkgConfig QUIET)
swoop_require(PKG_CONFIG_FOUND pkg-config "pkg-config")
pkg_check_modules(SWOOP_LIBUV QUIET IMPORTED_TARGET libuv>=1.44)
swoop_require(SWOOP_LIBUV_FOUND libuv1-dev "libuv (>= 1.44)")
if(NOT TARGET swoop::libuv)
  add_library(swoop::libuv ALIAS PkgConfig::SWOOP_LIBUV)
endif()

set(SWOOP_LLHTTP_DIR /usr/share/llhttp CACHE PATH "Directory holding llhttp's C sources")
set(SWOOP_LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "Directory holding llhttp.h")
set(SWOOP_LLHTTP_SOURCES
  ${SWOOP_LLHTTP_DIR}/api.c ${SWOOP_LLHTTP_DIR}/http.c ${SWOOP_LLHTTP_DIR}/llhttp.c)
if(EXISTS ${SWOOP_LLHTTP_DIR}/llhttp.c AND EXISTS ${SWOOP_LLHTTP_INCLUDE_DIR}/llhttp.h)
  set(SWOOP_LLHTTP_FOUND TRUE)
endif()
swoop_require(SWOOP_LLHTTP_FOUND node-llhttp "llhttp's C sources (/usr/share/llhttp)")

find_package(simdjson QUIET)
swoop_require(simdjson_FOUND libsimdjson-dev "simdjson")
find_package(fmt QUIET)
swoop_require(fmt_FOUND libfmt-dev "fmt")
find_package(ZLIB QUIET)
swoop_require(ZLIB_FOUND zlib1g-dev "zlib")
find_package(OpenSSL QUIET)
swoop_require(OPENSSL_FOUND libssl-dev "OpenSSL")
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
if(SWOOP_BUILD_TESTS)
  find_package(doctest QUIET)
  swoop_require(doctest_FOUND doctest-dev "doctest")
endif()
