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
pkg_check_modules(SWOOP_NGHTTP2 QUIET IMPORTED_TARGET libnghttp2>=1.52)
swoop_require(SWOOP_NGHTTP2_FOUND libnghttp2-dev "nghttp2 (>= 1.52)")
if(NOT TARGET swoop::nghttp2)
  add_library(swoop::nghttp2 ALIAS PkgConfig::SWOOP_NGHTTP2)
endif()
pkg_check_modules(SWOOP_HIREDIS QUIET IMPORTED_TARGET hiredis>=0.14)
swoop_require(SWOOP_HIREDIS_FOUND libhiredis-dev "hiredis (>= 0.14)")
if(NOT TARGET swoop::hiredis)
  add_library(swoop::hiredis ALIAS PkgConfig::SWOOP_HIREDIS)
endif()
# Debian 12 backports two flood limits to nghttp2 1.52: the stream reset rate limit
# (CVE-2023-44487, upstream 1.57) and the CONTINUATION limit (CVE-2024-28182, upstream 1.61).
# SWOOP_NGHTTP2_RESET_RATE_LIMIT and SWOOP_NGHTTP2_MAX_CONTINUATIONS say whether they are there.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_INCLUDES ${SWOOP_NGHTTP2_INCLUDE_DIRS})
set(CMAKE_REQUIRED_LIBRARIES ${SWOOP_NGHTTP2_LINK_LIBRARIES})
set(CMAKE_REQUIRED_QUIET ON)
check_symbol_exists(nghttp2_option_set_stream_reset_rate_limit nghttp2/nghttp2.h
                    SWOOP_NGHTTP2_RESET_RATE_LIMIT)
check_symbol_exists(nghttp2_option_set_max_continuations nghttp2/nghttp2.h
                    SWOOP_NGHTTP2_MAX_CONTINUATIONS)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_QUIET)

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
