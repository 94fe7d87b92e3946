#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Opt-in: runs every fuzz target for $NANOSTATE_FUZZ_SECONDS seconds
# (fuzz/run), one TAP result per target: ok when it found no crash. Skipped
# when NANOSTATE_FUZZ_SECONDS is not set (CI sets it; docs/FUZZING.md).
set -euo pipefail

source_root="${NANOSTATE_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build_root="${NANOSTATE_BUILD:-$source_root/build}"

if [[ -z "${NANOSTATE_FUZZ_SECONDS:-}" ]]; then
    echo "1..0 # SKIP NANOSTATE_FUZZ_SECONDS is not set"
    exit 0
fi
if ! command -v clang >/dev/null; then
    echo "1..0 # SKIP clang is not installed (scripts/install-deps installs it)"
    exit 0
fi
# Two targets at a time on two cores or more: five targets of 60 s then
# take about 3 minutes, within tests/run's suite timeout (scripts/test
# raises it when needed).
jobs="$(nproc)"
((jobs <= 2)) || jobs=2
exec bash "$source_root/fuzz/run" --tap --seconds "$NANOSTATE_FUZZ_SECONDS" --jobs "$jobs" \
    --build "$build_root/fuzz"
