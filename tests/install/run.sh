#!/usr/bin/env bash
# Builds and runs tests/install/consumer, a separate project, with swoop brought in one of the
# ways a user may choose (MODE):
#   find_package  swoop installed from BUILD_DIR into a temporary prefix (cmake --install)
#   pkg_config    the same install, and the consumer built by one compiler command with
#                 `pkg-config --cflags --libs swoop`
#   subdirectory  add_subdirectory(SOURCE_DIR)
#   fetchcontent  FetchContent of a file:// URL of a .tar.gz of SOURCE_DIR (the files git
#                 knows, tracked or new, when SOURCE_DIR is a checkout)
# The last two build the library from source, inside the consumer's build.
# Usage: run.sh MODE BUILD_DIR SOURCE_DIR [extra compiler flags]
set -euo pipefail
mode="$1"; build="$2"; src="$3"; flags="${4:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/swoop-install-$mode.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/log"

# Runs a step quietly; on failure prints its output.
quiet() {
  "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "install/$mode: failed: $*" >&2; exit 1; }
}

source_archive() {
  local out="$1"
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
      tar --null -T - --transform 's,^,swoop/,' -czf "$out")
  else
    tar -C "$src" --anchored --exclude='./build*' --exclude=./.git --transform 's,^\.,swoop,' \
      -czf "$out" .
  fi
}

consumer="$src/tests/install/consumer"
if [[ "$mode" == pkg_config ]]; then
  quiet cmake --install "$build" --prefix "$work/prefix"
  pc="$(find "$work/prefix" -name swoop.pc)"
  pc_flags="$(PKG_CONFIG_PATH="${pc%/swoop.pc}" pkg-config --cflags --libs swoop)"
  # shellcheck disable=SC2086 # the flags are lists of words
  quiet c++ -std=c++20 $flags "$consumer/main.cpp" -o "$work/consumer" $pc_flags
  "$work/consumer"
  exit 0
fi

args=(-G Ninja -DCMAKE_CXX_FLAGS="$flags" -DCONSUMER_SWOOP_FROM="$mode")
case "$mode" in
  find_package)
    quiet cmake --install "$build" --prefix "$work/prefix"
    args+=(-DCMAKE_PREFIX_PATH="$work/prefix") ;;
  subdirectory)
    args+=(-DCONSUMER_SWOOP_SOURCE="$src") ;;
  fetchcontent)
    source_archive "$work/swoop.tar.gz"
    args+=(-DCONSUMER_SWOOP_SOURCE="file://$work/swoop.tar.gz") ;;
  *) echo "run.sh: MODE is find_package, pkg_config, subdirectory or fetchcontent" >&2; exit 2 ;;
esac
quiet cmake -S "$consumer" -B "$work/build" "${args[@]}"
start=$SECONDS
quiet cmake --build "$work/build"
echo "install/$mode: consumer built in $((SECONDS - start)) s"
"$work/build/consumer"
