# SPDX-License-Identifier: MIT
"""Python values <-> packed msgpack, the one mapping used by App and Hub.

None, bool, int (-2**63 .. 2**64-1), float, str, bytes/bytearray/memoryview,
list/tuple, dict and datetime (msgpack timestamp, ext -1) are packed; msgpack
ext types other than the timestamp come back as msgpack.ExtType. Timestamps
come back as timezone-aware datetimes in UTC; a naive datetime is taken as
local time.
"""

import datetime

import msgpack

INT_MIN = -(2**63)
UINT_MAX = 2**64 - 1


def _default(obj):
    if isinstance(obj, datetime.datetime):
        if obj.tzinfo is None:
            obj = obj.astimezone()  # naive: local time
        return msgpack.Timestamp.from_datetime(obj)
    if isinstance(obj, int) and not isinstance(obj, bool):
        # msgpack calls us for ints it cannot pack.
        raise OverflowError(f"integer {obj} does not fit msgpack's 64 bits "
                            f"({INT_MIN} .. {UINT_MAX})")
    if isinstance(obj, (bytearray, memoryview)):
        return bytes(obj)
    if isinstance(obj, (set, frozenset)):
        raise TypeError("sets have no msgpack form; pass a list")
    raise TypeError(f"values of type {type(obj).__name__} cannot be shared "
                    "(use None, bool, int, float, str, bytes, list, tuple, dict, datetime)")


def pack(value):
    """Packs one value; TypeError or OverflowError when it has no msgpack form."""
    try:
        return msgpack.packb(value, use_bin_type=True, default=_default, strict_types=False)
    except OverflowError as e:
        if "does not fit" in str(e):
            raise
        raise OverflowError(f"an integer in the value does not fit msgpack's 64 bits "
                            f"({INT_MIN} .. {UINT_MAX})") from None


def unpack(packed):
    """Unpacks one packed msgpack object (bytes)."""
    return msgpack.unpackb(packed, raw=False, timestamp=3, strict_map_key=False,
                           use_list=True)
