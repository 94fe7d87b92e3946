#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replays the seed corpus and every saved fuzz input through the fuzz
# targets, built without libFuzzer (docs/FUZZING.md). Prints TAP.
#
# Builds fuzz/replay_main.c with each harness into $NANOSTATE_BUILD/fuzz-replay
# (cc, AddressSanitizer and UBSan when the compiler has them), then:
#   - each target replays the seeds (fuzz/make_corpus.py) and
#     fuzz/regressions/<target>/*: one result per target;
#   - each fuzz/regressions/<target>/todo-* input shows a known bug with the
#     strict build (fuzz/fuzz.h, KNOWN_BUG): one TODO result each, "not ok"
#     while the bug is there, "ok" once it is fixed.
set -uo pipefail

source_root="${NANOSTATE_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build_root="${NANOSTATE_BUILD:-$source_root/build}"
out="$build_root/fuzz-replay"
if [[ -n "${NANOSTATE_TEST_TMP:-}" ]]; then
    tmp="$NANOSTATE_TEST_TMP"
else
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
fi
regressions="$source_root/fuzz/regressions"
targets=(fuzz_frame fuzz_value fuzz_hub fuzz_app fuzz_json)
read -r -a cc <<<"${CC:-cc}"

todos=()
for t in "${targets[@]}"; do
    for f in "$regressions/$t"/todo-*; do
        [[ -f "$f" ]] && todos+=("$t/${f##*/}")
    done
done
echo "1..$((1 + ${#targets[@]} + ${#todos[@]}))"

# Sanitizers when the compiler links them, plain otherwise.
sanitize=("-fsanitize=address,undefined" -fno-sanitize-recover=undefined)
echo 'int main(void) { return 0; }' >"$tmp/probe.c"
if ! "${cc[@]}" "${sanitize[@]}" -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
    echo "# ${cc[*]} cannot build with sanitizers: replaying without them"
    sanitize=()
fi

strict_targets=()
for todo in "${todos[@]}"; do
    strict_targets+=("strict-${todo%%/*}")
done
mkdir -p "$out"
if ! make -s -f "$source_root/fuzz/fuzz.mk" MODE=replay OUT="$out" CC="${cc[*]}" SANITIZE="${sanitize[*]}" \
    -j"$(nproc)" "${targets[@]}" "${strict_targets[@]}" >"$out/build.log" 2>&1; then
    echo "not ok 1 - the replay drivers build with ${cc[*]}"
    sed 's/^/# /' "$out/build.log" | tail -n 30
    exit 1
fi
echo "ok 1 - the replay drivers build with ${cc[*]}${sanitize[*]:+ and sanitizers}"

seeds="$out/seeds"
if command -v python3 >/dev/null && python3 "$source_root/fuzz/make_corpus.py" "$seeds"; then
    :
else
    echo "# python3 is missing: replaying the saved inputs without the seeds"
    seeds=""
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1"

n=1
for t in "${targets[@]}"; do
    n=$((n + 1))
    inputs=()
    [[ -n "$seeds" && -d "$seeds/$t" ]] && inputs+=("$seeds/$t")
    [[ -d "$regressions/$t" ]] && inputs+=("$regressions/$t")
    log="$out/$t.log"
    # The braces send bash's own "Aborted" report to the log too.
    if { "$out/$t" "${inputs[@]}"; } >"$log" 2>&1; then
        echo "ok $n - $t: $(sed -n 's/^# replayed //p' "$log")"
    else
        echo "not ok $n - $t crashes"
        echo "# on: $(grep '^# replay ' "$log" | tail -n 1 | sed 's/^# replay //')"
        grep -v '^# replay ' "$log" | tail -n 25 | sed 's/^/# /'
    fi
done

for todo in "${todos[@]}"; do
    n=$((n + 1))
    t="${todo%%/*}"
    log="$out/${todo//\//_}.log"
    if { "$out/strict/$t" "$regressions/$todo"; } >"$log" 2>&1; then
        echo "ok $n - $todo no longer fails # TODO fixed? drop its KNOWN_BUG and the todo- prefix"
    else
        echo "not ok $n - $todo: known bug # TODO see docs/FUZZING.md"
        grep -m 1 -E 'check failed|ERROR: AddressSanitizer|runtime error' "$log" | sed 's/^/# /'
    fi
done
exit 0
