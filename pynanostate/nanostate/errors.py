# SPDX-License-Identifier: MIT
"""Exceptions: one per NANOSTATE_E* code, all below NanostateError."""


class NanostateError(Exception):
    """A libnanostate call failed; `code` is the NANOSTATE_E* number."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class InvalidArgumentError(NanostateError, ValueError):
    """NANOSTATE_EINVAL"""


class InvalidURLError(NanostateError, ValueError):
    """NANOSTATE_EURL"""


class AddressError(NanostateError, OSError):
    """NANOSTATE_EADDRINUSE, NANOSTATE_EADDRNOTAVAIL"""


class TransportError(NanostateError, OSError):
    """NANOSTATE_ETRANSPORT"""


class TimedOutError(NanostateError, TimeoutError):
    """NANOSTATE_ETIMEDOUT"""


class NotFoundError(NanostateError, LookupError):
    """NANOSTATE_ENOTFOUND"""


class InvalidNameError(NanostateError, ValueError):
    """NANOSTATE_ENAME"""


class InvalidValueError(NanostateError, ValueError):
    """NANOSTATE_EVALUE, NANOSTATE_ETYPE, NANOSTATE_ERANGE"""


class TooBigError(NanostateError, ValueError):
    """NANOSTATE_ETOOBIG"""


class ProtocolError(NanostateError):
    """NANOSTATE_EPROTO"""


class StateFileError(NanostateError, OSError):
    """NANOSTATE_EIO"""


class ClosedError(NanostateError):
    """NANOSTATE_ECLOSED, or a call on a closed handle"""


class LibraryNotFoundError(ImportError):
    """libnanostate could not be loaded; the message lists where it looked."""


# The order of enum nanostate_error in nanostate.h.
_BY_CODE = {
    1: InvalidArgumentError,  # EINVAL
    2: MemoryError,  # ENOMEM: a plain MemoryError
    3: InvalidURLError,  # EURL
    4: AddressError,  # EADDRINUSE
    5: AddressError,  # EADDRNOTAVAIL
    6: TransportError,  # ETRANSPORT
    7: TimedOutError,  # ETIMEDOUT
    8: NotFoundError,  # ENOTFOUND
    9: InvalidNameError,  # ENAME
    10: InvalidValueError,  # EVALUE
    11: TooBigError,  # ETOOBIG
    12: InvalidValueError,  # ETYPE
    13: InvalidValueError,  # ERANGE
    14: ProtocolError,  # EPROTO
    15: StateFileError,  # EIO
    16: ClosedError,  # ECLOSED
}

ETIMEDOUT = 7
ENOTFOUND = 8


def error_for(code, text, context=None):
    """The exception for a NANOSTATE_E* code, its message nanostate_strerror's
    text, prefixed by context (e.g. the state's name) when given."""
    message = f"{context}: {text}" if context else text
    cls = _BY_CODE.get(code, NanostateError)
    if cls is MemoryError:
        return MemoryError(message)
    return cls(code, message)
