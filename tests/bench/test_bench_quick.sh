#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keeps the benchmark harness alive: bench/run --quick against NANOSTATE_BUILD
# prints its table with every row, and Nanostate loses no final value. Speed
# is not checked here (docs/BENCHMARKS.md holds the numbers).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${NANOSTATE_BUILD:-${NANOSTATE_BIN:+$NANOSTATE_BIN/..}}"
build="${build:-$root/build}"

[[ -x $build/bin/nanostate-bench-fanout ]] || skip_all "no bench tools in $build/bin (set NANOSTATE_BUILD)"
command -v python3 >/dev/null || skip_all "python3 is missing"

plan 5
out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT
timeout 120 python3 "$root/bench/run" --quick --build "$build" >"$out" 2>"$err"
ok_if "bench/run --quick exits 0 within 120 s" $? "$(tail_of "$err")"

grep -q '^| benchmark | configuration | system |' "$out"
ok_if "the table is printed" $? "$(tail_of "$out")"

# Rows every quick run has; Mosquitto and ZeroMQ rows only when installed.
missing=()
for row in "fan-out | ipc, 1 sub, 16 B | nanostate" "fan-out | ipc, 4 sub, 16 B | nanostate" \
    "fan-out | tcp, 1 sub, 16 B | nanostate" "fan-out | tcp, 4 sub, 16 B | nanostate" \
    "fan-out | ipc, 4 sub, 16 B | nanomsg" "fan-out | tcp, 4 sub, 16 B | nanomsg" \
    "round trip | ipc, 16 B," "round trip | tcp, 16 B," "late join | ipc, 10k states" \
    "hub memory | 10k states"; do
    grep -qF "| $row" "$out" || missing+=("$row")
done
command -v mosquitto >/dev/null && ! grep -qF "| tcp, 4 sub, 16 B | mosquitto |" "$out" && missing+=(mosquitto)
[[ -x $build/bin/nanostate-bench-zmqproxy ]] && ! grep -qF "| tcp, 4 sub, 16 B | zmq |" "$out" && missing+=(zmq)
ok_if "every row is present" "${#missing[@]}" "missing: ${missing[*]}" "$(tail_of "$out" 40)"

! grep -q '| failed' "$out"
ok_if "no measurement failed" $? "$(grep -F 'failed' "$out" | indent)" "$(tail_of "$err")"

bad="$(grep -F '| fan-out |' "$out" | grep -F '| nanostate |' | awk -F'|' '$7 + 0 != 0 || $7 ~ /failed/')"
[[ -z $bad ]]
ok_if "Nanostate loses no final value" $? "$(indent <<<"$bad")"
