#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes frames.json: the wire-frame test vectors of docs/PROTOCOL.md.

    python3 tests/vectors/generate.py          # rewrites frames.json beside this file
    python3 tests/vectors/generate.py --check  # exit 1 if frames.json is out of date

Only the standard library is used: the msgpack encoder below is just enough
for test vectors (smallest encodings, like msgpack-c), plus Raw for bytes
that must be exactly as written (non-canonical or broken encodings).
"""
import json
import os
import struct
import sys

# --- a tiny msgpack encoder ---------------------------------------------------


class Raw(bytes):
    """Bytes inserted as they are: an already packed object, or garbage."""


class F32(float):
    """A float packed as float32."""


class Ext:
    def __init__(self, type_, data):
        self.type, self.data = type_, bytes(data)


def _head(small_base, small_max, codes, n):
    """Header of a str/bin/array/map of length n: fix form when it fits."""
    if small_base is not None and n <= small_max:
        return bytes([small_base | n])
    for code, size in codes:
        if n < 1 << (8 * size):
            return bytes([code]) + n.to_bytes(size, "big")
    raise ValueError("too long")


def pack(o):
    if isinstance(o, Raw):
        return bytes(o)
    if o is None:
        return b"\xc0"
    if o is True:
        return b"\xc3"
    if o is False:
        return b"\xc2"
    if isinstance(o, int):
        if 0 <= o < 0x80:
            return bytes([o])
        if o >= 0:
            for code, size in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
                if o < 1 << (8 * size):
                    return bytes([code]) + o.to_bytes(size, "big")
        if o >= -32:
            return struct.pack("b", o)
        for code, size in ((0xD0, 1), (0xD1, 2), (0xD2, 4), (0xD3, 8)):
            if o >= -(1 << (8 * size - 1)):
                return bytes([code]) + o.to_bytes(size, "big", signed=True)
        raise ValueError("int out of range")
    if isinstance(o, F32):
        return b"\xca" + struct.pack(">f", o)
    if isinstance(o, float):
        return b"\xcb" + struct.pack(">d", o)
    if isinstance(o, str):
        b = o.encode("utf-8")
        return _head(0xA0, 31, ((0xD9, 1), (0xDA, 2), (0xDB, 4)), len(b)) + b
    if isinstance(o, (bytes, bytearray)):
        return _head(None, 0, ((0xC4, 1), (0xC5, 2), (0xC6, 4)), len(o)) + bytes(o)
    if isinstance(o, Ext):
        n = len(o.data)
        fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
        if n in fixed:
            head = bytes([fixed[n]])
        else:
            head = _head(None, 0, ((0xC7, 1), (0xC8, 2), (0xC9, 4)), n)
        return head + struct.pack("b", o.type) + o.data
    if isinstance(o, (list, tuple)):
        return _head(0x90, 15, ((0xDC, 2), (0xDD, 4)), len(o)) + b"".join(map(pack, o))
    if isinstance(o, dict):
        body = b"".join(pack(k) + pack(v) for k, v in o.items())
        return _head(0x80, 15, ((0xDE, 2), (0xDF, 4)), len(o)) + body
    raise TypeError(type(o))


# --- the frames (docs/PROTOCOL.md, "Frames") ---------------------------------

OP_SET, OP_DEL, OP_SYNC, OP_SNAPSHOT, OP_HEARTBEAT, OP_ACK, OP_PING, OP_HELLO, OP_BATCH = range(1, 10)
FEATURE_BATCH = 1
REBASE = 0x10
SNAP_FULL, SNAP_MORE = 1, 2
EMPTY = b""  # data of control frames and of DEL: an empty bin (c4 00)
HUB = "$hub"

# Fixed "random" numbers so the file is reproducible.
EPOCH = 0x8C1F5A2E7B3D9046
SENSOR = 0x2B7E151628AED2A6  # session of the App "sensor"
PANEL = 0x00000000DEADBEEF  # session of the App "panel"
MAX_FRAME = 16 * 1024 * 1024

vectors = []


def jnum(n):
    """JSON has no 64-bit integers: beyond 2**53-1 a field is a decimal string."""
    return n if n <= (1 << 53) - 1 else str(n)


def add(name, description, frame, expect=None, error=None, canonical=False, forwarded_from=None):
    data = pack(frame) if not isinstance(frame, (bytes, Raw)) else bytes(frame)
    v = {"name": name, "description": description, "hex": data.hex()}
    if canonical:
        v["canonical"] = True
    if forwarded_from:
        v["forwarded_from"] = forwarded_from
    if error:
        v["error"] = error
    else:
        def field(k, x):
            is_number = isinstance(x, int) and not isinstance(x, bool)
            return jnum(x) if is_number and k not in ("op", "count") else x
        v["expect"] = {k: field(k, x) for k, x in expect.items()}
    assert name not in (x["name"] for x in vectors), name
    vectors.append(v)
    return data


def value_hex(value):
    return pack(value).hex()


def legacy(name, description, sender, state, value, **kw):
    frame = [sender, state, value]
    expect = {"count": 3, "op": 0, "rebase": False, "sender": sender, "name": state,
              "value_hex": value_hex(value)}
    return add(name, description, frame, expect, **kw)


def update(name, description, op, sender, state, value, session, aseq, seq=0, rebase=False,
           extra=(), **kw):
    """SET/DEL: App->hub form (6 elements) when seq is 0, else hub->App form (7)."""
    frame = [sender, state, value, op | (REBASE if rebase else 0), session, aseq]
    if seq:
        frame.append(seq)
    frame += list(extra)
    expect = {"count": len(frame), "op": op, "rebase": rebase, "sender": sender, "name": state,
              "value_hex": value_hex(value), "session": session, "aseq": aseq, "seq": seq}
    return add(name, description, frame, expect, **kw)


CONTROL_FIELDS = {
    OP_SYNC: ("session", "epoch", "since"),
    OP_SNAPSHOT: ("session", "epoch", "since", "upto", "seq", "snap_flags", "hwm"),
    OP_HEARTBEAT: ("epoch", "seq", "period_ms", "max_frame"),
    OP_ACK: ("session", "hwm", "trigger", "seq"),
    OP_PING: ("session", "aseq"),
    OP_HELLO: ("session", "features"),
}
# Fields a later version added at the end of an op (receivers ignore what
# they do not know): SYNC + features, HEARTBEAT + census.
LONGER_FIELDS = {
    OP_SYNC: CONTROL_FIELDS[OP_SYNC] + ("features",),
    OP_HEARTBEAT: CONTROL_FIELDS[OP_HEARTBEAT] + ("census",),
}


def control(name, description, op, sender, fields, entries=None, rebase=False, **kw):
    """[sender, "", b"", op, fields...(, entries)]; fields by their frame.h names."""
    keys = CONTROL_FIELDS[op]
    if op in LONGER_FIELDS and set(fields) == set(LONGER_FIELDS[op]):
        keys = LONGER_FIELDS[op]
    frame = [sender, "", EMPTY, op | (REBASE if rebase else 0)] + [fields[k] for k in keys]
    expect = {"count": len(frame), "op": op, "rebase": rebase, "sender": sender, "name": "",
              "value_hex": "c400"}
    expect.update({k: fields[k] for k in keys})
    if op == OP_SNAPSHOT:
        frame.append([pack_entry(e) for e in entries])
        expect["count"] += 1
        expect["entries"] = [expect_entry(e) for e in entries]
    return add(name, description, frame, expect, **kw)


def pack_entry(e):
    if len(e) == 2:
        return [e[0], e[1]]
    return [e[0], e[1], e[2], e[3], e[4]]


def expect_entry(e):
    d = {"name": e[0], "seq": jnum(e[1]), "removed": len(e) == 2}
    if len(e) > 2:
        d.update({"sender": e[2], "session": jnum(e[3]), "value_hex": value_hex(e[4])})
    return d


def nested(depth):
    """An array nested `depth` levels deep: depth 1 is [0]."""
    v = 0
    for _ in range(depth):
        v = [v]
    return v


# --- original Apps ------------------------------------------------------------

legacy("legacy_bin_data", "An original C or Python App's set: [sender, name, data], data a bin "
       "(here the UTF-8 text 0.7).", "legacy", "robot/speed", b"0.7", canonical=True)
legacy("legacy_str_data", "An original browser App's set: data is a str.",
       "browser", "robot/speed", "0.7", canonical=True)
update("legacy_bin_forwarded", "What the hub sends to the other Apps when it accepts "
       "legacy_bin_data as its change 42: op SET, session 0, aseq 0, then seq.",
       OP_SET, "legacy", "robot/speed", b"0.7", 0, 0, seq=42, forwarded_from="legacy_bin_data")
update("legacy_str_forwarded", "legacy_str_data forwarded as change 43: the str data is "
       "copied unchanged.", OP_SET, "browser", "robot/speed", "0.7", 0, 0, seq=43,
       forwarded_from="legacy_str_data")

# --- SET and DEL ----------------------------------------------------------------

update("set_app_to_hub", "SET as an App sends it: [sender, name, value, 1, session, aseq].",
       OP_SET, "sensor", "robot/speed", 0.7, SENSOR, 1, canonical=True)
update("set_hub_to_app", "set_app_to_hub as the hub broadcasts it, change 44: the seq is "
       "appended.", OP_SET, "sensor", "robot/speed", 0.7, SENSOR, 1, seq=44, canonical=True,
       forwarded_from="set_app_to_hub")
update("set_rebase", "SET with the REBASE flag (op 0x11): the hub restarts its in-order "
       "check for this session at this aseq.", OP_SET, "sensor", "robot/speed", 0.8, SENSOR, 9,
       rebase=True, canonical=True)
update("set_rebase_forwarded", "set_rebase broadcast as change 45: the hub drops the flag.",
       OP_SET, "sensor", "robot/speed", 0.8, SENSOR, 9, seq=45, forwarded_from="set_rebase")
update("del_app_to_hub", "DEL as an App sends it: data is an empty bin.", OP_DEL, "panel",
       "robot/mode", EMPTY, PANEL, 3, canonical=True)
update("del_hub_to_app", "del_app_to_hub broadcast as change 46.", OP_DEL, "panel",
       "robot/mode", EMPTY, PANEL, 3, seq=46, canonical=True, forwarded_from="del_app_to_hub")
update("del_rebase", "DEL with the REBASE flag (op 0x12).", OP_DEL, "panel", "robot/mode",
       EMPTY, PANEL, 4, rebase=True, canonical=True)
update("set_hub_own_state", "A state the hub publishes itself under $hub/ (sender $hub, "
       "session 0, aseq 0). Apps may not set names starting with '$'; that rule is the hub's, "
       "the frame itself parses.", OP_SET, HUB, "$hub/apps", 2, 0, 0, seq=47, canonical=True)
update("set_large_numbers", "Every 64-bit field at its largest.", OP_SET, "sensor", "n",
       True, 2**64 - 1, 2**64 - 1, seq=2**64 - 1, canonical=True)
update("set_unicode_name", "Names and senders are UTF-8 strings.", OP_SET, "capteur-é",
       "température/salle-1/°C", 21.5, PANEL, 7, seq=48, canonical=True)
update("set_empty_sender", "An empty sender is allowed.", OP_SET, "", "x", 1, PANEL, 8,
       canonical=True)
update("set_name_1024_bytes", "A name of exactly 1024 bytes (the limit).", OP_SET, "sensor",
       "n" * 1024, 1, PANEL, 9, canonical=True)
update("set_sender_1024_bytes", "A sender of exactly 1024 bytes (the limit).", OP_SET,
       "s" * 1024, "x", 1, PANEL, 10, canonical=True)
update("set_trailing_element", "A later protocol version may append elements: receivers "
       "ignore what follows the fields they know.", OP_SET, "sensor", "x", 1, SENSOR, 2,
       seq=49, extra=[{"future": [1, 2]}])
update("set_app_sends_seq", "An App->hub SET may carry a 7th element: it parses as seq; the "
       "hub ignores it and forwards its own seq.", OP_SET, "sensor", "x", 2, SENSOR, 3,
       seq=999)
update("set_app_sends_seq_forwarded", "set_app_sends_seq forwarded as change 50.", OP_SET,
       "sensor", "x", 2, SENSOR, 3, seq=50, forwarded_from="set_app_sends_seq")

# --- control frames -----------------------------------------------------------

control("sync_first", "An App's first SYNC: epoch 0, since 0 (asks for the whole table).",
        OP_SYNC, "sensor", {"session": SENSOR, "epoch": 0, "since": 0}, canonical=True)
control("sync_since", "SYNC after a gap: the changes after seq 44 of this epoch.", OP_SYNC,
        "sensor", {"session": SENSOR, "epoch": EPOCH, "since": 44}, canonical=True)
control("snapshot_full", "One SNAPSHOT chunk, FULL|MORE: two live entries; ask again "
        "from upto 17.", OP_SNAPSHOT, HUB,
        {"session": SENSOR, "epoch": EPOCH, "since": 0, "upto": 17, "seq": 50,
         "snap_flags": SNAP_FULL | SNAP_MORE, "hwm": 0},
        entries=[("robot/mode", 12, "panel", PANEL, "auto"),
                 ("robot/limit", 17, "panel", PANEL, [1.5, None])], canonical=True)
control("snapshot_incremental", "A last SNAPSHOT chunk (no flags) with a live and a removed "
        "entry ([name, seq]); hwm 3 tells the App its aseq 1..3 were applied.", OP_SNAPSHOT,
        HUB, {"session": SENSOR, "epoch": EPOCH, "since": 44, "upto": 46, "seq": 46,
              "snap_flags": 0, "hwm": 3},
        entries=[("robot/speed", 45, "sensor", SENSOR, 0.8), ("robot/mode", 46)], canonical=True)
control("snapshot_empty", "A FULL snapshot of an empty table.", OP_SNAPSHOT, HUB,
        {"session": PANEL, "epoch": EPOCH, "since": 0, "upto": 0, "seq": 0,
         "snap_flags": SNAP_FULL, "hwm": 0}, entries=[], canonical=True)
control("heartbeat", "HEARTBEAT: epoch, seq, period_ms 1000, max_frame 16 MiB.", OP_HEARTBEAT,
        HUB, {"epoch": EPOCH, "seq": 50, "period_ms": 1000, "max_frame": MAX_FRAME},
        canonical=True)
control("ack_loss", "ACK reporting a loss: the hub applied aseq up to 2 (hwm) and refused "
        "aseq 4 (trigger); seq 0.", OP_ACK, HUB,
        {"session": SENSOR, "hwm": 2, "trigger": 4, "seq": 0}, canonical=True)
control("ack_accepted", "ACK of an accepted update (WebSocket senders get it instead of the "
        "echo): hwm = trigger = aseq 5, seq = the seq assigned.", OP_ACK, HUB,
        {"session": SENSOR, "hwm": 5, "trigger": 5, "seq": 51}, canonical=True)
control("ping", "PING: asks for an ACK; takes the next aseq.", OP_PING, "sensor",
        {"session": SENSOR, "aseq": 6}, canonical=True)
control("ping_rebase", "PING with the REBASE flag (op 0x17).", OP_PING, "sensor",
        {"session": SENSOR, "aseq": 7}, rebase=True, canonical=True)
control("sync_features", "SYNC declaring the features the App understands: 1 = it reads BATCH "
        "frames.", OP_SYNC, "sensor",
        {"session": SENSOR, "epoch": 0, "since": 0, "features": FEATURE_BATCH}, canonical=True)
control("hello", "HELLO: the App's answer to a census round; features 1 = it reads BATCH "
        "frames. Never answered.", OP_HELLO, "sensor",
        {"session": SENSOR, "features": FEATURE_BATCH}, canonical=True)
control("heartbeat_census", "HEARTBEAT of census round 2: every App answers with a HELLO.",
        OP_HEARTBEAT, HUB, {"epoch": EPOCH, "seq": 50, "period_ms": 1000, "max_frame": MAX_FRAME,
                            "census": 2}, canonical=True)

BATCHED = [["sensor", "robot/speed", 0.8, OP_SET, SENSOR, 8, 52],
           ["panel", "robot/mode", EMPTY, OP_DEL, PANEL, 3, 53]]
add("batch_two", "BATCH from the hub: a SET and a DEL in hub form, each a frame of its own "
    "(receivers handle them in order as if they came alone).",
    [HUB, "", EMPTY, OP_BATCH] + BATCHED,
    {"count": 6, "op": OP_BATCH, "rebase": False, "sender": HUB, "name": "", "value_hex": "c400",
     "frames": [pack(x).hex() for x in BATCHED]})

# --- values -------------------------------------------------------------------

VALUES = [
    ("nil", "nil", None),
    ("true", "true", True),
    ("false", "false", False),
    ("positive_fixint", "positive fixint 7", 7),
    ("uint8", "uint8 200", 200),
    ("uint64_max", "uint64 18446744073709551615", 2**64 - 1),
    ("negative_fixint", "negative fixint -5", -5),
    ("int16", "int16 -200", -200),
    ("int64_min", "int64 -9223372036854775808", -(2**63)),
    ("float32", "float32 1.5", F32(1.5)),
    ("float64", "float64 0.7", 0.7),
    ("str", "fixstr with a 2-byte UTF-8 character", "héllo"),
    ("str_empty", "empty str", ""),
    ("str8", "str8 of 32 bytes", "a" * 32),
    ("str16", "str16 of 256 bytes", "b" * 256),
    ("bin", "bin of 3 bytes", b"\x01\x02\x03"),
    ("bin_empty", "empty bin (what a DEL carries; as a SET value it is a real value)", EMPTY),
    ("array_empty", "empty array", []),
    ("array_nested", "nested array [1, [2, [3]]]", [1, [2, [3]]]),
    ("map", "map {\"x\": 1, \"y\": [true, nil]}", {"x": 1, "y": [True, None]}),
    ("map_int_keys", "map with int keys {1: \"a\", -1: \"b\"}", {1: "a", -1: "b"}),
    ("ext", "fixext4 of type 5", Ext(5, b"\xde\xad\xbe\xef")),
    ("ext8", "ext8 of type 7 with 3 bytes", Ext(7, b"abc")),
    ("timestamp", "timestamp ext -1, 8 bytes (2024-01-02T03:04:05.000000006Z)",
     Ext(-1, struct.pack(">Q", (6 << 34) | 1704164645))),
    ("nesting_64", "array nested 64 levels (the limit)", nested(64)),
]
for key, what, value in VALUES:
    update("value_" + key, "A SET whose value is " + what + ".", OP_SET, "sensor", "v", value,
           SENSOR, 1, seq=100, canonical=True)

# Non-canonical but valid encodings: receivers accept any valid msgpack.
update("value_uint16_for_5", "uint 5 packed as uint16 (cd 00 05): accepted, and forwarded "
       "byte for byte.", OP_SET, "sensor", "v", Raw(b"\xcd\x00\x05"), SENSOR, 1, seq=100)
update("value_array16_header", "[1, 2] with an array16 header (dc 00 02).", OP_SET, "sensor",
       "v", Raw(b"\xdc\x00\x02\x01\x02"), SENSOR, 1, seq=100)
update("value_str8_short", "\"abc\" as str8 (d9 03).", OP_SET, "sensor", "v",
       Raw(b"\xd9\x03abc"), SENSOR, 1, seq=100)
update("value_float64_for_1_5", "1.5 as float64 (an App may pick either float size).", OP_SET,
       "sensor", "v", 1.5, SENSOR, 1, seq=100)


def frame_bytes(head, *elements):
    return Raw(head + b"".join(pack(e) for e in elements))


add("frame_array16_header", "The frame's own array uses an array16 header and its name a "
    "str16 header.",
    Raw(b"\xdc\x00\x06" + pack("sensor") + b"\xda\x00\x01x" + pack(1) + pack(OP_SET) +
        pack(SENSOR) + pack(2)),
    {"count": 6, "op": OP_SET, "rebase": False, "sender": "sensor", "name": "x",
     "value_hex": "01", "session": SENSOR, "aseq": 2, "seq": 0})
add("fields_wide_encodings", "Unsigned fields in wider encodings than needed: op as uint8 "
    "(cc 01), session as uint64 (cf), aseq as uint32 (ce).",
    frame_bytes(b"\x96", "sensor", "x", 1) + Raw(b"\xcc\x01" + b"\xcf" + (5).to_bytes(8, "big") +
                                               b"\xce\x00\x00\x00\x03"),
    {"count": 6, "op": OP_SET, "rebase": False, "sender": "sensor", "name": "x",
     "value_hex": "01", "session": 5, "aseq": 3, "seq": 0})
add("fields_signed_encoding", "A non-negative field in a signed encoding (aseq as int8 "
    "d0 03) is accepted: it is still the unsigned number 3.",
    frame_bytes(b"\x96", "sensor", "x", 1, OP_SET, 5) + Raw(b"\xd0\x03"),
    {"count": 6, "op": OP_SET, "rebase": False, "sender": "sensor", "name": "x",
     "value_hex": "01", "session": 5, "aseq": 3, "seq": 0})
add("control_data_nil", "A control frame whose data is not the empty bin: receivers ignore "
    "element 2 of control frames (senders always put c4 00).",
    frame_bytes(b"\x96", "sensor", "", None, OP_PING, 5, 1),
    {"count": 6, "op": OP_PING, "rebase": False, "sender": "sensor", "name": "",
     "value_hex": "c0", "session": 5, "aseq": 1})
control("snapshot_entry_nesting_64", "A SNAPSHOT entry whose value is nested 64 levels (the "
        "limit for values applies inside entries too).", OP_SNAPSHOT, HUB,
        {"session": SENSOR, "epoch": EPOCH, "since": 0, "upto": 5, "seq": 5,
         "snap_flags": SNAP_FULL, "hwm": 0},
        entries=[("deep", 5, "sensor", SENSOR, nested(64))], canonical=True)

# --- errors -------------------------------------------------------------------

GOOD = ["sensor", "x", 1, OP_SET, SENSOR, 1]


def err(name, description, data, code):
    add(name, description, data, error=code)


err("error_empty_input", "Zero bytes.", Raw(b""), "EPROTO")
err("error_not_an_array", "A map instead of an array.", {"sender": "x"}, "EPROTO")
err("error_bin_not_array", "A bare bin.", b"abc", "EPROTO")
err("error_two_elements", "[sender, name]: fewer than 3 elements.", ["sensor", "x"], "EPROTO")
err("error_sender_not_str", "Sender as a bin.", [b"sensor", "x", 1], "EPROTO")
err("error_sender_nil", "Sender nil.", [None, "x", 1], "EPROTO")
err("error_name_not_str", "Name as a bin.", ["sensor", b"x", 1], "EPROTO")
err("error_name_int", "Name as an int.", ["sensor", 5, 1], "EPROTO")
err("error_name_empty", "A SET with an empty name.", ["sensor", "", 1, OP_SET, SENSOR, 1],
    "ENAME")
err("error_name_empty_legacy", "An original App's frame with an empty name.", ["legacy", "", b"x"],
    "ENAME")
err("error_name_1025_bytes", "A name of 1025 bytes.", ["sensor", "n" * 1025, 1, OP_SET, SENSOR, 1],
    "ENAME")
err("error_name_invalid_utf8", "A name with the byte ff.",
    frame_bytes(b"\x96", "sensor") + Raw(b"\xa3a\xffb") + frame_bytes(b"", 1, OP_SET, SENSOR, 1),
    "ENAME")
err("error_name_overlong_utf8", "A name with an overlong encoding of '/' (c0 af).",
    frame_bytes(b"\x93", "sensor") + Raw(b"\xa2\xc0\xaf") + frame_bytes(b"", 1), "ENAME")
err("error_name_surrogate", "A name with a UTF-16 surrogate (ed a0 80).",
    frame_bytes(b"\x93", "sensor") + Raw(b"\xa3\xed\xa0\x80") + frame_bytes(b"", 1), "ENAME")
err("error_name_truncated_utf8", "A name ending in the middle of a character (c3).",
    frame_bytes(b"\x93", "sensor") + Raw(b"\xa2a\xc3") + frame_bytes(b"", 1), "ENAME")
err("error_name_nul", "A name with U+0000 (a C App would read it as 'a').",
    ["sensor", "a\u0000b", 1, OP_SET, SENSOR, 1], "ENAME")
err("error_sender_nul", "A sender with U+0000.", ["sen\u0000sor", "x", 1], "ENAME")
err("error_sender_1025_bytes", "A sender of 1025 bytes.", ["s" * 1025, "x", 1, OP_SET, SENSOR, 1],
    "ENAME")
err("error_sender_invalid_utf8", "A sender with the byte fe.",
    Raw(b"\x93\xa1\xfe") + frame_bytes(b"", "x", 1), "ENAME")
err("error_value_truncated", "The frame ends inside a float64 value.",
    frame_bytes(b"\x93", "sensor", "x") + Raw(b"\xcb\x3f\xe6"), "EVALUE")
err("error_value_str32_4gb", "A str32 value declaring 4294967295 bytes with 3 present.",
    frame_bytes(b"\x93", "sensor", "x") + Raw(b"\xdb\xff\xff\xff\xffabc"), "EVALUE")
err("error_value_array_too_long", "An array32 value declaring 4294967295 items with 2 present.",
    frame_bytes(b"\x93", "sensor", "x") + Raw(b"\xdd\xff\xff\xff\xff\x01\x02"), "EVALUE")
err("error_value_c1", "The value is the never-used byte c1.",
    frame_bytes(b"\x93", "sensor", "x") + Raw(b"\xc1"), "EVALUE")
err("error_value_c1_nested", "The byte c1 inside an array value.",
    frame_bytes(b"\x93", "sensor", "x") + Raw(b"\x92\x01\xc1"), "EVALUE")
err("error_nesting_65", "A value nested 65 levels.", ["sensor", "x", nested(65), OP_SET, SENSOR, 1],
    "EVALUE")
err("error_map_nesting_65", "Maps count as levels too: 65 nested maps.",
    ["sensor", "x", Raw(b"\x81\x00" * 65 + b"\x00"), OP_SET, SENSOR, 1], "EVALUE")
err("error_unknown_op_10", "Op 10 does not exist.", ["sensor", "", EMPTY, 10, SENSOR, 1], "EPROTO")
err("error_batch_element_not_frame", "A BATCH element that is not an array.",
    [HUB, "", EMPTY, OP_BATCH, 5], "EPROTO")
err("error_batch_element_c1", "A BATCH element holding the never-used byte c1.",
    [HUB, "", EMPTY, OP_BATCH, Raw(b"\x91\xc1")], "EVALUE")
err("error_batch_empty", "A BATCH without frames.", [HUB, "", EMPTY, OP_BATCH], "EPROTO")
err("error_op_0_explicit", "Op 0 is never sent: a 3-element frame is the original form.",
    ["sensor", "x", 1, 0, SENSOR, 1], "EPROTO")
err("error_unknown_flag", "Op with an unknown flag bit (0x21).",
    ["sensor", "x", 1, 0x21, SENSOR, 1], "EPROTO")
err("error_op_too_large", "Op 257.", ["sensor", "x", 1, 257, SENSOR, 1], "EPROTO")
err("error_op_negative", "Op -1.", ["sensor", "x", 1, -1, SENSOR, 1], "EPROTO")
err("error_op_str", "Op as a str.", ["sensor", "x", 1, "1", SENSOR, 1], "EPROTO")
err("error_set_too_few_fields", "A SET without its aseq (5 elements).", ["sensor", "x", 1, OP_SET,
                                                                        SENSOR], "EPROTO")
err("error_heartbeat_too_few_fields", "A HEARTBEAT without max_frame (7 elements).",
    [HUB, "", EMPTY, OP_HEARTBEAT, EPOCH, 1, 1000], "EPROTO")
err("error_snapshot_too_few_fields", "A SNAPSHOT without its entries (11 elements).",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 0, 0, 0, 0], "EPROTO")
err("error_array_longer_than_data", "The array declares 6 elements, 5 are present.",
    frame_bytes(b"\x96", "sensor", "x", 1, OP_SET, SENSOR), "EPROTO")
err("error_field_negative", "session -1.", ["sensor", "x", 1, OP_SET, -1, 1], "EPROTO")
err("error_field_str", "aseq as a str.", ["sensor", "x", 1, OP_SET, SENSOR, "1"], "EPROTO")
err("error_field_float", "seq as a float.", ["sensor", "x", 1, OP_SET, SENSOR, 1, 2.0], "EPROTO")
err("error_control_with_name", "A HEARTBEAT whose name is not empty.",
    [HUB, "x", EMPTY, OP_HEARTBEAT, EPOCH, 1, 1000, MAX_FRAME], "EPROTO")
err("error_trailing_bytes", "A valid frame followed by one more byte.", Raw(pack(GOOD) + b"\x00"),
    "EPROTO")
err("error_trailing_element_malformed", "An unknown 7th element of a PING that is not valid "
    "msgpack.", frame_bytes(b"\x97", "sensor", "", EMPTY, OP_PING, SENSOR, 1) + Raw(b"\xc1"),
    "EPROTO")
err("error_snapshot_entries_not_array", "SNAPSHOT entries as a map.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 0, 0, 0, 0, {}], "EPROTO")
err("error_snapshot_entry_3_elements", "A SNAPSHOT entry of 3 elements.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 1, 1, 1, 0, [["x", 1, "s"]]], "EPROTO")
err("error_snapshot_entry_empty_name", "A SNAPSHOT entry with an empty name.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 1, 1, 1, 0, [["", 1]]], "ENAME")
err("error_snapshot_entry_seq_str", "A SNAPSHOT entry whose seq is a str.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 1, 1, 1, 0, [["x", "1"]]], "EPROTO")
err("error_snapshot_entry_value_c1", "A SNAPSHOT entry whose value is the byte c1.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 1, 1, 1, 0,
     [["x", 1, "s", 5, Raw(b"\xc1")]]], "EVALUE")
err("error_snapshot_entry_nesting_65", "A SNAPSHOT entry whose value is nested 65 levels.",
    [HUB, "", EMPTY, OP_SNAPSHOT, SENSOR, EPOCH, 0, 1, 1, 1, 0,
     [["x", 1, "s", 5, nested(65)]]], "EVALUE")

# --- the worked example of docs/PROTOCOL.md -----------------------------------
# (each frame also a vector, so the document and the code agree)

EX = 0x5A17C0DE00000001  # the example hub's epoch
A = 0x1F2E3D4C5B6A7988  # session of "sensor" in the example
control("example_1_heartbeat", "Example step 1: the hub's heartbeat.", OP_HEARTBEAT, HUB,
        {"epoch": EX, "seq": 41, "period_ms": 1000, "max_frame": MAX_FRAME}, canonical=True)
control("example_2_sync", "Example step 2: the App asks for the whole table.", OP_SYNC,
        "sensor", {"session": A, "epoch": 0, "since": 0}, canonical=True)
control("example_3_snapshot", "Example step 3: the hub answers with one FULL chunk.",
        OP_SNAPSHOT, HUB, {"session": A, "epoch": EX, "since": 0, "upto": 41, "seq": 41,
                           "snap_flags": SNAP_FULL, "hwm": 0},
        entries=[("robot/mode", 17, "panel", PANEL, "auto"),
                 ("robot/limit", 41, "panel", PANEL, 1.5)], canonical=True)
update("example_4_set", "Example step 4: the App sets robot/speed to 0.7 (its first frame: REBASE).",
       OP_SET, "sensor", "robot/speed", 0.7, A, 1, rebase=True, canonical=True)
update("example_5_echo", "Example step 5: the hub's broadcast of it as change 42.", OP_SET,
       "sensor", "robot/speed", 0.7, A, 1, seq=42, canonical=True,
       forwarded_from="example_4_set")
legacy("example_6_legacy", "Example step 6: an original App sets robot/mode.", "old",
       "robot/mode", b"manual", canonical=True)
update("example_7_legacy_forwarded", "Example step 7: its broadcast as change 43.", OP_SET,
       "old", "robot/mode", b"manual", 0, 0, seq=43, forwarded_from="example_6_legacy")
update("example_8_lost_set", "Example step 8: aseq 3 (aseq 2 was lost on the way).", OP_SET,
       "sensor", "robot/speed", 0.9, A, 3, canonical=True)
control("example_9_ack_loss", "Example step 9: the hub refuses aseq 3 and reports hwm 1.",
        OP_ACK, HUB, {"session": A, "hwm": 1, "trigger": 3, "seq": 0}, canonical=True)
update("example_10_rebase", "Example step 10: the App re-sends with REBASE and aseq 4.",
       OP_SET, "sensor", "robot/speed", 0.9, A, 4, rebase=True, canonical=True)
update("example_11_echo", "Example step 11: its broadcast as change 44.", OP_SET, "sensor",
       "robot/speed", 0.9, A, 4, seq=44, canonical=True, forwarded_from="example_10_rebase")
update("example_12_del", "Example step 12: the App removes robot/speed.", OP_DEL, "sensor",
       "robot/speed", EMPTY, A, 5, canonical=True)
update("example_13_del_echo", "Example step 13: its broadcast as change 45.", OP_DEL, "sensor",
       "robot/speed", EMPTY, A, 5, seq=45, canonical=True, forwarded_from="example_12_del")
control("example_14_ping", "Example step 14: the App pings.", OP_PING, "sensor",
        {"session": A, "aseq": 6}, canonical=True)
control("example_15_ack", "Example step 15: the hub's answer: everything up to aseq 6 applied.",
        OP_ACK, HUB, {"session": A, "hwm": 6, "trigger": 6, "seq": 0}, canonical=True)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frames.json")
    text = json.dumps(vectors, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        with open(out, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("frames.json is out of date: run tests/vectors/generate.py")
        return
    if "--dump" in sys.argv:  # byte dumps for docs/PROTOCOL.md
        for v in vectors:
            if v["name"].startswith("example_"):
                print(v["name"], v["hex"])
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{len(vectors)} vectors written to {out}")


if __name__ == "__main__":
    main()
