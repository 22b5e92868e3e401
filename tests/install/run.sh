#!/usr/bin/env bash
# Installs swoop from a build tree into a temporary prefix, then configures, builds and runs
# the consumer project against it with find_package(swoop).
# Usage: run.sh BUILD_DIR SOURCE_DIR [extra CMAKE_CXX_FLAGS]
set -euo pipefail
build="$1"; src="$2"; flags="${3:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/install/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
