#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The real nanostate-hubws with its monitor window (-platform offscreen):
# states set by another process show as rows in a screenshot of the window,
# saved in BUILD/test-logs. Prints TAP. Needs NANOSTATE_BIN, NANOSTATE_BUILD,
# NANOSTATE_TEST_TMP (tests/run sets them).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

bin="${NANOSTATE_BIN:?}"
tmp="${NANOSTATE_TEST_TMP:?}"
logs="${NANOSTATE_BUILD:?}/test-logs"
url="ipc://$tmp/monitor.sock"
shot="$logs/hubws-monitor.png"
export QT_QUICK_BACKEND=software
unset QT_QPA_PLATFORM
mkdir -p "$logs"
rm -f "$shot"

plan 4

# 8 figures under $hub/ plus the 3 states below: wait for 11 rows.
"$bin/nanostate-hubws" -platform offscreen -b "$url" --ws-port 0 \
    --screenshot "$shot" --screenshot-rows 11 --screenshot-timeout 10000 \
    >"$tmp/hubws.out" 2>"$tmp/hubws.err" &
hub=$!
track_pid "$hub"
wait_for_hub "$bin" "$url"
ok_if "nanostate-hubws with its monitor window answers Apps" $? "$(tail_of "$tmp/hubws.err")"

"$bin/nanostate" -c "$url" -i robot set robot/speed 0.7 robot/mode auto \
    sensors/temperature 21.5 >"$tmp/set.out" 2>&1
ok_if "another process sets three states" $? "$(tail_of "$tmp/set.out")"

wait_for_exit "$hub" 15
status=$?
ok_if "the monitor took its screenshot once the rows showed and exited 0" "$status" \
    "$(tail_of "$tmp/hubws.out")" "$(tail_of "$tmp/hubws.err")"

line="$(grep '^screenshot ' "$tmp/hubws.out")"
rows="${line##* rows }"
if [[ -s "$shot" && "$rows" =~ ^[0-9]+$ && "$rows" -ge 11 ]]; then
    pass "the screenshot $shot shows $rows rows"
else
    fail "the screenshot shows the states as rows" "output: $line" "file: $(ls -l "$shot" 2>&1)"
fi
echo "# screenshot: $shot"
