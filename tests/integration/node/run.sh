#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs websocket_test.js with Node's `ws` client, installed from npm into the build tree.
# Usage: run.sh SERVER_BINARY WORK_DIR. Exits 77 (skipped) only when node or npm is absent.
set -euo pipefail
server="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node or npm missing: skipped" >&2
  exit 77
fi
mkdir -p "$work"
if [[ ! -f "$work/node_modules/ws/package.json" ]]; then
  (cd "$work" && npm install --no-audit --no-fund --silent ws@8 >/dev/null)
fi
NODE_PATH="$work/node_modules" exec node "$here/websocket_test.js" "$server"
