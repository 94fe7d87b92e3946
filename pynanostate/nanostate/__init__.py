# SPDX-License-Identifier: MIT
"""Nanostate for Python: share named states between processes through a hub.

    from nanostate import Nanostate
    with Nanostate() as app:
        app.set("robot/speed", 0.7)

Built on libnanostate through ctypes; values are msgpack (python3-msgpack).
"""

from .app import Nanostate, States, Update
from .errors import (AddressError, ClosedError, InvalidArgumentError, InvalidNameError,
                     InvalidURLError, InvalidValueError, LibraryNotFoundError,
                     NanostateError, NotFoundError, ProtocolError, StateFileError,
                     TimedOutError, TooBigError, TransportError)
from .hub import Hub, HubState, Output

__version__ = "1.0.0"

DEFAULT_URL = "tcp://127.0.0.1:15000"


def library_version():
    """Version of the libnanostate in use ("1.0.0")."""
    from . import _lib

    return _lib.load().nanostate_version().decode()


__all__ = [
    "Nanostate", "States", "Update", "Hub", "HubState", "Output", "DEFAULT_URL",
    "library_version", "NanostateError", "AddressError", "ClosedError",
    "InvalidArgumentError", "InvalidNameError", "InvalidURLError", "InvalidValueError",
    "LibraryNotFoundError", "NotFoundError", "ProtocolError", "StateFileError",
    "TimedOutError", "TooBigError", "TransportError",
]
