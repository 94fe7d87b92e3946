#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The web monitor page (jsnanostate/web) in headless Chromium, served by a
# real nanostate-hubws, against the nanostate CLI: it shows a C App's states
# live, filters them, and an edit in the page reaches a C App. Leaves a
# screenshot in BUILD/test-logs/browser-monitor.png (named in a TAP comment).
# Skips only when Chromium or nanostate-hubws is missing.
# Run by tests/run, which sets NANOSTATE_BIN, NANOSTATE_BUILD, NANOSTATE_SOURCE
# and NANOSTATE_TEST_TMP.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

source_root="${NANOSTATE_SOURCE:-$(cd "$here/../.." && pwd)}"
js="$source_root/jsnanostate"
chromium="${NANOSTATE_CHROMIUM:-/usr/bin/chromium}"

[[ -x "$chromium" ]] || skip_all "$chromium is not installed (Debian package chromium)"
if [[ -z "${NANOSTATE_BIN:-}" || ! -x "$NANOSTATE_BIN/nanostate-hubws" ]]; then
    skip_all "nanostate-hubws is not built (${NANOSTATE_BIN:-NANOSTATE_BIN unset})"
fi
[[ -f "${NANOSTATE_BUILD:-$NANOSTATE_BIN/..}/share/nanostate/web/nanostate.js" ]] ||
    bail_out "the web files are not built (make in jsnanostate/)"
bash "$js/scripts/npm-deps" "$js" >&2 ||
    bail_out "jsnanostate/node_modules is missing and npm ci failed"

export NANOSTATE_CHROMIUM="$chromium"
exec node --test --test-reporter=tap "$here/monitor_page.test.mjs"
