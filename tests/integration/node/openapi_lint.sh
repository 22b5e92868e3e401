#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs Redocly CLI 2.x (an OpenAPI 3.1 validator, installed from npm into the build tree) for
# openapi_test.py. Usage: openapi_lint.sh WORK_DIR REDOCLY_ARGS... (`lint --format=json ...`).
# Exits 77 (skipped) only when node or npm is absent; else redocly's own exit status.
set -euo pipefail
work="$1"
shift
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node or npm missing: skipped" >&2
  exit 77
fi
mkdir -p "$work"
if [[ ! -f "$work/node_modules/@redocly/cli/package.json" ]]; then
  (cd "$work" && npm install --no-audit --no-fund --silent @redocly/cli@2 >/dev/null)
fi
# No telemetry, no update check (both would reach the Internet), no colors in the output.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
exec node "$work/node_modules/@redocly/cli/bin/cli.js" "$@"
