# SPDX-License-Identifier: MIT
"""The soak's invalid traffic: garbage frames on a raw NN_BUS socket.

RawBus is a plain nanomsg BUS socket (libnanomsg through ctypes), a peer
that speaks no protocol; Garbage makes the frames it sends."""

import ctypes
import json
import os

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class RawBus:
    AF_SP = 1
    NN_BUS = 112  # NN_PROTO_BUS * 16
    NN_DONTWAIT = 1

    lib = None

    def __init__(self, url):
        if RawBus.lib is None:
            lib = ctypes.CDLL("libnanomsg.so.5", use_errno=True)
            lib.nn_socket.argtypes = [ctypes.c_int, ctypes.c_int]
            lib.nn_connect.argtypes = [ctypes.c_int, ctypes.c_char_p]
            lib.nn_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
            lib.nn_close.argtypes = [ctypes.c_int]
            RawBus.lib = lib
        self.url = url.encode()
        self.sock = -1
        self.opened = 0
        self.unsent = 0

    def open(self):
        """(Re)connects: the hub sees a peer leave and another arrive."""
        self.close()
        self.sock = self.lib.nn_socket(self.AF_SP, self.NN_BUS)
        if self.sock < 0 or self.lib.nn_connect(self.sock, self.url) < 0:
            raise OSError(ctypes.get_errno(), "nanomsg socket")
        self.opened += 1

    def send(self, data):
        if self.lib.nn_send(self.sock, data, len(data), self.NN_DONTWAIT) < 0:
            self.unsent += 1

    def close(self):
        if self.sock >= 0:
            self.lib.nn_close(self.sock)
            self.sock = -1


def msgpack_str(text):
    data = text.encode()
    assert len(data) < 32
    return bytes([0xA0 | len(data)]) + data


def has_nul_name(frame):
    """True for a frame whose name field (the second element) holds U+0000.

    Such a name is valid UTF-8 and hubs accept it, but C Apps cannot name
    that state (docs/PROTOCOL.md section 4): the CLI shows "\0ab" as "" and
    cannot remove it, so the janitor could not either. Left out."""
    if len(frame) < 2 or not 0x91 <= frame[0] <= 0x9F or not 0xA0 <= frame[1] <= 0xBF:
        return False
    name_at = 2 + (frame[1] & 0x1F)  # after a fixstr sender
    if name_at >= len(frame):
        return False
    head = frame[name_at]
    if 0xA0 <= head <= 0xBF:
        start, length = name_at + 1, head & 0x1F
    elif head == 0xD9 and name_at + 1 < len(frame):
        start, length = name_at + 2, frame[name_at + 1]
    else:
        return False
    return 0 in frame[start:start + length]


class Garbage:
    """Frames for the raw socket, of the kinds counted in self.counts."""

    KINDS = ("random", "vector", "mutated", "truncated", "spliced", "legacy")

    def __init__(self, rng, max_frame):
        self.rng = rng
        self.max_frame = max_frame
        with open(os.path.join(SOURCE, "tests", "vectors", "frames.json")) as f:
            self.vectors = [bytes.fromhex(v["hex"]) for v in json.load(f) if v["hex"]]
        self.counts = {kind: 0 for kind in self.KINDS + ("oversize",)}

    def frame(self):
        while True:
            kind = self.rng.choice(self.KINDS)
            data = getattr(self, kind)()
            if not has_nul_name(data):
                self.counts[kind] += 1
                return data

    def random(self):
        return self.rng.randbytes(self.rng.randint(0, 300))

    def vector(self):
        """Every frame of tests/vectors: valid and invalid, from Apps and hubs."""
        return self.rng.choice(self.vectors)

    def mutated(self):
        data = bytearray(self.rng.choice(self.vectors))
        for _ in range(self.rng.randint(1, 3)):
            data[self.rng.randrange(len(data))] = self.rng.randrange(256)
        return bytes(data)

    def truncated(self):
        data = self.rng.choice(self.vectors)
        return data[:self.rng.randrange(len(data))]

    def spliced(self):
        a, b = self.rng.choice(self.vectors), self.rng.choice(self.vectors)
        return a[:self.rng.randrange(len(a) + 1)] + b[self.rng.randrange(len(b) + 1):]

    def legacy(self):
        """An original App's set: [sender, name, data], data a bin."""
        value = self.rng.randbytes(self.rng.randint(0, 40))
        return (b"\x93" + msgpack_str(f"legacy-{self.rng.randrange(4)}")
                + msgpack_str(f"legacy/{self.rng.randrange(8)}") + bytes([0xC4, len(value)])
                + value)

    def oversize(self):
        """A frame over --max-frame: dropped and counted by the hub."""
        self.counts["oversize"] += 1
        return self.rng.randbytes(self.max_frame + 1000)
