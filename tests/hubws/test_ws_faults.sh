#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# WebSocket faults against the real nanostate-hubws (-platform offscreen, its
# monitor window included), with a C App (ws_publisher.c, built here against
# the build's libnanostate) publishing through nanomsg, the nanostate CLI
# reading the hub's table, and ws_faults.mjs (Node.js: jsnanostate's App and
# `ws`) on the WebSocket side; one hub per case:
#   1. 1000 WebSocket Apps (100 in a sanitizer build) reach the table a C
#      App publishes (fan-out rate, time to converge);
#   2. a client that never reads, during a flood: it is closed, the hub's
#      memory stays bounded, the other clients lose nothing; and closed
#      also when it is never paused (--max-queue above the flood);
#   3. invalid frames at >= 10k/s from a few clients during valid traffic:
#      the valid updates all arrive, every invalid frame is counted in
#      $hub/rejected, text frames are closed with 1003, oversize with 1009;
#   4. 100 clients dropping the connection mid-frame or mid-handshake: the
#      hub stays up and its client count returns to where it was.
# Prints TAP, with the figures as comments. Needs NANOSTATE_BIN,
# NANOSTATE_BUILD and NANOSTATE_TEST_TMP (tests/run sets them), a C compiler
# (${CC:-cc}), node and jsnanostate/node_modules.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${NANOSTATE_BIN:?}"
build="${NANOSTATE_BUILD:?}"
tmp="${NANOSTATE_TEST_TMP:?}"
clients_wanted=1000
fanout_states=200
garbage_rate=25000 # frames/s from 3 clients: 10000 is the aim, with room

command -v node >/dev/null || skip_all "node is not installed"
[[ -d "$here/../../jsnanostate/node_modules/ws" ]] || skip_all "jsnanostate/node_modules is missing (npm ci)"
[[ -x "$bin/nanostate-hubws" ]] || skip_all "$bin/nanostate-hubws is not built"
export QT_QUICK_BACKEND=software
unset QT_QPA_PLATFORM

read -r -a cc <<<"${CC:-cc}"
"${cc[@]}" -Wall -Wextra -O2 -I "$here/../../cnanostate/include" -o "$tmp/ws_publisher" \
    "$here/ws_publisher.c" -L"$build/lib" -lnanostate -Wl,-rpath,"$build/lib" >"$tmp/cc.log" 2>&1 ||
    skip_all "${cc[*]} cannot build ws_publisher.c: $(head -n 3 "$tmp/cc.log" | tr '\n' ' ')"

plan 13

# AddressSanitizer's allocator holds freed memory on purpose (its quarantine)
# and slows everything several times: there the memory bound and the rate
# are only shown, with fewer clients and less garbage.
sanitized=""
garbage_args=()
if ldd "$bin/nanostate-hubws" 2>/dev/null | grep -q libasan; then
    sanitized="a sanitizer build"
    clients_wanted=100
    garbage_rate=2000
    # With the monitor window a sanitized hub answers new clients only
    # after seconds while garbage flows (the log view's cost).
    garbage_args=(probes=before)
    echo "# $sanitized: $clients_wanted clients, garbage at $garbage_rate frames/s, text and" \
        "oversize frames before it"
fi

# Every client is a file descriptor, in Node and in the hub (which raises its
# own soft limit up to the hard one).
hard="$(ulimit -Hn)"
[[ $hard == unlimited ]] && hard=1048576
fds_wanted=$((clients_wanted + 200))
ulimit -n "$((hard < fds_wanted ? hard : fds_wanted))" 2>/dev/null
clients=$(($(ulimit -n) - 200))
((clients > clients_wanted)) && clients=$clients_wanted
if ((clients < clients_wanted)); then
    echo "# ulimit -n: the hard limit $hard allows $clients WebSocket clients, not $clients_wanted"
fi

# --max-clients counts every open connection; its default must leave room
# for the observers besides the clients, else the flag is given.
max_clients_default="$("$bin/nanostate-hubws" --help | sed -n 's/.*(default \([0-9]*\)); beyond it.*/\1/p')"
fanout_args=()
if [[ ! $max_clients_default =~ ^[0-9]+$ ]] || ((max_clients_default < clients + 16)); then
    fanout_args=(--max-clients "$((clients + 16))")
fi
echo "# --max-clients default ${max_clients_default:-unknown}${fanout_args[*]:+, passing ${fanout_args[*]}}"

# --- helpers ----------------------------------------------------------------

# start_hubws NAME ARGS...: a hub with its monitor window offscreen, nanomsg
# on ipc in $tmp, WebSocket on a free port; sets hub_pid, nn_url, ws_url.
start_hubws() {
    local name="$1"
    shift
    nn_url="ipc://$tmp/$name.sock"
    ws_url=""
    "$bin/nanostate-hubws" -platform offscreen -b "$nn_url" --ws-port 0 "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    hub_pid=$!
    track_pid "$hub_pid"
    wait_until 15 grep -q 'listening on ws://.*(WebSocket)' "$tmp/$name.err" || return 1
    ws_url="$(sed -n 's/.*listening on \(ws:[^ ]*\) (WebSocket).*/\1/p' "$tmp/$name.err" | head -n 1)"
    wait_for_hub "$bin" "$nn_url"
}

ready_or_gone() { # FILE PID
    grep -qx ready "$1" || has_ended "$2"
}

# run_node NAME SCENARIO ARGS...: starts ws_faults.mjs in the background
# (node_pid); true once it says ready.
run_node() {
    local name="$1"
    shift
    node "$here/ws_faults.mjs" "$@" >"$tmp/$name.node" 2>"$tmp/$name.node.err" &
    node_pid=$!
    track_pid "$node_pid"
    wait_until 90 ready_or_gone "$tmp/$name.node" "$node_pid" && grep -qx ready "$tmp/$name.node"
}

# finish_node NAME SECONDS: waits for the node script; true if it ended with
# "done".
finish_node() {
    wait_for_exit "$node_pid" "$2" >/dev/null
    grep -qx 'done' "$tmp/$1.node"
}

# result NAME KEY: a "result KEY VALUE" line of the node script's output.
result() {
    sed -n "s/^result $2 //p" "$tmp/$1.node" | head -n 1
}

node_log() { # NAME: the node script's output, for diagnostics
    { grep -v '^result ' "$tmp/$1.node"; cat "$tmp/$1.node.err"; } 2>/dev/null | tail -n 20 | indent
}

# publish NAME PATTERN: once the node script is ready, the C App publishes
# $tmp/NAME.lines through nanomsg (pub_start_ms: when it started) and waits
# until the hub accepted everything; then the node script's end is awaited,
# and the hub's table of the states matching PATTERN, as the nanostate CLI
# dumps it, compared with the final value of each name in the lines. Sets
# pub_status, node_status and dump_status (0: as expected).
publish() {
    local name="$1" pattern="$2"
    pub_start_ms="$(now_ms)"
    "$tmp/ws_publisher" "$nn_url" "$tmp/$name.lines" >"$tmp/$name.pub" 2>&1 &
    local pid=$!
    track_pid "$pid"
    wait_for_exit "$pid" 60
    pub_status=$?
    echo "# $name: the C App $(cat "$tmp/$name.pub")"
    finish_node "$name" 90
    node_status=$?
    awk '{ v[$1] = $2 } END { for (n in v) print n " " v[n] }' "$tmp/$name.lines" |
        LC_ALL=C sort >"$tmp/$name.expected"
    "$bin/nanostate" -c "$nn_url" --timeout 5000 dump "$pattern" >"$tmp/$name.dump" 2>&1 &&
        diff "$tmp/$name.expected" "$tmp/$name.dump" >"$tmp/$name.diff"
    dump_status=$?
}

hub_log() { # NAME: the hub's stderr, for diagnostics (without Qt's offscreen noise)
    grep -v 'propagateSizeHints' "$tmp/$1.err" 2>/dev/null | tail -n 20 | indent
}

# end_case: ends the case's node script, if it still runs, and its hub.
end_case() {
    if [[ -n ${node_pid:-} ]]; then
        kill "$node_pid" 2>/dev/null
        wait_for_exit "$node_pid" 10 >/dev/null
    fi
    kill "$hub_pid" 2>/dev/null
    wait_for_exit "$hub_pid" 10 >/dev/null
    node_pid=""
}

# --- 1. fan-out to 1000 WebSocket clients -----------------------------------

if start_hubws fanout "${fanout_args[@]}" && run_node fanout fanout url="$ws_url" \
    clients="$clients" names="$fanout_states" lines="$tmp/fanout.lines"; then
    hub_clients="$(result fanout hub_clients)"
    ok_if "$clients WebSocket Apps connected and synced, the hub counts them" \
        "$([[ $(result fanout synced) == "$clients" && $(result fanout hub_saw_all) == 1 ]]; echo $?)" \
        "synced $(result fanout synced), \$hub/clients/other $hub_clients"
    echo "# fanout: $clients clients connected and synced in $(result fanout connect_ms) ms"
    publish fanout 'fan/*'
    ok_if "the C App published $fanout_states states through nanomsg" "$pub_status" "$(tail_of "$tmp/fanout.pub")"
    converged="$(result fanout converged)"
    ok_if "every WebSocket client holds the C App's table, and so does the hub" \
        "$([[ $node_status == 0 && $converged == "$clients" && $(result fanout tables_equal) == 1 &&
            $dump_status == 0 ]]; echo $?)" \
        "converged: ${converged:-?} of $clients; clients whose table differs: $(result fanout tables_differing)" \
        "$(node_log fanout)" "$(tail_of "$tmp/fanout.diff" 5)"
    last="$(result fanout last_converged_at)"
    if [[ $last =~ ^[1-9][0-9]*$ ]]; then
        echo "# fanout: converged $((last - pub_start_ms)) ms after the C App started;" \
            "$(result fanout updates_delivered) updates delivered, $(result fanout fanout_per_s) updates/s aggregate;" \
            "$(result fanout resyncs) resyncs beyond the first, $(result fanout reconnects) reconnects"
    fi
else
    fail "$clients WebSocket Apps connected and synced" "$(hub_log fanout)" "$(node_log fanout)"
    skip "the C App published" "no hub or clients"
    skip "every WebSocket client holds the C App's table" "no hub or clients"
fi
end_case

# --- 2. a stalled client during a flood --------------------------------------

# Had the hub queued the flood for the client that never reads, its RSS
# would have grown by the whole flood (twice that, measured without the
# pause); paused, the client costs about --max-queue.
rss_bound_mib=32
flood_min_mib=48
if start_hubws stall -v --stall-timeout 2000 --stats=200 && run_node stall stall url="$ws_url" \
    hub_pid="$hub_pid" hub_log="$tmp/stall.err" lines="$tmp/stall.lines"; then
    publish stall 'flood/*'
    dropped="$(result stall stalled_dropped_after_ms)"
    # A slow hub (ASan) may take the whole flood in while every client is
    # paused; the kernel's buffers then empty the stalled client's backlog
    # and it is resumed: closed all the same, since it takes nothing more.
    ok_if "the client that never reads is closed by the hub (stall timeout 2000 ms)" \
        "$([[ $dropped =~ ^[0-9]+$ && $(result stall stalled_end) =~ ^(eof|reset)$ ]]; echo $?)" \
        "dropped after: ${dropped:-?} ms; connection end: $(result stall stalled_end)" "$(node_log stall)" \
        "$(grep -E 'paused|resumed|stalled' "$tmp/stall.err" | tail -n 8 | indent)"
    echo "# stalled client: dropped ${dropped} ms after the flood started; it then read" \
        "$(result stall stalled_read_kib) KiB, close code $(result stall stalled_close_code), end $(result stall stalled_end)"
    ok_if "the other clients lose nothing: their tables equal the C App's" \
        "$([[ $pub_status == 0 && $node_status == 0 && $(result stall converged) == 3 &&
            $(result stall tables_equal) == 1 && $dump_status == 0 ]]; echo $?)" \
        "converged: $(result stall converged) of 3" "$(node_log stall)" "$(tail_of "$tmp/stall.diff" 5)"
    before="$(result stall rss_before_kib)" peak="$(result stall rss_peak_kib)" after="$(result stall rss_after_kib)"
    flood="$(result stall flood_mib)"
    growth=$((${peak:-0} - ${before:-0}))
    what="the hub's memory stays bounded: RSS grew < $rss_bound_mib MiB while >= $flood_min_mib MiB flowed"
    if [[ -n $sanitized ]]; then
        # With ASAN_OPTIONS=quarantine_size_mb=0 it grew +32-34 MiB, not ~+450.
        skip "$what" "$sanitized: freed memory stays in ASan's quarantine (256 MiB)"
    else
        ok_if "$what" "$([[ $before =~ ^[0-9]+$ && $peak =~ ^[0-9]+$ && ${flood%.*} -ge $flood_min_mib &&
            $growth -lt $((rss_bound_mib * 1024)) ]]; echo $?)" \
            "RSS before $before KiB, peak $peak KiB, after $after KiB; flood ${flood:-?} MiB"
    fi
    echo "# stall: hub RSS before $before KiB, peak $peak KiB (+$((growth / 1024)) MiB), after $after KiB;" \
        "flood $(result stall flood_changes) changes, $flood MiB of values; readers got" \
        "$(result stall reader_updates) updates, $(result stall reader_resyncs) resyncs"
else
    fail "the client that never reads is closed by the hub" "$(hub_log stall)" "$(node_log stall)"
    skip "the other clients lose nothing" "no hub or clients"
    skip "the hub's memory stays bounded" "no hub or clients"
fi
end_case

# With --max-queue above the flood, the client that never reads is never
# paused: the kernel's buffers fill, then it takes nothing more. A slow hub
# (ASan) can end up there in case 2 too: it may take the whole flood in
# while every client is paused; the kernel's buffers then empty the stalled
# client's backlog, it is resumed, and nothing comes to pause it again.
if start_hubws unpaused -v --stall-timeout 2000 --max-queue 33554432 --stats=200 &&
    run_node unpaused stall url="$ws_url" hub_pid="$hub_pid" hub_log="$tmp/unpaused.err" \
        lines="$tmp/unpaused.lines" rounds=10; then
    publish unpaused 'flood/*'
    dropped="$(result unpaused stalled_dropped_after_ms)"
    ok_if "a client that never reads is closed even if never paused (it took nothing for 2000 ms)" \
        "$([[ $dropped =~ ^[0-9]+$ && $(result unpaused stalled_end) =~ ^(eof|reset)$ ]] &&
            grep -q ') stalled: took none of' "$tmp/unpaused.err"; echo $?)" \
        "dropped after: ${dropped:-?} ms; connection end: $(result unpaused stalled_end)" \
        "$(node_log unpaused)" "$(hub_log unpaused)"
    echo "# unpaused stalled client: dropped ${dropped} ms after a $(result unpaused flood_mib) MiB flood" \
        "started; it then read $(result unpaused stalled_read_kib) KiB, close code $(result unpaused stalled_close_code)"
else
    fail "a client that never reads is closed even if never paused" "$(hub_log unpaused)" "$(node_log unpaused)"
fi
end_case

# --- 3. garbage at >= 10k frames/s during valid traffic -----------------------

if start_hubws garbage --max-frame 65536 --stats=200 && run_node garbage garbage url="$ws_url" \
    lines="$tmp/garbage.lines" max_frame=65536 rate="$garbage_rate" "${garbage_args[@]}"; then
    publish garbage 'valid/c/*'
    leaked="$("$bin/nanostate" -c "$nn_url" --timeout 5000 dump 'garbage*' 2>&1)"
    ok_if "valid updates all arrive during the garbage (C App's and a JS App's), none of the garbage" \
        "$([[ $pub_status == 0 && $node_status == 0 && $(result garbage converged) == 1 &&
            $(result garbage tables_equal) == 1 && $dump_status == 0 && -z $leaked ]]; echo $?)" \
        "publisher exit $pub_status; converged $(result garbage converged)" "$(node_log garbage)" \
        "$(tail_of "$tmp/garbage.diff" 5)" "states from garbage: $leaked"
    texts="$(result garbage text_close_codes)" oversize="$(result garbage oversize_close_code)"
    open="$(result garbage garbage_clients_open)"
    ok_if "text frames are closed with 1003, an oversize frame with 1009, invalid binary frames only dropped" \
        "$([[ $texts == 1003,1003,1003,1003,1003 && $oversize == 1009 && $open == 3 ]]; echo $?)" \
        "text frames: $texts; oversize: $oversize; binary garbage clients still open: $open of 3"
    sent="$(result garbage garbage_sent)" rejected="$(result garbage rejected)"
    ok_if "\$hub/rejected counts every invalid binary frame" \
        "$([[ $sent =~ ^[0-9]+$ && $rejected == "$sent" ]]; echo $?)" \
        "sent $sent, \$hub/rejected grew by $rejected"
    rate="$(result garbage rejected_per_s)"
    if [[ -n $sanitized ]]; then
        skip "garbage reached the hub at >= 10000 frames/s" "$sanitized: $rate frames/s"
    else
        ok_if "garbage reached the hub at >= 10000 frames/s" "$([[ ${rate:-0} -ge 10000 ]]; echo $?)" \
            "rejected at $rate frames/s"
    fi
    echo "# garbage: $sent frames ($(result garbage garbage_kinds)) sent at $(result garbage garbage_send_per_s)/s" \
        "by 3 clients (aiming at $garbage_rate/s), rejected by the hub at $rate/s or more; \$hub/rejected +$rejected;" \
        "$(result garbage valid_states) valid states, $(result garbage js_sets) JS sets meanwhile"
else
    fail "valid updates all arrive during the garbage" "$(hub_log garbage)" "$(node_log garbage)"
    for t in "text and oversize frames closed" "\$hub/rejected counts" "garbage at >= 10000 frames/s"; do
        skip "$t" "no hub or clients"
    done
fi
end_case

# --- 4. abrupt drops -----------------------------------------------------------

if start_hubws drops --stats=200 && run_node drops drops url="$ws_url" hub_pid="$hub_pid" count=100; then
    finish_node drops 60
    node_status=$?
    dumped="$("$bin/nanostate" -c "$nn_url" --timeout 5000 get drops/after 2>&1)"
    ok_if "after 100 abrupt drops the hub is up and serves both sides" \
        "$([[ $node_status == 0 && $(result drops drops) == 100 && $(result drops new_client_works) == 1 &&
            $dumped == "still here" ]] && ! has_ended "$hub_pid"; echo $?)" \
        "drops done: $(result drops drops); new client works: $(result drops new_client_works); C App read: $dumped" \
        "$(node_log drops)" "$(hub_log drops)"
    ok_if "its client count returns to the baseline, and its open files too" \
        "$([[ $(result drops back_to_baseline_ms) =~ ^[0-9]+$ && $(result drops fds_back) == 1 ]]; echo $?)" \
        "clients: baseline $(result drops baseline_clients), after $(result drops clients_after)" \
        "hub fds before,after: $(result drops hub_fds)"
    echo "# drops: $(result drops drop_kinds) in turn; back to $(result drops baseline_clients) client(s)" \
        "$(result drops back_to_baseline_ms) ms after the first drop (peak seen $(result drops max_clients_seen));" \
        "hub fds before,after: $(result drops hub_fds)"
else
    fail "after 100 abrupt drops the hub is up" "$(hub_log drops)" "$(node_log drops)"
    skip "its client count returns to the baseline" "no hub or clients"
fi
end_case
