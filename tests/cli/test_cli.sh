#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests of the nanostate command-line tool against a hub of its own; prints TAP.
# Needs NANOSTATE_BIN (folder with nanostate-hub and nanostate) and
# NANOSTATE_TEST_TMP (an empty temporary folder); tests/run sets both.
set -u

bin="${NANOSTATE_BIN:?NANOSTATE_BIN must name the folder with nanostate and nanostate-hub}"
tmp="${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"
url="ipc://$tmp/hub.sock"
unset NANOSTATE_URL

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

# ---------------------------------------------------------------------------
# Comparisons

# read_output VAR FILE: the file's text without its final newline; a missing
# final newline is shown, so that every expected output is exact.
read_output() {
    local text
    text="$(cat "$2"; printf .)"
    text="${text%.}"
    if [[ -n $text && $text != *$'\n' ]]; then
        text+='<no newline at end>'
    else
        text="${text%$'\n'}"
    fi
    printf -v "$1" '%s' "$text"
}

# check DESCRIPTION WANT_STATUS STATUS WANT_STDOUT WANT_STDERR OUT_FILE ERR_FILE
check() {
    local description="$1" want_status="$2" status="$3" want_out="$4" want_err="$5"
    local out err why=()
    read_output out "$6"
    read_output err "$7"
    [[ $status == "$want_status" ]] || why+=("exit status: expected $want_status, got $status")
    if [[ $out != "$want_out" ]]; then
        why+=("stdout expected:" "$(indent <<<"$want_out")" "stdout got:" "$(indent <<<"$out")")
    fi
    if [[ $err != "$want_err" ]]; then
        why+=("stderr expected:" "$(indent <<<"$want_err")" "stderr got:" "$(indent <<<"$err")")
    fi
    if ((${#why[@]} == 0)); then
        pass "$description"
        return 0
    fi
    fail "$description" "${why[@]}"
    return 1
}

# expect DESCRIPTION WANT_STATUS WANT_STDOUT WANT_STDERR COMMAND...
# Runs COMMAND (stdin from /dev/null) and checks its exit status and exact
# output; outputs are given without their final newline.
expect() {
    local description="$1" want_status="$2" want_out="$3" want_err="$4"
    shift 4
    local status=0
    "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || status=$?
    check "$description" "$want_status" "$status" "$want_out" "$want_err" "$tmp/out" "$tmp/err"
}

# The tool against the test hub, as "tester".
ns() {
    "$bin/nanostate" -c "$url" -i tester "$@"
}

# ---------------------------------------------------------------------------
# Watchers in the background

# start_watch OUT_FILE ARGUMENT...: "ns watch ARGUMENT..." in the background;
# watch_pid is the tool's own PID (not a subshell's), for signals.
start_watch() {
    local out="$1"
    shift
    "$bin/nanostate" -c "$url" -i tester watch "$@" </dev/null >"$out" 2>"$out.err" &
    watch_pid=$!
    track_pid "$watch_pid"
}

# hex FILE: the bytes of FILE as hex, one line.
hex() {
    od -An -tx1 -v "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
    echo
}

usage_hint='usage: nanostate [options] set|get|del|dump|watch ... (try --help)'

plan 61

start_hub "$bin" "$url" "$tmp/hub.err" ||
    bail_out "the hub at $url did not answer within 5 s: $(cat "$tmp/hub.err")"

# ---------------------------------------------------------------------------
# Help and usage errors (exit 2)

"$bin/nanostate" --help >"$tmp/out" 2>"$tmp/err"
status=$?
grep -E '^[A-Z]' "$tmp/out" >"$tmp/sections"
check "--help prints the man-page sections and exits 0" 0 "$status" \
    'NAME
SYNOPSIS
DESCRIPTION
COMMANDS
OPTIONS
JSON
ENVIRONMENT
EXIT STATUS
EXAMPLES' '' "$tmp/sections" "$tmp/err"

expect "no command is a usage error" 2 '' "nanostate: no command given
$usage_hint" ns

expect "an unknown command is a usage error" 2 '' "nanostate: unknown command 'frob'
$usage_hint" ns frob

expect "an unknown long option is a usage error" 2 '' "nanostate: unknown option '--bogus'
$usage_hint" ns --bogus dump

expect "an unknown short option is a usage error" 2 '' "nanostate: unknown option '-x'
$usage_hint" ns dump -x

expect "an option without its argument is a usage error" 2 '' "nanostate: option '--timeout' needs an argument
$usage_hint" ns dump --timeout

expect "a timeout that is no number is a usage error" 2 '' "nanostate: --timeout wants milliseconds (0 or more), not 'soon'
$usage_hint" ns --timeout soon dump

expect "set with a NAME but no VALUE is a usage error" 2 '' "nanostate: set takes NAME VALUE pairs
$usage_hint" ns set robot/name

expect "get without NAME is a usage error" 2 '' "nanostate: get takes exactly one NAME
$usage_hint" ns get

expect "-n outside watch is a usage error" 2 '' "nanostate: -n only applies to watch
$usage_hint" ns dump -n 3

expect "an invalid state name is refused with exit 2" 2 '' \
    "nanostate: invalid state name '\$hub/x': invalid name (1..1024 bytes of UTF-8, not starting with '\$')" \
    ns set "\$hub/x" 1

# ---------------------------------------------------------------------------
# No hub (exit 3)

nohub="ipc://$tmp/nohub.sock"
expect "get exits 3 when no hub answers" 3 '' \
    "nanostate: no hub answered at $nohub within 300 ms" \
    "$bin/nanostate" -c "$nohub" --timeout 300 get robot/name

expect "set exits 3 when no hub accepts the update" 3 '' \
    "nanostate: no hub answered at $nohub within 300 ms" \
    "$bin/nanostate" -c "$nohub" --timeout 300 set robot/name r2d2

expect "dump exits 3 when no hub answers" 3 '' \
    "nanostate: no hub answered at $nohub within 300 ms" \
    "$bin/nanostate" -c "$nohub" --timeout 300 dump

expect "watch exits 3 when no hub answers" 3 '' \
    "nanostate: no hub answered at $nohub within 300 ms" \
    "$bin/nanostate" -c "$nohub" --timeout 300 watch

# ---------------------------------------------------------------------------
# set, get (strings)

expect "set publishes strings and prints nothing" 0 '' '' \
    ns set robot/name r2d2 robot/arm/angle 42 robot/mode 'auto pilot'

expect "get prints a string raw" 0 'auto pilot' '' ns get robot/mode

expect "without --json a value that looks like a number stays a string" 0 \
    '{"name":"robot/arm/angle","value":"42","sender":"tester"}' '' ns --json get robot/arm/angle
ns --json set empty/str '""' >/dev/null 2>&1
expect "get --json prints an empty string as \"\", not as bytes" 0 \
    '{"name":"empty/str","value":"","sender":"tester"}' '' ns --json get empty/str

expect "get --json prints the state as one JSON object" 0 \
    '{"name":"robot/name","value":"r2d2","sender":"tester"}' '' ns get robot/name --json

expect "get of a missing state exits 1" 1 '' "nanostate: no state named 'robot/nope'" \
    ns get robot/nope

expect "set takes values starting with '-'" 0 '-5' '' \
    bash -c "\"$bin/nanostate\" -c '$url' set robot/offset -5 && \"$bin/nanostate\" -c '$url' get robot/offset"

# ---------------------------------------------------------------------------
# Typed values with --json

expect "set --json stores typed values" 0 '' '' ns --json set \
    typed/int 42 typed/negative -7 typed/float 0.7 typed/whole 100.0 typed/true true \
    typed/false false typed/null null typed/array '[1,"two",[3.5]]' \
    typed/object '{"x":1,"y":{"z":null}}' typed/bin '{"base64":"AAEC/w=="}' \
    typed/ext '{"ext":5,"base64":"AQI="}' typed/string '"quoted"'

expect "dump prints non-strings as JSON and strings raw, sorted by name" 0 'typed/array [1,"two",[3.5]]
typed/false false
typed/float 0.7
typed/int 42
typed/negative -7
typed/null null
typed/object {"x":1,"y":{"z":null}}
typed/string quoted
typed/true true
typed/whole 100.0' '' ns dump 'typed/[!be]*'

expect "dump --json prints one object per state with typed values" 0 \
    '{"name":"typed/array","value":[1,"two",[3.5]],"sender":"tester"}
{"name":"typed/bin","value":{"base64":"AAEC/w=="},"sender":"tester"}
{"name":"typed/ext","value":{"ext":5,"base64":"AQI="},"sender":"tester"}
{"name":"typed/false","value":false,"sender":"tester"}
{"name":"typed/float","value":0.7,"sender":"tester"}
{"name":"typed/int","value":42,"sender":"tester"}
{"name":"typed/negative","value":-7,"sender":"tester"}
{"name":"typed/null","value":null,"sender":"tester"}
{"name":"typed/object","value":{"x":1,"y":{"z":null}},"sender":"tester"}
{"name":"typed/string","value":"quoted","sender":"tester"}
{"name":"typed/true","value":true,"sender":"tester"}
{"name":"typed/whole","value":100.0,"sender":"tester"}' '' ns --json dump 'typed/*'

ns get typed/bin >"$tmp/bin.out" 2>"$tmp/err"
status=$?
hex "$tmp/bin.out" >"$tmp/out"
check "get prints a bin value as its raw bytes" 0 "$status" '00 01 02 ff 0a' '' "$tmp/out" "$tmp/err"

expect "get prints an int as JSON" 0 '42' '' ns get typed/int

expect "get prints an object as compact JSON" 0 '{"x":1,"y":{"z":null}}' '' ns get typed/object

expect "invalid JSON with --json exits 2 with jansson's message and position" 2 '' \
    "nanostate: typed/broken: invalid JSON value: string or '}' expected near 'x' (line 1, column 2, position 2)" \
    ns --json set typed/int 43 typed/broken '{x'

expect "a failed set sends none of its values" 0 '42' '' ns get typed/int

expect "{\"base64\"} must hold base64" 2 '' \
    'nanostate: typed/bad: invalid JSON value: "base64" must hold a base64 string' \
    ns --json set typed/bad '{"base64":"not base64!"}'

expect "a JSON integer beyond int64 is refused by jansson with exit 2" 2 '' \
    "nanostate: typed/huge: invalid JSON value: too big integer near '99999999999999999999' (line 1, column 20, position 20)" \
    ns --json set typed/huge 99999999999999999999

ns --json set typed/nul '"a\u0000b"' >/dev/null 2>&1
ns get typed/nul >"$tmp/nul.out" 2>"$tmp/err"
status=$?
hex "$tmp/nul.out" >"$tmp/out"
check "a JSON string may hold \\u0000; get prints its raw bytes" 0 "$status" '61 00 62 0a' '' \
    "$tmp/out" "$tmp/err"

deep="$(printf '[%.0s' {1..40})$(printf ']%.0s' {1..40})"
ns --json set typed/deep "$deep" >/dev/null 2>&1
expect "a value nested deeper than msgpack-c's 32 levels gives an error, not a crash" 1 '' \
    'nanostate: typed/deep: value nested deeper than 32 levels cannot be converted to JSON (msgpack-c limit)' \
    ns get typed/deep

# ---------------------------------------------------------------------------
# dump with patterns

ns set glob/a/deep/x 1 glob/b 2 glob/c/y 3 other/a 4 >/dev/null 2>&1

expect "dump '*' crosses '/'" 0 'glob/a/deep/x 1
glob/b 2
glob/c/y 3' '' ns dump 'glob*'

expect "dump with several patterns prints their union once, sorted" 0 'glob/b 2
other/a 4' '' ns dump 'other/?' 'glob/[b]' 'glob/?'

expect "dump of patterns that match nothing prints nothing" 0 '' '' ns dump 'nothing/*'

# ---------------------------------------------------------------------------
# del

expect "del of a name removes that state" 0 '' '' ns del glob/b
expect "the deleted state is gone" 1 '' "nanostate: no state named 'glob/b'" ns get glob/b
expect "del of a missing name exits 1" 1 '' "nanostate: no state named 'glob/ghost'" ns del glob/ghost
expect "del of a glob removes every match, '*' crossing '/'" 0 '' '' ns del 'glob/*y*'
expect "only the matching states were removed" 0 'glob/a/deep/x 1' '' ns dump 'glob/*'
ns set many/a 1 many/b 2 >/dev/null 2>&1
expect "del of several names removes those that exist and exits 1 for the others" 1 '' \
    "nanostate: no state named 'many/ghost'" ns del many/a many/ghost 'many/[b]'
expect "the existing ones of several deleted states are gone" 0 '' '' ns dump 'many/*'
expect "del of a glob that matches nothing exits 1" 1 '' "nanostate: no state matches 'zzz*'" \
    ns del 'zzz*'

# ---------------------------------------------------------------------------
# watch

ns set w1/a 1 w1/b 2 w1/c 3 >/dev/null 2>&1
expect "watch -n prints the current matching states sorted, then exits" 0 'w1/a 1
w1/b 2' '' ns watch -n 2 'w1/*'

ns set live/0 start >/dev/null 2>&1
start_watch "$tmp/live.out" -n 2 'live/*'
wait_for_lines "$tmp/live.out" 1
"$bin/nanostate" -c "$url" -i other set live/1 hello >/dev/null 2>&1
wait_for_exit "$watch_pid"
check "watch -n receives a value set by another process" 0 $? 'live/0 start
live/1 hello' '' "$tmp/live.out" "$tmp/live.out.err"

ns set gone/a 1 >/dev/null 2>&1
start_watch "$tmp/gone.out" --json -n 3 'gone/*'
wait_for_lines "$tmp/gone.out" 1
"$bin/nanostate" -c "$url" -i other --json set gone/b '[true]' >/dev/null 2>&1
wait_for_lines "$tmp/gone.out" 2
"$bin/nanostate" -c "$url" -i deleter del gone/a >/dev/null 2>&1
wait_for_exit "$watch_pid"
status=$?
head -n 2 "$tmp/gone.out" >"$tmp/gone.head"
tail -n +3 "$tmp/gone.out" >"$tmp/gone.tail"
check "watch --json prints states and changes as objects with their sender" 0 "$status" \
    '{"name":"gone/a","value":"1","sender":"tester"}
{"name":"gone/b","value":[true],"sender":"other"}' '' "$tmp/gone.head" "$tmp/gone.out.err"
removal=''
read_output removal "$tmp/gone.tail"
if [[ $removal == '{"name":"gone/a","removed":true,"sender":"deleter"}' ]]; then
    pass "watch --json reports a removal with the remover as sender"
else
    fail "watch --json reports a removal with the remover as sender" "got: $removal"
fi

ns set gone/c 1 >/dev/null 2>&1
start_watch "$tmp/gone2.out" -n 2 'gone/c'
wait_for_lines "$tmp/gone2.out" 1
ns del gone/c >/dev/null 2>&1
wait_for_exit "$watch_pid"
check "watch prints a removal as 'NAME (removed)'" 0 $? 'gone/c 1
gone/c (removed)' '' "$tmp/gone2.out" "$tmp/gone2.out.err"

ns set sig/a 1 >/dev/null 2>&1
start_watch "$tmp/term.out" 'sig/*'
wait_for_lines "$tmp/term.out" 1
kill -TERM "$watch_pid"
wait_for_exit "$watch_pid"
check "watch exits 0 on SIGTERM" 0 $? 'sig/a 1' '' "$tmp/term.out" "$tmp/term.out.err"

start_watch "$tmp/int.out" 'sig/*'
wait_for_lines "$tmp/int.out" 1
kill -INT "$watch_pid"
wait_for_exit "$watch_pid"
check "watch exits 0 on SIGINT" 0 $? 'sig/a 1' '' "$tmp/int.out" "$tmp/int.out.err"

# ---------------------------------------------------------------------------
# set -l

ns set lines/0 ready >/dev/null 2>&1
start_watch "$tmp/lines.out" -n 4 'lines/*'
wait_for_lines "$tmp/lines.out" 1
ns set -l >"$tmp/out" 2>"$tmp/err" <<'LINES'
lines/1 one
lines/2    two  words  

  lines/3 three
LINES
check "set -l publishes NAME VALUE lines from stdin" 0 $? '' '' "$tmp/out" "$tmp/err"
wait_for_exit "$watch_pid"
check "another process's watch -n sees the lines set -l published" 0 $? 'lines/0 ready
lines/1 one
lines/2 two  words  
lines/3 three' '' "$tmp/lines.out" "$tmp/lines.out.err"

ns --json set -l >"$tmp/out" 2>"$tmp/err" <<'LINES'
jl/int 7
jl/bad {oops
jl/list [1, 2.5, "x"]
jl/lonely
LINES
check "set -l --json reports bad lines, publishes the others, exits 2" 2 $? '' \
    "nanostate: stdin:2: jl/bad: invalid JSON value: string or '}' expected near 'oops' (line 1, column 5, position 5)
nanostate: stdin:4: expected NAME VALUE" "$tmp/out" "$tmp/err"
expect "the good lines of set -l --json arrived typed" 0 '{"name":"jl/int","value":7,"sender":"tester"}
{"name":"jl/list","value":[1,2.5,"x"],"sender":"tester"}' '' ns --json dump 'jl/*'

expect "set -l exits 3 when no hub accepts its lines" 3 '' \
    "nanostate: no hub answered at $nohub within 300 ms" \
    bash -c "echo 'a b' | \"$bin/nanostate\" -c '$nohub' --timeout 300 set -l"

# ---------------------------------------------------------------------------
# TCP and the URL from the environment

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
tcp_url="tcp://127.0.0.1:$port"
if start_hub "$bin" "$tcp_url" "$tmp/hub.err"; then
    pass "a hub on $tcp_url answers"
else
    fail "a hub on $tcp_url answers" "$(cat "$tmp/hub.err")"
fi
expect "set and get over tcp:// with -c" 0 'over tcp' '' bash -c \
    "\"$bin/nanostate\" -c '$tcp_url' set net/t 'over tcp' && \"$bin/nanostate\" -c '$tcp_url' get net/t"
expect "dump without patterns prints every state; NANOSTATE_URL chooses the hub" 0 \
    'net/t over tcp' '' env NANOSTATE_URL="$tcp_url" "$bin/nanostate" dump
expect "the default identity is nanostate-cli-<pid>" 0 'nanostate-cli-' '' bash -c \
    "NANOSTATE_URL='$tcp_url' \"$bin/nanostate\" --json get net/t | sed -E 's/.*\"sender\":\"(nanostate-cli-)[0-9]+\".*/\\1/'"
