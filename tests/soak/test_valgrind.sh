#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# nanostate-hub under valgrind memcheck for $NANOSTATE_VALGRIND_SECONDS
# (default 25) seconds of the soak's traffic (tests/soak/soak.py --valgrind):
# Apps joining and leaving, garbage frames, a frame over --max-frame, the
# state file. Ended with SIGTERM; any memcheck error or definite or indirect
# leak fails (suppressions, for third-party code only, in valgrind.supp).
# Prints TAP. Needs NANOSTATE_BUILD and NANOSTATE_TEST_TMP (tests/run sets
# them). Skipped in a sanitizer build: valgrind cannot run ASan's programs.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${NANOSTATE_BUILD:?NANOSTATE_BUILD must name a finished build folder}"
tmp="${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"

if ldd "$build/bin/nanostate-hub" 2>/dev/null | grep -q libasan; then
    skip_all "a sanitizer build: valgrind and AddressSanitizer do not mix (the first pass runs it)"
fi
command -v valgrind >/dev/null || skip_all "valgrind is not installed (Debian package valgrind)"
command -v python3 >/dev/null || skip_all "python3 is missing"

export PYTHONDONTWRITEBYTECODE=1 # keep the source tree clean
exec python3 "$here/soak.py" --build "$build" --tmp "$tmp" --valgrind \
    --seconds "${NANOSTATE_VALGRIND_SECONDS:-25}" --warmup 5
