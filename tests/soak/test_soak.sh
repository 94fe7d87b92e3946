#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A short soak (tests/soak/soak.py, the engine of scripts/soak): nanostate-hub
# and nanostate-hubws under $NANOSTATE_SOAK_SECONDS (default 40) seconds of
# Apps joining and leaving, garbage frames and WebSocket clients dropping;
# then the tables must converge, the hubs answer, their RSS stay flat after
# warm-up (not in sanitizer builds) and they exit 0 on SIGTERM. Prints TAP.
# Needs NANOSTATE_BUILD and NANOSTATE_TEST_TMP (tests/run sets them); the
# documented 10-minute run is scripts/soak.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${NANOSTATE_BUILD:?NANOSTATE_BUILD must name a finished build folder}"
tmp="${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"

[[ -x $build/bin/nanostate-hubws ]] || skip_all "nanostate-hubws is not built"
command -v node >/dev/null || skip_all "node is missing (Debian package nodejs)"
command -v python3 >/dev/null || skip_all "python3 is missing"

export PYTHONDONTWRITEBYTECODE=1 # keep the source tree clean
exec python3 "$here/soak.py" --build "$build" --tmp "$tmp" \
    --seconds "${NANOSTATE_SOAK_SECONDS:-40}" --warmup 10
