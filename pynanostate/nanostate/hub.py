# SPDX-License-Identifier: MIT
"""Hub: the C hub engine of libnanostate, for embedding in Python programs."""

import collections
import collections.abc
import ctypes
import os
import select
import signal

from . import _lib
from ._lib import check, encode_name, text
from ._handle import Handle
from .errors import ENOTFOUND, ETIMEDOUT
from .values import pack, unpack

OPT_MAX_FRAME = 1
OPT_HEARTBEAT_MS = 2
OPT_STATE_FILE = 6
OPT_STATS_MS = 8
OPT_SEND_BUFFER = 4
OPT_BATCH = 9

HubState = collections.namedtuple(
    "HubState", "name value sender version updates changed_ms")

Output = collections.namedtuple("Output", "frame to except_peer")
Output.__doc__ = """A frame for peers of other transports: to one peer (to),
or to every peer but except_peer (to == 0; except_peer 0: none)."""


class _Table(collections.abc.Mapping):
    """The hub's table, read-only: name -> value."""

    def __init__(self, hub):
        self._ptr = hub

    def __getitem__(self, name):
        state = self._ptr.state(name)
        if state is None:
            raise KeyError(name)
        return state.value

    def __len__(self):
        return self._ptr._lib.nanostate_hub_count(self._ptr._handle())

    def __iter__(self):
        return iter([s.name for s in self._ptr.all_states()])


def _state(s):
    value = unpack(ctypes.string_at(s.value.packed, s.value.size)) if s.value.size else None
    return HubState(s.name.decode("utf-8", "replace"), value, text(s.sender),
                    s.version, s.updates, s.changed_ms)


class Hub(Handle):
    """The hub engine: keeps the table and forwards every update.

        with Hub(["tcp://127.0.0.1:15000"]) as hub:
            hub.serve()     # until SIGINT/SIGTERM, or stop()

    binds: nanomsg URLs to listen on (empty: none, e.g. for a front end that
    only uses peers). state_file: persistence (loaded here, saved on close).
    max_frame (bytes), heartbeat (ms), stats (ms, 0: off) as nanostate-hub;
    batch=False as its --no-batch (docs/PROTOCOL.md 7.10), send_buffer (bytes)
    as its --send-buffer.
    log: a callable(level, message) for joins, resyncs and rejected frames.
    """
    _close_name = "nanostate_hub_close"
    _kind = "hub"


    def __init__(self, binds=(), *, state_file=None, max_frame=None, heartbeat=None,
                 stats=None, batch=True, send_buffer=None, log=None):
        self._lib = _lib.load()
        self._ptr = None
        self._stop = False
        self._output_fn = None
        handle = ctypes.c_void_p()
        check(self._lib.nanostate_hub_create(ctypes.byref(handle)))
        self._ptr = handle.value
        self._log_fn = _lib.LOG_FN(self._on_log)
        self._log = None
        self._error = None
        self.states = _Table(self)
        try:
            self.on_log(log)
            if max_frame:
                check(self._lib.nanostate_hub_set_int_option(self._ptr, OPT_MAX_FRAME,
                                                             int(max_frame)), "max_frame")
            if heartbeat:
                check(self._lib.nanostate_hub_set_int_option(self._ptr, OPT_HEARTBEAT_MS,
                                                             int(heartbeat)), "heartbeat")
            if stats:
                check(self._lib.nanostate_hub_set_int_option(self._ptr, OPT_STATS_MS,
                                                             int(stats)), "stats")
            if send_buffer:
                check(self._lib.nanostate_hub_set_int_option(self._ptr, OPT_SEND_BUFFER,
                                                             int(send_buffer)), "send_buffer")
            if not batch:
                check(self._lib.nanostate_hub_set_int_option(self._ptr, OPT_BATCH, 0), "batch")
            if state_file:
                check(self._lib.nanostate_hub_set_string_option(
                    self._ptr, OPT_STATE_FILE, os.fsencode(state_file)), state_file)
                check(self._lib.nanostate_hub_load(self._ptr),
                      f"cannot load state file {state_file}")
            for url in binds:
                self.bind(url)
        except BaseException:
            self.close()
            raise

    # --- Life cycle ---------------------------------------------------------

    def close(self):
        """Saves the state file (if any), closes every endpoint."""
        Handle.close(self)

    def bind(self, url):
        """Listens on one more nanomsg endpoint (tcp://, ipc://, ws://)."""
        check(self._lib.nanostate_hub_bind(self._handle(), url.encode("utf-8")),
              f"cannot bind {url}")

    def save(self):
        """Writes the state file now."""
        check(self._lib.nanostate_hub_save(self._handle()), "cannot save the state file")

    # --- Event loop -----------------------------------------------------------

    def fileno(self):
        return self._lib.nanostate_hub_fd(self._handle())

    def dispatch(self):
        rc = self._lib.nanostate_hub_dispatch(self._handle())
        self._raise_pending()
        check(rc)

    def timeout(self):
        """Seconds until dispatch() has timer work (None: no timer)."""
        ms = self._lib.nanostate_hub_timeout(self._handle())
        return None if ms < 0 else ms / 1000.0

    def wait(self, timeout=None):
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        rc = self._lib.nanostate_hub_wait(self._handle(), ms)
        self._raise_pending()
        if rc == ETIMEDOUT:
            return False
        check(rc)
        return True

    def stop(self):
        """Ends serve() (from a signal handler or a callback)."""
        self._stop = True
        wake = getattr(self, "_wake_w", None)
        if wake is not None:
            try:
                os.write(wake, b"\0")
            except OSError:
                pass

    def serve(self, handle_signals=True):
        """Runs until stop(), or SIGINT/SIGTERM when handle_signals (main
        thread only): the state file is saved by close()."""
        self._stop = False
        wake_r, self._wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(self._wake_w, False)
        previous = {}
        old_wakeup = None
        try:
            if handle_signals:
                old_wakeup = signal.set_wakeup_fd(self._wake_w)
                for sig in (signal.SIGINT, signal.SIGTERM):
                    previous[sig] = signal.signal(sig, lambda *_: self.stop())
            poller = select.poll()
            poller.register(self.fileno(), select.POLLIN)
            poller.register(wake_r, select.POLLIN)
            while not self._stop:
                timeout = self._lib.nanostate_hub_timeout(self._handle())
                try:
                    poller.poll(timeout)
                except InterruptedError:
                    pass
                self.dispatch()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if handle_signals:
                signal.set_wakeup_fd(old_wakeup if old_wakeup is not None else -1)
            os.close(wake_r)
            os.close(self._wake_w)
            self._wake_w = None

    # --- The table ------------------------------------------------------------

    def state(self, name):
        """The HubState of one state, None if there is none."""
        out = _lib.HubState()
        rc = self._lib.nanostate_hub_get(self._handle(), encode_name(name), ctypes.byref(out))
        if rc == ENOTFOUND:
            return None
        check(rc, name)
        return _state(out)

    def all_states(self):
        """Every HubState of the table, in no particular order."""
        found = []
        fn = _lib.HUB_STATE_FN(lambda _user, s: found.append(_state(s.contents)))
        self._lib.nanostate_hub_foreach(self._handle(), fn, None)
        return found

    def set(self, name, value):
        """Sets a state as the hub itself (sender "$hub"); '$' names allowed."""
        packed = pack(value)
        check(self._lib.nanostate_hub_set_packed(self._handle(), encode_name(name),
                                                 packed, len(packed)), name)

    def remove(self, name):
        check(self._lib.nanostate_hub_remove(self._handle(), encode_name(name)), name)

    def stat(self, which):
        """A counter (NANOSTATE_HUB_STAT_* number)."""
        return self._lib.nanostate_hub_stat(self._handle(), which)

    # --- Log ------------------------------------------------------------------

    def on_log(self, callback):
        """callback(level, message): level 0 info, 1 warning; None: off."""
        self._log = callback
        self._lib.nanostate_hub_on_log(self._handle(), self._log_fn if callback else
                                       _lib.LOG_FN(), None)

    def _on_log(self, _user, level, message):
        try:
            if self._log:
                self._log(level, text(message))
        except BaseException as e:
            self._error = self._error or e

    def _raise_pending(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # --- Peers of other transports (e.g. WebSockets) ---------------------------

    def on_output(self, callback):
        """callback(Output) for every frame meant for peers; the frame is a
        copy (bytes). None: off."""

        def output(_user, pointer):
            try:
                o = pointer.contents
                callback(Output(ctypes.string_at(o.frame, o.size), o.to, o.except_))
            except BaseException as e:
                self._error = self._error or e

        self._output_fn = _lib.HUB_OUTPUT_FN(output) if callback else _lib.HUB_OUTPUT_FN()
        self._lib.nanostate_hub_on_output(self._handle(), self._output_fn, None)

    def peer_add(self):
        """Registers a peer; returns its id (never 0)."""
        peer = ctypes.c_uint64()
        check(self._lib.nanostate_hub_peer_add(self._handle(), ctypes.byref(peer)))
        return peer.value

    def peer_input(self, peer, frame):
        """Feeds one frame from a peer; returns 0 or the NANOSTATE_E* code it
        was rejected for (the peer may go on)."""
        frame = bytes(frame)
        rc = self._lib.nanostate_hub_peer_input(self._handle(), peer, frame, len(frame))
        self._raise_pending()
        return rc

    def peer_pause(self, peer):
        check(self._lib.nanostate_hub_peer_pause(self._handle(), peer))

    def peer_resume(self, peer):
        check(self._lib.nanostate_hub_peer_resume(self._handle(), peer))

    def peer_remove(self, peer):
        check(self._lib.nanostate_hub_peer_remove(self._handle(), peer))

    def peer_identity(self, peer):
        return text(self._lib.nanostate_hub_peer_identity(self._handle(), peer))
