#!/usr/bin/env bash
# The .deb end to end: builds libswoop-dev_<version>_<arch>.deb with cpack, checks its name,
# files and Depends, installs it with apt-get, builds tests/install/consumer against /usr with
# find_package(swoop) and with one `c++ ... $(pkg-config --cflags --libs swoop)` command, runs
# both, then removes the package (always, through a trap) and checks that its files are gone.
# It installs a system package, so it runs only as root, and is not a ctest test: CI runs it
# after the suite. As any other user it says it skipped and exits 0.
# Usage: tests/install/deb.sh [BUILD_DIR]
#   BUILD_DIR: a configured Release build tree without sanitizers (CI passes build/release);
#   without it, a library-only Release build is made in a temporary directory.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "deb.sh: skipped: not root (it installs libswoop-dev with apt-get; CI runs it as root)"
  exit 0
fi
src="$(cd "$(dirname "$0")/../.." && pwd)"
consumer="$src/tests/install/consumer"
work="$(mktemp -d "${TMPDIR:-/tmp}/swoop-deb.XXXXXX")"
log="$work/log"
installed=0
cleanup() {
  if [[ $installed -eq 1 ]]; then
    apt-get remove -y -qq libswoop-dev >/dev/null 2>&1 ||
      echo "deb.sh: could not remove libswoop-dev: run apt-get remove libswoop-dev" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "deb.sh: $*" >&2; exit 1; }
# Runs a step quietly; on failure prints its output.
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "failed: $*"; }; }
step() { echo "deb.sh: $*"; }

# Never replace or remove a swoop the machine already has, and never build against one.
if dpkg-query -W -f='${Status}' libswoop-dev 2>/dev/null | grep -q ' installed$'; then
  fail "libswoop-dev is already installed; remove it first (apt-get remove libswoop-dev)"
fi
for dir in /usr/include/swoop /usr/local/include/swoop /usr/local/lib/cmake/swoop; do
  [[ ! -e "$dir" ]] || fail "$dir exists (a swoop installed by hand?); remove it first"
done

build="${1:-}"
if [[ -z "$build" ]]; then
  build="$work/build"
  quiet cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSWOOP_BUILD_TESTS=OFF -DSWOOP_BUILD_EXAMPLES=OFF -DSWOOP_BUILD_BENCH=OFF
fi
build="$(cd "$build" && pwd)"
cache="$build/CMakeCache.txt"
[[ -f "$cache" ]] || fail "$build is not a configured build tree"
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$cache" || fail "$build is not a Release build"
if grep -qE '^SWOOP_(SANITIZE|TSAN):BOOL=ON$' "$cache"; then
  fail "$build is built with sanitizers: package a plain Release build"
fi
start=$SECONDS
quiet cmake --build "$build" --target swoop
step "library built in $((SECONDS - start)) s"

# The package: its exact name, its files and what it depends on.
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$cache")"
deb="libswoop-dev_${version}_$(dpkg --print-architecture).deb"
(cd "$build" && quiet cpack -G DEB -B "$work/pkg")
made="$(cd "$work/pkg" && ls -- *.deb)"
[[ "$made" == "$deb" ]] || fail "cpack made '$made', expected $deb"
# The package's regular files, as absolute paths (dpkg-deb lists them as ./usr/...).
dpkg-deb -c "$work/pkg/$deb" | awk '$1 ~ /^-/ {print substr($NF, 2)}' >"$work/files"
for file in '/usr/include/swoop/swoop\.hpp' '/usr/include/swoop/config\.hpp' \
  '/usr/lib/(.*/)?libswoop\.a' '/usr/lib/(.*/)?cmake/swoop/swoopConfig\.cmake' \
  '/usr/lib/(.*/)?cmake/swoop/swoopConfigVersion\.cmake' '/usr/lib/(.*/)?pkgconfig/swoop\.pc'; do
  grep -qE "^$file$" "$work/files" || fail "$deb has no $file"
done
depends="$(dpkg-deb -f "$work/pkg/$deb" Depends)"
for package in libfmt-dev libuv1-dev libnghttp2-dev libhiredis-dev libsimdjson-dev zlib1g-dev libssl-dev \
  pkg-config; do
  [[ ", $depends," == *", $package "* || ", $depends," == *", $package,"* ]] ||
    fail "$deb does not depend on $package (Depends: $depends)"
done
[[ "$depends" != *llhttp* ]] || fail "$deb depends on llhttp, which libswoop.a contains"
step "made $deb ($(wc -l <"$work/files") files; Depends: $depends)"

installed=1
quiet apt-get install -y "$work/pkg/$deb"
step "installed $deb"

# find_package(swoop) with no prefix path: the copy under /usr.
quiet cmake -S "$consumer" -B "$work/find_package" -G Ninja -DCONSUMER_SWOOP_FROM=find_package
swoop_dir="$(sed -n 's/^swoop_DIR:PATH=//p' "$work/find_package/CMakeCache.txt")"
[[ "$swoop_dir" == /usr/lib/* ]] || fail "find_package(swoop) found $swoop_dir, not the package's"
quiet cmake --build "$work/find_package"
step "find_package(swoop) from $swoop_dir:"
"$work/find_package/consumer"

# pkg-config, and one compiler command.
[[ "$(pkg-config --modversion swoop)" == "$version" ]] || fail "pkg-config --modversion swoop"
[[ "$(pkg-config --variable=prefix swoop)" == /usr ]] || fail "swoop.pc's prefix is not /usr"
pc_flags="$(pkg-config --cflags --libs swoop)"
pc_flags="${pc_flags% }"
# shellcheck disable=SC2086 # pkg-config's output is a list of words
quiet c++ -std=c++20 "$consumer/main.cpp" -o "$work/pkg_config_consumer" $pc_flags
step "c++ -std=c++20 main.cpp $pc_flags:"
"$work/pkg_config_consumer"

quiet apt-get remove -y libswoop-dev
installed=0
while IFS= read -r file; do
  [[ ! -e "$file" ]] || fail "$file is still there after apt-get remove"
done <"$work/files"
[[ ! -e /usr/include/swoop ]] || fail "/usr/include/swoop is still there after apt-get remove"
! pkg-config --exists swoop || fail "pkg-config still finds swoop after apt-get remove"
step "removed libswoop-dev: its headers, library, CMake package and swoop.pc are gone"
