# SPDX-License-Identifier: MIT
"""Nanostate: an App over libnanostate (ctypes)."""

import collections
import collections.abc
import ctypes
import time

from . import _lib
from ._lib import check, encode_name, text
from ._handle import Handle
from .errors import ENOTFOUND, ETIMEDOUT
from .values import pack, unpack

Update = collections.namedtuple(
    "Update", "name value sender removed from_snapshot local version")
Update.__doc__ = """One change of a state: value is None and removed True for a
removal; from_snapshot when learnt from the hub's table rather than live;
local when this App made it."""

_OPT_SEND_WINDOW = 5


def _ms(timeout):
    """Seconds (None: forever) -> the library's milliseconds (-1: forever)."""
    if timeout is None:
        return -1
    return max(0, int(timeout * 1000))


class _Subscription:
    """A queue of updates for one consumer (an iterator or an async loop)."""

    def __init__(self, local):
        self.local = local
        self.queue = collections.deque()


class States(collections.abc.Mapping):
    """The App's replica, read-only: name -> value. Reads are live."""

    def __init__(self, app):
        self._app = app

    def __getitem__(self, name):
        found, value = self._app._lookup(name)
        if not found:
            raise KeyError(name)
        return value

    def __len__(self):
        return self._app._lib.nanostate_app_count(self._app._handle())

    def __iter__(self):
        return iter(self._app._names())

    def __repr__(self):
        return f"<nanostate.States {dict(self)!r}>"


class Nanostate(Handle):
    """An App: shares states with every other App through a hub.

        with Nanostate("tcp://127.0.0.1:15000", identity="robot") as app:
            app.set("robot/speed", 0.7)
            app.flush(2)

    url: the hub (None: tcp://127.0.0.1:15000, the library's default).
    identity: the name others see as sender (None: "app-<pid>").
    Connecting happens in the background, and again whenever the link
    breaks. Use one Nanostate from one thread at a time; callbacks run inside
    dispatch(), wait(), flush() and the iterators, in the calling thread.
    """
    _close_name = "nanostate_app_close"
    _kind = "App"


    def __init__(self, url=None, identity=None, *, send_window=None):
        self._lib = _lib.load()
        self._ptr = None
        self._callbacks = []  # (callback, local)
        self._subscriptions = []
        self._error = None  # raised by a callback, re-raised after dispatch
        self._connected_callbacks = []
        handle = ctypes.c_void_p()
        check(self._lib.nanostate_app_create(
            ctypes.byref(handle), None if identity is None else identity.encode("utf-8")))
        self._ptr = handle.value
        # Kept referenced for as long as the library may call them.
        self._update_fn = _lib.UPDATE_FN(self._on_update)
        self._connect_fn = _lib.CONNECT_FN(self._on_connect)
        self._lib.nanostate_app_on_update(self._ptr, self._update_fn, None, 1)
        self._lib.nanostate_app_on_connect(self._ptr, self._connect_fn, None)
        try:
            if send_window is not None:
                check(self._lib.nanostate_app_set_int_option(
                    self._ptr, _OPT_SEND_WINDOW, int(send_window)), "send_window")
            check(self._lib.nanostate_app_connect(
                self._ptr, None if url is None else url.encode("utf-8")), url)
        except BaseException:
            self.close()
            raise
        self.url = url
        self.states = States(self)

    # --- Life cycle ---------------------------------------------------------

    def close(self):
        """Closes the connection. Sets not yet accepted by the hub are lost:
        flush() first. Closing twice is fine."""
        Handle.close(self)

    @property
    def closed(self):
        return self._ptr is None

    @property
    def identity(self):
        return text(self._lib.nanostate_app_identity(self._handle()))

    # --- Writing ------------------------------------------------------------

    def set(self, name, value):
        """Sets a state. The replica changes at once; the hub gets it in the
        background (see pending, flush). TypeError/OverflowError for values
        without a msgpack form; InvalidNameError, TooBigError."""
        packed = pack(value)
        check(self._lib.nanostate_app_set_packed(
            self._handle(), encode_name(name), packed, len(packed)), name)

    def set_packed(self, name, packed):
        """Sets a state to one packed msgpack object (bytes), as is."""
        packed = bytes(packed)
        check(self._lib.nanostate_app_set_packed(
            self._handle(), encode_name(name), packed, len(packed)), name)

    def remove(self, name):
        """Removes a state for every App; not an error if it does not exist."""
        check(self._lib.nanostate_app_remove(self._handle(), encode_name(name)), name)

    def __setitem__(self, name, value):
        self.set(name, value)

    def __delitem__(self, name):
        self.remove(name)

    # --- Reading ------------------------------------------------------------

    def _lookup(self, name, with_sender=False):
        view = _lib.Value()
        sender = ctypes.c_char_p()
        rc = self._lib.nanostate_app_get(self._handle(), encode_name(name),
                                         ctypes.byref(view), ctypes.byref(sender))
        if rc == ENOTFOUND:
            return (False, None, None) if with_sender else (False, None)
        check(rc, name)
        value = unpack(ctypes.string_at(view.packed, view.size))
        if with_sender:
            return True, value, text(sender.value)
        return True, value

    def get(self, name, default=None):
        """The state's value, or default when there is no such state."""
        found, value = self._lookup(name)
        return value if found else default

    def sender(self, name):
        """Identity of the App that last wrote the state, None if none."""
        return self._lookup(name, with_sender=True)[2]

    def __getitem__(self, name):
        return self.states[name]

    def __contains__(self, name):
        return self._lookup(name)[0]

    def _names(self):
        names = []

        def collect(_user, update):
            names.append(update.contents.name.decode("utf-8", "replace"))

        fn = _lib.UPDATE_FN(collect)
        self._lib.nanostate_app_foreach(self._handle(), fn, None)
        return names

    # --- Status -------------------------------------------------------------

    @property
    def connected(self):
        """True while the hub answers (heartbeats within two periods)."""
        return bool(self._lib.nanostate_app_is_connected(self._handle()))

    @property
    def synced(self):
        """True once the replica holds the hub's whole table."""
        return bool(self._lib.nanostate_app_is_synced(self._handle()))

    @property
    def pending(self):
        """Own sets and removes the hub has not accepted yet."""
        return self._lib.nanostate_app_pending(self._handle())

    def stat(self, which):
        """A counter of the library (NANOSTATE_APP_STAT_* number)."""
        return self._lib.nanostate_app_stat(self._handle(), which)

    # --- Events -------------------------------------------------------------

    def on_update(self, callback, *, local=False):
        """Calls callback(update) for every change made by another App (and
        this App's own with local=True), removals included; see Update.
        Returns callback, so it works as a decorator. Exceptions it raises
        come out of the dispatching call."""
        self._callbacks.append((callback, local))
        return callback

    def remove_callback(self, callback):
        self._callbacks = [c for c in self._callbacks if c[0] is not callback]

    def on_connect(self, callback):
        """Calls callback(connected: bool) when the hub is reached or lost."""
        self._connected_callbacks.append(callback)
        return callback

    def _on_update(self, _user, pointer):
        try:
            u = pointer.contents
            # Borrowed pointers: copy everything before returning.
            removed = bool(u.removed)
            value = None if removed or not u.value.size else unpack(
                ctypes.string_at(u.value.packed, u.value.size))
            update = Update(u.name.decode("utf-8", "replace"), value, text(u.sender),
                            removed, bool(u.from_snapshot), bool(u.local), u.version)
            for sub in self._subscriptions:
                if sub.local or not update.local:
                    sub.queue.append(update)
            for callback, local in list(self._callbacks):
                if local or not update.local:
                    callback(update)
        except BaseException as e:  # noqa: B902 - re-raised after dispatch
            if self._error is None:
                self._error = e

    def _on_connect(self, _user, connected):
        try:
            for callback in list(self._connected_callbacks):
                callback(bool(connected))
        except BaseException as e:
            if self._error is None:
                self._error = e

    def _raise_pending(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # --- Event loop integration -----------------------------------------------

    def fileno(self):
        """A descriptor to poll for reading (level-triggered) before calling
        dispatch(); never read it. Valid until close()."""
        return self._lib.nanostate_app_fd(self._handle())

    def dispatch(self):
        """Does all due work without blocking: frames, timers, sends."""
        rc = self._lib.nanostate_app_dispatch(self._handle())
        self._raise_pending()
        check(rc)

    def timeout(self):
        """Seconds until dispatch() has timer work (None: no timer)."""
        ms = self._lib.nanostate_app_timeout(self._handle())
        return None if ms < 0 else ms / 1000.0

    def wait(self, timeout=None):
        """Waits up to timeout seconds (None: forever) for work, dispatching
        it; True if some arrived, False if the time ran out."""
        rc = self._lib.nanostate_app_wait(self._handle(), _ms(timeout))
        self._raise_pending()
        if rc == ETIMEDOUT:
            return False
        check(rc)
        return True

    def flush(self, timeout=2.0):
        """Dispatches until synced and nothing is pending; TimedOutError when
        that takes longer than timeout seconds."""
        rc = self._lib.nanostate_app_flush(self._handle(), _ms(timeout))
        self._raise_pending()
        check(rc, "flush")

    def wait_for(self, predicate, timeout=None):
        """Dispatches until predicate() is true; returns its last result
        (false when timeout seconds passed first)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return result
            self.wait(0.05 if left is None else min(left, 0.05))

    def _subscribe(self, local):
        sub = _Subscription(local)
        self._subscriptions.append(sub)
        return sub

    def _unsubscribe(self, sub):
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)

    def iter_updates(self, timeout=None, *, local=False):
        """Yields updates as they come. With a timeout, the iteration ends
        once no update arrived for that many seconds."""
        sub = self._subscribe(local)
        try:
            while True:
                while sub.queue:
                    yield sub.queue.popleft()
                deadline = None if timeout is None else time.monotonic() + timeout
                while not sub.queue:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return
                    self.wait(left)
        finally:
            self._unsubscribe(sub)

    def __iter__(self):
        return self.iter_updates()

    def updates(self, *, local=False):
        """An async iterator of updates for asyncio:

            async for update in app.updates(): ...

        It watches fileno() with loop.add_reader and honours timeout()."""
        from ._aio import updates

        return updates(self, local)

    def __repr__(self):
        state = "closed" if self._ptr is None else (
            "connected" if self.connected else "connecting")
        return f"<Nanostate {self.url or 'default'} {state}>"
