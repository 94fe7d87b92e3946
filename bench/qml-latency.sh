#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Latency from a C App's set to a QML binding updating, through a real hub.
#   bench/qml-latency.sh [BUILD_DIR] [COUNT] [INTERVAL_US]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
count="${2:-1000}"
interval="${3:-2000}"
tmp="$(mktemp -d)"
url="ipc://$tmp/hub.sock"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
"$build/bin/nanostate-hub" -b "$url" &
pids+=("$!")
QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software \
    "$build/bin/nanostate-bench-qml" "$url" "$count" >"$tmp/qml.out" &
qml="$!"
pids+=("$qml")
"$build/bin/nanostate-bench-publisher" "$url" "$count" "$interval" bench/t &
pids+=("$!")
wait "$qml"
echo "C App set -> QML binding, $count updates every ${interval} us: $(cat "$tmp/qml.out")"
