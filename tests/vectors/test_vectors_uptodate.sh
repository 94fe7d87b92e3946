#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TAP: frames.json is what generate.py writes (run by tests/run).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
plan 1
out="$(python3 "$here/generate.py" --check 2>&1)"
ok_if "frames.json matches generate.py" $? "$out"
