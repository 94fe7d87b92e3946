#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of every fuzz target (docs/FUZZING.md).

Usage: fuzz/make_corpus.py OUTDIR

OUTDIR/<target>/ gets one file per seed, named after what it holds:
  fuzz_frame  every frame of tests/vectors/frames.json, valid or not
  fuzz_value  every value found in the vectors, plus hand-made values
              (each type and width, nesting at the limits 32/33 and 64/65)
  fuzz_json   hand-made JSON texts, plus the msgpack values of fuzz_value
  fuzz_hub    the vectors an App sends, one per seed and all in one
              session, and a state file, in the record format of
              fuzz/fuzz_hub.c
  fuzz_app    the vectors a hub sends and a scripted session, in the record
              format of fuzz/fuzz_app.c
The seeds are made at run time (never committed), from the vectors as they
are: OUTDIR is emptied first. Python 3 standard library only.
"""
import json
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "tests", "vectors", "frames.json")

# --- a little msgpack, enough for seeds -------------------------------------


def mp_uint(n):
    if n < 0x80:
        return bytes([n])
    for code, fmt, limit in ((0xCC, ">B", 1 << 8), (0xCD, ">H", 1 << 16), (0xCE, ">I", 1 << 32)):
        if n < limit:
            return bytes([code]) + struct.pack(fmt, n)
    return b"\xcf" + struct.pack(">Q", n)


def mp_str(s):
    b = s.encode() if isinstance(s, str) else s
    if len(b) < 32:
        return bytes([0xA0 | len(b)]) + b
    if len(b) < 256:
        return b"\xd9" + bytes([len(b)]) + b
    return b"\xda" + struct.pack(">H", len(b)) + b


def mp_array(n):
    return bytes([0x90 | n]) if n < 16 else b"\xdc" + struct.pack(">H", n)


def nested(depth, leaf=b"\xc0"):
    """depth arrays of one element each around leaf: nesting `depth`."""
    return b"\x91" * depth + leaf


VALUES = {
    "nil": b"\xc0",
    "true": b"\xc3",
    "false": b"\xc2",
    "fixint": b"\x05",
    "negative_fixint": b"\xff",
    "uint8": b"\xcc\x80",
    "uint16": b"\xcd\x01\x00",
    "uint32": b"\xce\x00\x01\x00\x00",
    "uint64_max": b"\xcf" + b"\xff" * 8,
    "int8": b"\xd0\x80",
    "int8_positive": b"\xd0\x05",
    "int16": b"\xd1\x80\x00",
    "int32": b"\xd2\x80\x00\x00\x00",
    "int64_min": b"\xd3\x80" + b"\x00" * 7,
    "int64_positive": b"\xd3" + b"\x00" * 7 + b"\x07",
    "float32": b"\xca\x3f\x33\x33\x33",
    "float32_inf": b"\xca\x7f\x80\x00\x00",
    "float64": b"\xcb\x3f\xe6\x66\x66\x66\x66\x66\x66",
    "float64_nan": b"\xcb\x7f\xf8" + b"\x00" * 6,
    "float64_negative_zero": b"\xcb\x80" + b"\x00" * 7,
    "float64_tiny": b"\xcb\x00\x00\x00\x00\x00\x00\x00\x01",
    "str": mp_str("h\u00e9llo"),
    "str8": mp_str("x" * 40),
    "str_not_utf8": b"\xa2\xff\xfe",
    "str_nul": b"\xa3a\x00b",
    "bin": b"\xc4\x03\x00\x01\x02",
    "bin16": b"\xc5\x00\x02ab",
    "fixext1": b"\xd4\x01\x00",
    "timestamp32": b"\xd6\xff\x00\x00\x00\x01",
    "ext8": b"\xc7\x02\x05ab",
    "array": b"\x93\x01\x92\x02\x91\x03\xc0",
    "array16": b"\xdc\x00\x02\x01\x02",
    "empty_array": b"\x90",
    "empty_map": b"\x80",
    "map": b"\x82\xa1a\x01\x02\x91\xc0",
    "map32": b"\xdf\x00\x00\x00\x01\xa1k\xc3",
    "map_nul_key": b"\x81\xa3a\x00b\x01",
    "map_array_key": b"\x81\x92\x01\x02\xa1v",
    "map_base64_key": b"\x81\xa6base64\xa4QQ==",
    "nesting_32": nested(32),
    "nesting_33": nested(33),
    "nesting_64": nested(64),
    "nesting_65": nested(65),
    "never_used_c1": b"\xc1",
    "truncated_str": b"\xa5ab",
    "overclaimed_array": b"\xdd\xff\xff\xff\xff\xc0",
    "trailing_byte": b"\xc0\xc0",
}

JSON_TEXTS = {
    "null": "null",
    "true": "true",
    "integer": "-42",
    "int64_max": "9223372036854775807",
    "int64_min": "-9223372036854775808",
    "real": "0.7",
    "real_exponent": "1e300",
    "real_negative_zero": "-0.0",
    "reals_mixed": "[0.1, 100.0, 1e-7, 123456789.123, 5e-324]",
    "string": '"h\\u00e9llo \\u0000 \\ud83d\\ude00"',
    "array": '[1, "two", [3.5, null, true]]',
    "object": '{"a": {"b": [1, -2, 3.25e10]}, "c": "d"}',
    "duplicate_keys": '{"x": 1, "x": 2}',
    "bin": '{"base64": "QQ=="}',
    "bin_unpadded": '{"base64": "QQ"}',
    "bin_bad": '{"base64": "!!"}',
    "ext": '{"ext": -1, "base64": "AAAAAQ=="}',
    "ext_out_of_range": '{"ext": 300, "base64": ""}',
    "nesting_32": "[" * 32 + "]" * 32,
    "nesting_33": "[" * 33 + "]" * 33,
    "nesting_65": "[" * 65 + "]" * 65,
    "not_json": "{",
}

# --- record formats of the harnesses -------------------------------------------


def record(ctl, data):
    return bytes([ctl]) + struct.pack(">H", len(data)) + data


def hub_sync(session, since=0):
    """ctl 4 + peer: a SYNC with the hub's epoch (fuzz_hub.c action 4)."""
    return lambda peer: record(4 << 1 | peer, bytes([session]) + struct.pack(">H", since))


def state_file():
    """A hub state file (cnanostate/lib/hub_statefile.c) of a few states."""
    states = [("robot/speed", b"\xcb\x3f\xe6\x66\x66\x66\x66\x66\x66", "sensor", 7, 3),
              ("robot/mode", mp_str("auto"), "panel", 0, 5),
              ("$hub/states", b"\x02", "$hub", 0, 6)]
    data = mp_array(4) + mp_str("nanostate-state") + mp_uint(1) + mp_uint(6) + mp_uint(len(states))
    for name, value, sender, session, seq in states:
        data += (mp_array(7) + mp_str(name) + value + mp_str(sender) + mp_uint(session)
                 + mp_uint(seq) + mp_uint(1) + mp_uint(1700000000000))
    return data


def write(outdir, target, name, data):
    folder = os.path.join(outdir, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    outdir = sys.argv[1]
    shutil.rmtree(outdir, ignore_errors=True)
    with open(VECTORS, encoding="utf-8") as f:
        vectors = json.load(f)

    values = dict(VALUES)
    app_to_hub, hub_to_app = [], []
    for v in vectors:
        frame = bytes.fromhex(v["hex"])
        write(outdir, "fuzz_frame", v["name"], frame)
        expect = v.get("expect")
        if not expect:
            # Invalid frames still make good raw records for the engines.
            app_to_hub.append((v["name"], frame))
            hub_to_app.append((v["name"], frame))
            continue
        values["vector_" + v["name"]] = bytes.fromhex(expect["value_hex"])
        for i, entry in enumerate(expect.get("entries", [])):
            if "value_hex" in entry:
                values["vector_%s_entry%d" % (v["name"], i)] = bytes.fromhex(entry["value_hex"])
        op = expect["op"]
        if op in (0, 3, 7) or (op in (1, 2) and expect["count"] == 6):
            app_to_hub.append((v["name"], frame))
        else:
            hub_to_app.append((v["name"], frame))

    seen = set()
    for name, value in sorted(values.items()):
        if value in seen:
            continue
        seen.add(value)
        write(outdir, "fuzz_value", name, value)
        write(outdir, "fuzz_json", "msgpack_" + name, value)
    for name, text in JSON_TEXTS.items():
        write(outdir, "fuzz_json", "json_" + name, text.encode())

    # fuzz_hub: [config] record*; action 0 = a frame from the peer, 3 time
    # passes, 4 a SYNC with the hub's epoch, 6 the hub's own change.
    for name, frame in app_to_hub:
        write(outdir, "fuzz_hub", name, b"\x00" + record(0, frame))
    session = b""
    for i, (name, frame) in enumerate(app_to_hub):
        session += record(i & 1, frame)
        if i % 7 == 6:
            session += hub_sync(1 + i % 4, 3)(i & 1)
    session += record(3 << 1, b"\x00\x40")  # a second passes: heartbeat
    session += record(6 << 1, b"\x01")  # the hub sets "a" to 1
    session += record(6 << 1 | 0x40, b"")  # and removes it
    session += hub_sync(2, 5)(1)
    session += record(3 << 1, b"\xff\xff")  # 17 minutes: idle sessions go
    write(outdir, "fuzz_hub", "session", b"\x00" + session)
    write(outdir, "fuzz_hub", "session_small_frames", b"\x01" + session)
    write(outdir, "fuzz_hub", "session_figures", b"\x08" + session)
    # Bit 2: the hub remembers 16 removals; ctl bit 7 repeats a removal 20 times.
    write(outdir, "fuzz_hub", "session_forgetful",
          b"\x05" + session + record(6 << 1 | 0xC0, b"") + hub_sync(3, 30)(0))
    # Configuration bit 1: the first record is a state file to load.
    write(outdir, "fuzz_hub", "state_file", b"\x02" + record(0, state_file()) + session)
    write(outdir, "fuzz_hub", "state_file_small_frames", b"\x03" + record(0, state_file()))

    # fuzz_app: record*; 0 = a raw frame, 2 snapshot, 3 heartbeat, 4 ack,
    # 5 update, 6 local change, 7 time passes (see fuzz/fuzz_app.c).
    for name, frame in hub_to_app:
        write(outdir, "fuzz_app", name, record(0, frame))
    scripted = (
        record(3, b"\x00")  # heartbeat, epoch 0x1111
        + record(2, b"\x00\x00\x03\x00\x00\x00\x01\x01\x01\x02\x02")  # full snapshot
        + record(5, b"\x00\x00\x05")  # SET "a"
        + record(6, b"\x01\x2a")  # the App sets "b" to 42
        + record(4, b"\x00\x00\x00")  # ACK
        + record(5, b"\x81\x00")  # DEL "b"
        + record(3, b"\x05\x40")  # heartbeat with a gap: resync
        + record(2, b"\x00\x00\x01\x00\x00\x00")
        + record(7, b"\x00\xc8")  # 200 ms: a ping
        + record(7, b"\x0b\xb8")  # 3 s: the hub is lost
    )
    write(outdir, "fuzz_app", "scripted_session", scripted)
    write(outdir, "fuzz_app", "raw_then_scripted",
          b"".join(record(0, f) for _, f in hub_to_app[:8]) + scripted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
