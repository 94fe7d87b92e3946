# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the shell test suites (tests/*/test_*.sh); source it, do not
# run it:
#     . "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"
# It offers
#   TAP          plan, pass, fail, skip, ok_if, skip_all, bail_out
#   diagnostics  indent, tail_of
#   waiting      now_ms, wait_until, wait_for_line, wait_for_lines
#   processes    track_pid (ended at exit), wait_for_exit
#   hubs         start_hub, wait_for_hub
# Every wait is bounded: it gives up (status 1) after its time limit.
# Sourcing it only defines these functions and the variables test_number and
# tracked_pids; the EXIT trap is set by the first track_pid.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    echo "testlib.sh is sourced by the test suites, not run" >&2
    exit 2
fi

# ---------------------------------------------------------------------------
# TAP

test_number=0

# plan COUNT: the TAP plan, first of all results.
plan() {
    echo "1..$1"
}

# pass DESCRIPTION
pass() {
    test_number=$((test_number + 1))
    echo "ok $test_number - $1"
}

# fail DESCRIPTION [DIAGNOSTIC]...: each line of each DIAGNOSTIC follows as a
# TAP comment.
fail() {
    test_number=$((test_number + 1))
    echo "not ok $test_number - $1"
    shift
    local diagnostic line
    for diagnostic in "$@"; do
        while IFS= read -r line; do
            printf '#   %s\n' "$line"
        done <<<"$diagnostic"
    done
}

# skip DESCRIPTION REASON: a test that cannot run, e.g. because an earlier
# one failed.
skip() {
    test_number=$((test_number + 1))
    echo "ok $test_number - $1 # SKIP $2"
}

# ok_if DESCRIPTION STATUS [DIAGNOSTIC]...: pass when STATUS is 0, else fail
# with the DIAGNOSTICs.
ok_if() {
    local description="$1" status="$2"
    shift 2
    if [[ $status == 0 ]]; then
        pass "$description"
    else
        fail "$description" "$@"
    fi
}

# skip_all REASON: the whole suite cannot run here; exits 0.
skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}

# bail_out REASON: the suite cannot go on; exits 1.
bail_out() {
    echo "Bail out! $1"
    exit 1
}

# ---------------------------------------------------------------------------
# Diagnostics, to pass to fail as DIAGNOSTIC

# indent: stdin, each line marked as quoted text ("    | LINE").
indent() {
    sed 's/^/    | /'
}

# tail_of FILE [LINES]: the last LINES (default 20) lines of FILE, indented;
# nothing if there is no FILE.
tail_of() {
    tail -n "${2:-20}" "$1" 2>/dev/null | indent
}

# ---------------------------------------------------------------------------
# Waiting

now_ms() {
    date +%s%3N
}

# wait_until SECONDS COMMAND...: runs COMMAND every 20 ms until it succeeds
# (status 0), or SECONDS have passed (status 1).
wait_until() {
    local deadline=$(($(now_ms) + $1 * 1000))
    shift
    until "$@"; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.02
    done
}

# wait_for_line FILE LINE [SECONDS]: until FILE holds exactly LINE, 5 s by
# default.
wait_for_line() {
    wait_until "${3:-5}" grep -sqxF -- "$2" "$1"
}

# has_lines FILE COUNT: true when FILE has COUNT lines or more.
has_lines() {
    [[ -f $1 && $(wc -l <"$1") -ge $2 ]]
}

# wait_for_lines FILE COUNT [SECONDS]: until FILE has COUNT lines, 5 s by
# default.
wait_for_lines() {
    wait_until "${3:-5}" has_lines "$1" "$2"
}

# ---------------------------------------------------------------------------
# Background processes, ended by PID

tracked_pids=()

# track_pid PID: a background process to end (SIGTERM) and reap when the
# script exits.
track_pid() {
    tracked_pids+=("$1")
    trap stop_tracked_pids EXIT
}

stop_tracked_pids() {
    local pid
    for pid in "${tracked_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${tracked_pids[@]}"; do
        wait "$pid" 2>/dev/null
    done
}

# has_ended PID: true once PID is gone.
has_ended() {
    ! kill -0 "$1" 2>/dev/null
}

# wait_for_exit PID [SECONDS]: PID's exit status; 124, after killing it, if it
# still runs after SECONDS (default 5).
wait_for_exit() {
    if ! wait_until "${2:-5}" has_ended "$1"; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        return 124
    fi
    wait "$1"
}

# ---------------------------------------------------------------------------
# Hubs

# wait_for_hub BIN_DIR URL: until a hub at URL answers BIN_DIR/nanostate's
# dump, 5 s at most.
wait_for_hub() {
    wait_until 5 "$1/nanostate" -c "$2" --timeout 200 dump >/dev/null 2>&1
}

# start_hub BIN_DIR URL ERR_FILE: starts BIN_DIR/nanostate-hub on URL with a
# fast heartbeat (100 ms) and its stderr in ERR_FILE, ended at exit; hub_pid
# gets its PID. Fails if it does not answer within 5 s.
start_hub() {
    "$1/nanostate-hub" -b "$2" --heartbeat 100 2>"$3" &
    hub_pid=$!
    track_pid "$hub_pid"
    wait_for_hub "$1" "$2"
}
