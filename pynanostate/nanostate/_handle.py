# SPDX-License-Identifier: MIT
"""The life cycle every libnanostate handle shares in Python."""

from .errors import ClosedError


class Handle:
    """Owns one C handle (self._ptr) freed by the C function named by
    _close_name: on close(), at the end of a with block, or when collected."""

    _close_name = None  # e.g. "nanostate_app_close"
    _kind = "handle"    # for the error message after close()
    _ptr = None

    def close(self):
        """Frees the handle; closing twice is fine."""
        if self._ptr is not None:
            getattr(self._lib, self._close_name)(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _handle(self):
        if self._ptr is None:
            raise ClosedError(16, "the %s is closed" % self._kind)
        return self._ptr
