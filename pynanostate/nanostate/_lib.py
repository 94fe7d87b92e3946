# SPDX-License-Identifier: MIT
"""Finds and loads libnanostate, and declares the C API used here (ctypes)."""

import ctypes
import ctypes.util
import os
import pathlib
import threading

from .errors import LibraryNotFoundError, error_for

_SONAMES = ("libnanostate.so.1", "libnanostate.so", "libnanostate.dylib")
_lock = threading.Lock()
_lib = None


def _candidates_in(folder):
    return [os.path.join(folder, name) for name in _SONAMES]


def _search():
    """(places looked at, paths to try) in order of preference."""
    explicit = os.environ.get("NANOSTATE_LIB")
    if explicit:
        # Authoritative: a wrong NANOSTATE_LIB must not silently pick another
        # library.
        if os.path.isdir(explicit):
            paths = _candidates_in(explicit)
            return [f"NANOSTATE_LIB={explicit} (a folder)"], paths
        return [f"NANOSTATE_LIB={explicit}"], [explicit]

    looked, paths = [], []
    build = os.environ.get("NANOSTATE_BUILD")
    if build:
        folder = os.path.join(build, "lib")
        looked.append(f"NANOSTATE_BUILD: {folder}")
        paths += _candidates_in(folder)
    bin_dir = os.environ.get("NANOSTATE_BIN")
    if bin_dir:
        folder = os.path.normpath(os.path.join(bin_dir, "..", "lib"))
        looked.append(f"NANOSTATE_BIN/../lib: {folder}")
        paths += _candidates_in(folder)
    # A source checkout: pynanostate/nanostate/_lib.py -> REPO/build/lib.
    repo_build = pathlib.Path(__file__).resolve().parents[2] / "build" / "lib"
    looked.append(f"the source tree's build: {repo_build}")
    paths += _candidates_in(str(repo_build))
    found = ctypes.util.find_library("nanostate")
    looked.append("the system (ctypes.util.find_library('nanostate'): "
                  f"{found or 'not found'})")
    if found:
        paths.append(found)
    return looked, paths


def load():
    """The loaded library (once per process); LibraryNotFoundError says where
    it looked."""
    global _lib
    with _lock:
        if _lib is None:
            looked, paths = _search()
            errors = []
            for path in paths:
                if "/" in path and not os.path.exists(path):
                    continue
                try:
                    lib = ctypes.CDLL(path)
                except OSError as e:
                    errors.append(f"{path}: {e}")
                    continue
                _declare(lib)
                _lib = lib
                break
            else:
                lines = ["libnanostate not found. Looked in:"]
                lines += [f"  - {place}" for place in looked]
                lines += [f"  ! {e}" for e in errors]
                lines.append("Build it (qmake && make), install it, or set "
                             "NANOSTATE_LIB to the library file or its folder.")
                raise LibraryNotFoundError("\n".join(lines))
        return _lib


def check(code, context=None):
    """Raises the exception for a non-zero NANOSTATE_E* code."""
    if code:
        raise error_for(code, strerror(code), context)


def strerror(code):
    return load().nanostate_strerror(code).decode("utf-8", "replace")


# --- Declarations ----------------------------------------------------------

c_void_p, c_char_p, c_int, c_size_t = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t
c_uint64, c_int64 = ctypes.c_uint64, ctypes.c_int64


class Value(ctypes.Structure):
    _fields_ = [("packed", c_void_p), ("size", c_size_t)]


class Update(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("name_len", c_size_t), ("value", Value),
                ("sender", c_char_p), ("version", c_uint64), ("removed", c_int),
                ("from_snapshot", c_int), ("local", c_int)]


class HubOutput(ctypes.Structure):
    _fields_ = [("frame", c_void_p), ("size", c_size_t), ("to", c_uint64),
                ("except_", c_uint64)]


class HubState(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("name_len", c_size_t), ("value", Value),
                ("sender", c_char_p), ("version", c_uint64), ("updates", c_uint64),
                ("changed_ms", c_int64)]


UPDATE_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Update))
CONNECT_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int)
HUB_OUTPUT_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(HubOutput))
HUB_STATE_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(HubState))
LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)

_P = c_void_p  # opaque handles
_SIGNATURES = {
    "nanostate_strerror": (c_char_p, [c_int]),
    "nanostate_version": (c_char_p, []),
    "nanostate_app_create": (c_int, [ctypes.POINTER(c_void_p), c_char_p]),
    "nanostate_app_connect": (c_int, [_P, c_char_p]),
    "nanostate_app_close": (None, [_P]),
    "nanostate_app_set_int_option": (c_int, [_P, c_int, c_int]),
    "nanostate_app_identity": (c_char_p, [_P]),
    "nanostate_app_set_packed": (c_int, [_P, c_char_p, c_char_p, c_size_t]),
    "nanostate_app_remove": (c_int, [_P, c_char_p]),
    "nanostate_app_get": (c_int, [_P, c_char_p, ctypes.POINTER(Value), ctypes.POINTER(c_char_p)]),
    "nanostate_app_count": (c_size_t, [_P]),
    "nanostate_app_foreach": (None, [_P, UPDATE_FN, c_void_p]),
    "nanostate_app_on_update": (None, [_P, UPDATE_FN, c_void_p, c_int]),
    "nanostate_app_on_connect": (None, [_P, CONNECT_FN, c_void_p]),
    "nanostate_app_fd": (c_int, [_P]),
    "nanostate_app_dispatch": (c_int, [_P]),
    "nanostate_app_timeout": (c_int, [_P]),
    "nanostate_app_wait": (c_int, [_P, c_int]),
    "nanostate_app_is_connected": (c_int, [_P]),
    "nanostate_app_is_synced": (c_int, [_P]),
    "nanostate_app_pending": (c_size_t, [_P]),
    "nanostate_app_flush": (c_int, [_P, c_int]),
    "nanostate_app_stat": (c_uint64, [_P, c_int]),
    "nanostate_hub_create": (c_int, [ctypes.POINTER(c_void_p)]),
    "nanostate_hub_close": (None, [_P]),
    "nanostate_hub_set_int_option": (c_int, [_P, c_int, c_int]),
    "nanostate_hub_set_string_option": (c_int, [_P, c_int, c_char_p]),
    "nanostate_hub_load": (c_int, [_P]),
    "nanostate_hub_save": (c_int, [_P]),
    "nanostate_hub_bind": (c_int, [_P, c_char_p]),
    "nanostate_hub_fd": (c_int, [_P]),
    "nanostate_hub_dispatch": (c_int, [_P]),
    "nanostate_hub_timeout": (c_int, [_P]),
    "nanostate_hub_wait": (c_int, [_P, c_int]),
    "nanostate_hub_on_output": (None, [_P, HUB_OUTPUT_FN, c_void_p]),
    "nanostate_hub_peer_add": (c_int, [_P, ctypes.POINTER(c_uint64)]),
    "nanostate_hub_peer_input": (c_int, [_P, c_uint64, c_char_p, c_size_t]),
    "nanostate_hub_peer_pause": (c_int, [_P, c_uint64]),
    "nanostate_hub_peer_resume": (c_int, [_P, c_uint64]),
    "nanostate_hub_peer_remove": (c_int, [_P, c_uint64]),
    "nanostate_hub_peer_identity": (c_char_p, [_P, c_uint64]),
    "nanostate_hub_count": (c_size_t, [_P]),
    "nanostate_hub_get": (c_int, [_P, c_char_p, ctypes.POINTER(HubState)]),
    "nanostate_hub_foreach": (None, [_P, HUB_STATE_FN, c_void_p]),
    "nanostate_hub_set_packed": (c_int, [_P, c_char_p, c_char_p, c_size_t]),
    "nanostate_hub_remove": (c_int, [_P, c_char_p]),
    "nanostate_hub_on_log": (None, [_P, LOG_FN, c_void_p]),
    "nanostate_hub_stat": (c_uint64, [_P, c_int]),
}


def _declare(lib):
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def text(raw):
    """A C string from the library as str (None stays None)."""
    return None if raw is None else raw.decode("utf-8", "replace")


def encode_name(name):
    if not isinstance(name, str):
        raise TypeError(f"a state name is a str, not {type(name).__name__}")
    return name.encode("utf-8")
