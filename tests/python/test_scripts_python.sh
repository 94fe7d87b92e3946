#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The README's Python commands: scripts/python runs a Python hub and the
# example App (examples/python/robot.py) of this checkout; prints TAP. Needs
# NANOSTATE_BIN, NANOSTATE_BUILD and NANOSTATE_TEST_TMP (tests/run sets them).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

: "${NANOSTATE_BIN:?}" "${NANOSTATE_BUILD:?}" "${NANOSTATE_TEST_TMP:?}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
/usr/bin/python3 -c 'import msgpack' 2>/dev/null ||
    skip_all "Debian's python3-msgpack is missing (scripts/install-deps installs it)"

tmp="$NANOSTATE_TEST_TMP"
url="ipc://$tmp/python-hub.sock"
plan 4

# The build is there already: scripts/python's build step finds nothing to do.
"$root/scripts/python" -m nanostate hub -b "$url" -v >"$tmp/hub.out" 2>&1 &
hub_pid=$!
track_pid "$hub_pid"
wait_until 120 grep -sq "listening on $url" "$tmp/hub.out"
ok_if "scripts/python -m nanostate hub starts a Python hub" $? "$(tail_of "$tmp/hub.out")"

"$root/scripts/python" "$root/examples/python/robot.py" "$url" 3 >"$tmp/robot.out" 2>&1 &
robot_pid=$!
track_pid "$robot_pid"
wait_for_line "$tmp/robot.out" "robot/speed = 0.7" 60
ok_if "the example App publishes through it and reads its own value back" $? "$(tail_of "$tmp/robot.out")"

"$NANOSTATE_BIN/nanostate" -c "$url" -i panel set robot/mode auto >/dev/null 2>&1
wait_for_line "$tmp/robot.out" "robot/mode = auto from panel" 10
ok_if "the example App prints another App's change with its sender" $? "$(tail_of "$tmp/robot.out")"

wait_for_exit "$robot_pid" 20
ok_if "the example App ends by itself after its time" $? "$(tail_of "$tmp/robot.out")"
