#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TAP: frames.json is what generate.py writes (run by tests/run).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 is not installed"
    exit 0
fi
echo "1..1"
if out="$(python3 "$here/generate.py" --check 2>&1)"; then
    echo "ok 1 - frames.json matches generate.py"
else
    echo "# $out"
    echo "not ok 1 - frames.json matches generate.py"
fi
