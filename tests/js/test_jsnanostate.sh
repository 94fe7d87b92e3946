#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The JavaScript App's tests (jsnanostate/test/*.test.js, node:test) as TAP:
# the shared wire vectors, the App's rules against a scripted hub, the App
# against a real nanostate-hubws with the nanostate CLI as a C App (those
# skip, saying why, while $NANOSTATE_BIN/nanostate-hubws is not built), and
# the Node.js hubs on the build's libnanostate (nanostate-hub-node,
# nanostate-hubws-node, Hub).
# Run by tests/run, which sets NANOSTATE_BIN and NANOSTATE_SOURCE.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

source_root="${NANOSTATE_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
js="$source_root/jsnanostate"

command -v node >/dev/null || skip_all "node is not installed"
# The build installs the npm packages (npm ci); this only checks, or catches up.
bash "$js/scripts/npm-deps" "$js" >&2 ||
    bail_out "jsnanostate/node_modules is missing and npm ci failed"

cd "$js" || bail_out "no folder $js"
exec node --test --test-reporter=tap test/*.test.js
