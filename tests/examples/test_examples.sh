#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Qt examples, offscreen, against a hub of their own; prints TAP.
#   nanostate-slider-demo  follows the CLI's changes and another instance's,
#                          without publishing them back (--print-changes)
#   nanostate-dashboard    shows the sensor demo's values (--screenshot)
# Needs NANOSTATE_BIN (the built tools and examples) and NANOSTATE_TEST_TMP
# (an empty temporary folder); tests/run sets both.
set -u

bin="${NANOSTATE_BIN:?NANOSTATE_BIN must name the folder with the tools and examples}"
tmp="${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"
url="ipc://$tmp/hub.sock"
unset NANOSTATE_URL
export QT_QPA_PLATFORM=offscreen

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

ns() {
    "$bin/nanostate" -c "$url" -i tester "$@"
}

# man_sections PROGRAM: the section titles its --help prints, on one line;
# without any display, as on a server.
man_sections() {
    env -u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY "$bin/$1" --help 2>/dev/null |
        grep -E '^[A-Z]' | tr '\n' ' '
}

plan 15

start_hub "$bin" "$url" "$tmp/hub.err" ||
    bail_out "the hub at $url did not answer within 5 s: $(cat "$tmp/hub.err")"

# ---------------------------------------------------------------------------
# nanostate-slider-demo

want_sections='NAME SYNOPSIS DESCRIPTION OPTIONS EXIT STATUS '
got="$(man_sections nanostate-slider-demo)"
[[ $got == "$want_sections" ]]
ok_if "slider: --help prints the man-page sections, with no display" $? "got: $got" \
    "expected: $want_sections"

status=0
"$bin/nanostate-slider-demo" --url "$url" --move-to 101 >"$tmp/out" 2>"$tmp/err" || status=$?
[[ $status == 2 ]] && grep -q 'see --help' "$tmp/err"
ok_if "slider: --move-to 101 is a usage error (status 2)" $? "status: $status" \
    "$(tail_of "$tmp/err")"

# A: alone, on a hub without demo/level, it publishes its slider's 50.
"$bin/nanostate-slider-demo" --url "$url" --identity slider-a --print-changes --quit-after 5000 \
    >"$tmp/a.out" 2>"$tmp/a.err" &
a_pid=$!
track_pid "$a_pid"
wait_for_line "$tmp/a.out" "demo/level = 50 (set by slider-a)" &&
    [[ $(ns get demo/level 2>&1) == 50 ]]
ok_if "slider: alone on the hub, it publishes its initial 50" $? "$(tail_of "$tmp/a.out")" \
    "get demo/level: $(ns get demo/level 2>&1)"

ns set demo/level 42 >/dev/null 2>&1
wait_for_line "$tmp/a.out" "demo/level = 42 (set by tester)"
ok_if "slider: follows 'nanostate set demo/level 42' (a string)" $? "$(tail_of "$tmp/a.out")"

ns --json set demo/level 17.6 >/dev/null 2>&1
wait_for_line "$tmp/a.out" "demo/level = 18 (set by tester)"
ok_if "slider: follows a double, rounded (17.6 -> 18)" $? "$(tail_of "$tmp/a.out")"

ns set demo/level high >/dev/null 2>&1
wait_for_line "$tmp/a.out" "demo/level = high (not a number, set by tester)"
ok_if "slider: shows a value that is not a number without moving" $? "$(tail_of "$tmp/a.out")"

# B moves its slider as a user would: A follows, and does not publish it back.
"$bin/nanostate-slider-demo" --url "$url" --identity slider-b --print-changes --move-to 73 \
    --quit-after 5000 >"$tmp/b.out" 2>"$tmp/b.err" &
b_pid=$!
track_pid "$b_pid"
wait_for_line "$tmp/b.out" "demo/level = 73 (set by slider-b)" &&
    wait_for_line "$tmp/a.out" "demo/level = 73 (set by slider-b)"
ok_if "slider: a second instance moves its slider to 73 and the first follows" $? \
    "first:" "$(tail_of "$tmp/a.out")" "second:" "$(tail_of "$tmp/b.out")"

sleep 0.3 # room for an echo, if there were one
want='{"name":"demo/level","value":73,"sender":"slider-b"}'
got="$(ns --json dump demo/level 2>&1)"
echoes="$(sed -n '/= 73 (set by slider-b)/,$p' "$tmp/a.out" | grep -c 'set by slider-a')"
[[ $got == "$want" && $echoes == 0 ]]
ok_if "slider: the follower does not publish the value back (sender stays slider-b)" $? \
    "dump: $got" "expected: $want" "lines of the first set by itself after 73: $echoes"

kill "$b_pid" 2>/dev/null
wait_for_exit "$b_pid" 5 >/dev/null
status=0
wait_for_exit "$a_pid" 10 || status=$?
ok_if "slider: --quit-after 5000 ends it with status 0" "$status" "status: $status" \
    "$(tail_of "$tmp/a.err")"

# ---------------------------------------------------------------------------
# nanostate-dashboard

got="$(man_sections nanostate-dashboard)"
[[ $got == "$want_sections" ]]
ok_if "dashboard: --help prints the man-page sections, with no display" $? "got: $got" \
    "expected: $want_sections"

# The sensor demo publishes sensors/* (and its rate, 5.0, at start); then
# another App sets its rate to 10 Hz.
"$bin/nanostate-sensor-demo" "$url" >"$tmp/sensor.out" 2>&1 &
track_pid "$!"
wait_until 5 ns get sensors/rate_hz >/dev/null 2>&1
ns --json set sensors/rate_hz 10 >/dev/null 2>&1

shot="$tmp/dashboard.png"
status=0
QT_QUICK_BACKEND=software timeout 20 "$bin/nanostate-dashboard" --url "$url" --quit-after 10000 \
    --screenshot "$shot" >"$tmp/dash.out" 2>"$tmp/dash.err" || status=$?
ok_if "dashboard: --screenshot with QT_QUICK_BACKEND=software exits 0" "$status" "status: $status" \
    "$(tail_of "$tmp/dash.err")"

number=' [0-9]+\.[0-9]'
missing=()
for pattern in "^Temperature:$number °C\$" "^Humidity:$number %\$" "^Pressure:$number hPa\$" \
    '^Door: (open|closed)$' '^Hub: connected$' '^States: ([5-9]|[1-9][0-9]+)$'; do
    grep -qE -- "$pattern" "$tmp/dash.out" || missing+=("$pattern")
done
((${#missing[@]} == 0))
ok_if "dashboard: displays the sensor values, the door, the hub and the states table" $? \
    "no line matching: ${missing[*]}" "$(tail_of "$tmp/dash.out")"

grep -qxF "Rate: 10.0 Hz" "$tmp/dash.out"
ok_if "dashboard: the rate slider's NanostateValue shows the rate another App set" $? \
    "$(tail_of "$tmp/dash.out")"

# Decodes the PNG with the standard library: size, and how many colours.
png_report="$(python3 - "$shot" 2>&1 <<'EOF'
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks = 8, {}
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
    pos += 12 + length
width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format"
bpp = 3 if colour == 2 else 4
raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
stride, previous, colours = width * bpp, bytearray(width * bpp), set()
for y in range(height):
    kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = previous[i], previous[i - bpp] if i >= bpp else 0
        if kind == 1: line[i] = (line[i] + a) & 255
        elif kind == 2: line[i] = (line[i] + b) & 255
        elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp))
    previous = line
print(width, height, len(colours))
EOF
)"
read -r png_width png_height png_colours <<<"$png_report"
size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
[[ $png_width == 860 && $png_height == 680 && $png_colours -ge 50 && $size -ge 10000 ]]
ok_if "dashboard: the screenshot is an 860x680 PNG with many colours, not a flat image" $? \
    "file: $size bytes" "decoded: $png_report"

# No hub at all: no live data, so --quit-after ends it with status 3. Without
# QT_QUICK_BACKEND: offscreen must pick the software backend by itself.
status=0
env -u QT_QUICK_BACKEND timeout 20 "$bin/nanostate-dashboard" --url "ipc://$tmp/nobody.sock" \
    --quit-after 1500 --screenshot "$tmp/none.png" >"$tmp/none.out" 2>"$tmp/none.err" || status=$?
[[ $status == 3 && ! -e $tmp/none.png ]] && grep -q 'no screenshot' "$tmp/none.err"
ok_if "dashboard: without a hub, --quit-after ends it with status 3 and no screenshot" $? \
    "status: $status" "$(tail_of "$tmp/none.err")"
