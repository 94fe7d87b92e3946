# SPDX-License-Identifier: MIT
"""python3 -m nanostate hubws: the hub engine with WebSocket peers
(python3-websockets) through the hub's peer API. A thin front end: the engine
decides every frame; this module moves bytes and applies flow control."""

import asyncio
import collections
import hmac
import http
import signal
import sys
import urllib.parse

import msgpack

# A peer whose queue holds this many bytes is paused (no broadcasts) until it
# drains below the low mark; it then catches up from the hub (peer_resume).
HIGH_WATER = 1 << 20
LOW_WATER = 1 << 16


class _Peer:
    def __init__(self, ws):
        self.ws = ws
        self.queue = collections.deque()
        self.queued = 0
        self.paused = False
        self.ready = asyncio.Event()


# Ops a read-only client may not send: SET, DEL, PING, BATCH (docs/PROTOCOL.md
# 3.2; a PING in another App's session could make the hub drop its updates).
_WRITING_OPS = {1, 2, 7, 9}


def _writes(frame):
    """True when a frame would change something: a legacy set, SET, DEL, PING
    or BATCH. Frames that do not parse are left to the engine to reject."""
    try:
        unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
        unpacker.feed(frame)
        head = unpacker.read_array_header()
        if head == 3:
            return True
        for _ in range(3):
            unpacker.skip()
        op = unpacker.unpack() if head > 3 else None
    except Exception:
        return False
    return isinstance(op, int) and (op & 0x0F) in _WRITING_OPS


class WebSocketFrontEnd:
    """Serves WebSocket peers at ws://HOST:PORT/ws for a Hub, on the running
    asyncio loop. read_only: clients may read but not write (closed with
    1008 when they try)."""

    def __init__(self, hub, log=None, read_only=False):
        self.hub = hub
        self.read_only = read_only
        self.peers = {}
        self.log = log or (lambda message: None)
        self._timer = None
        self._loop = None
        hub.on_output(self._output)

    # --- The engine on the loop -----------------------------------------------

    def attach(self, loop):
        self._loop = loop
        loop.add_reader(self.hub.fileno(), self._work)
        self._work()

    def detach(self):
        self._loop.remove_reader(self.hub.fileno())
        if self._timer:
            self._timer.cancel()
        self.hub.on_output(None)

    def _work(self):
        self.hub.dispatch()
        self._arm()

    def _arm(self):
        if self._timer:
            self._timer.cancel()
        timeout = self.hub.timeout()
        self._timer = None if timeout is None else self._loop.call_later(timeout, self._work)

    # --- Frames out -------------------------------------------------------------

    def _output(self, out):
        if out.to:
            targets = [out.to]
        else:
            targets = [p for p, peer in self.peers.items()
                       if p != out.except_peer and not peer.paused]
        for peer_id in targets:
            peer = self.peers.get(peer_id)
            if peer is None:
                continue
            peer.queue.append(out.frame)
            peer.queued += len(out.frame)
            peer.ready.set()
            if peer.queued > HIGH_WATER and not peer.paused:
                peer.paused = True
                # Not from inside the engine's callback: on the next turn.
                self._loop.call_soon(self._pause, peer_id)

    def _pause(self, peer_id):
        if peer_id in self.peers:
            self.hub.peer_pause(peer_id)

    async def _writer(self, peer_id, peer):
        while True:
            await peer.ready.wait()
            peer.ready.clear()
            while peer.queue:
                frame = peer.queue.popleft()
                peer.queued -= len(frame)
                await peer.ws.send(frame)
                if peer.paused and peer.queued < LOW_WATER:
                    peer.paused = False
                    self.hub.peer_resume(peer_id)
                    self._arm()

    # --- Connections -----------------------------------------------------------

    async def serve_peer(self, ws, path=None):
        peer_id = self.hub.peer_add()
        peer = _Peer(ws)
        self.peers[peer_id] = peer
        writer = asyncio.ensure_future(self._writer(peer_id, peer))
        self.log(f"peer {peer_id} joined from {ws.remote_address}")
        try:
            async for message in ws:
                if isinstance(message, str):
                    await ws.close(1003, "binary frames only")
                    break
                if self.read_only and _writes(message):
                    self.log(f"peer {peer_id}: refused a write (--read-only-ws)")
                    await ws.close(1008, "read-only: this hub takes no writes over WebSocket")
                    break
                self.hub.peer_input(peer_id, message)
                self._arm()
        except Exception as e:  # a broken connection ends this peer only
            self.log(f"peer {peer_id}: {e}")
        finally:
            writer.cancel()
            del self.peers[peer_id]
            self.hub.peer_remove(peer_id)
            self._arm()
            self.log(f"peer {peer_id} left")


def _split_host_port(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def _run(hub, args, prog):
    import websockets

    loop = asyncio.get_running_loop()
    verbose = args.verbose

    def log(message):
        if verbose:
            print(f"{prog}: {message}", file=sys.stderr, flush=True)

    front = WebSocketFrontEnd(hub, log, read_only=args.read_only_ws)
    front.attach(loop)
    tokens = [t.encode() for t in args.token]

    def token_ok(path, headers):
        given = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("token", [])
        auth = headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            given.append(auth[len("Bearer "):])
        return any(hmac.compare_digest(g.encode(), t) for g in given for t in tokens)

    async def check_request(path, headers):
        if path.split("?", 1)[0] != "/ws":
            return (http.HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain")], b"WebSocket endpoint: /ws\n")
        if tokens and not token_ok(path, headers):
            log("refused a client: token missing or wrong")
            return (http.HTTPStatus.UNAUTHORIZED, [("Content-Type", "text/plain"),
                          ("WWW-Authenticate", 'Bearer realm="nanostate"')],
                    b"a token is needed: ?token=TOKEN or Authorization: Bearer\n")
        return None

    # Browsers send Origin: only the listed ones (or any, with '*') get in;
    # programs that send none always do.
    origins = None if "*" in args.allow_origin else [None, *args.allow_origin]

    host, port = _split_host_port(args.ws)
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    server = await websockets.serve(front.serve_peer, host, port,
                                    max_size=args.max_frame or 16 * 1024 * 1024,
                                    process_request=check_request, origins=origins,
                                    compression=None)
    bound = server.sockets[0].getsockname()
    print(f"{prog}: WebSocket peers at ws://{bound[0]}:{bound[1]}/ws", file=sys.stderr,
          flush=True)
    try:
        await stop
    finally:
        server.close()
        await server.wait_closed()
        front.detach()


def run_hubws(args, prog, make_hub):
    try:
        import websockets  # noqa: F401 - say early that it is missing
    except ImportError:
        print(f"{prog}: needs python3-websockets (apt-get install python3-websockets)",
              file=sys.stderr)
        return 1
    hub = make_hub(args, prog, args.bind or ["tcp://127.0.0.1:15000"])
    try:
        asyncio.run(_run(hub, args, prog))
    finally:
        hub.close()
    return 0
