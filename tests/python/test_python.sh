#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Python package's tests (pynanostate/, stdlib unittest) against real hub
# and App processes; prints TAP. Needs NANOSTATE_BIN, NANOSTATE_BUILD and
# NANOSTATE_TEST_TMP, which tests/run sets.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

: "${NANOSTATE_BIN:?NANOSTATE_BIN must name the folder with nanostate and nanostate-hub}"
: "${NANOSTATE_BUILD:?NANOSTATE_BUILD must name the build folder (with lib/)}"
: "${NANOSTATE_TEST_TMP:?NANOSTATE_TEST_TMP must name a temporary folder}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_root="$(cd "$here/../.." && pwd)"

# The first Python 3 with python3-msgpack (a pyenv python3 may lack Debian's
# packages): $NANOSTATE_PYTHON, python3, then the system's.
python=""
for candidate in ${NANOSTATE_PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c 'import msgpack' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
[[ -n $python ]] || skip_all "no python3 with msgpack (apt-get install python3-msgpack)"

export NANOSTATE_PYTHON="$python"
export PYTHONPATH="$source_root/pynanostate${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$python" "$here/tap_runner.py" "$here"
