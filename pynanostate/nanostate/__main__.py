# SPDX-License-Identifier: MIT
"""python3 -m nanostate hub|hubws ...: the hub (and its WebSocket front end)
on libnanostate's engine, with nanostate-hub's options."""

import argparse
import sys

from .errors import LibraryNotFoundError, NanostateError

DEFAULT_URL = "tcp://127.0.0.1:15000"

HUB_EPILOG = """\
Runs in the foreground; SIGINT or SIGTERM end it cleanly (the state file is
saved, exit status 0). Exit status 1 when an endpoint cannot be bound, the
state file cannot be read or libnanostate is not found; 2 on a usage error.

examples:
  python3 -m nanostate hub
  python3 -m nanostate hub -b tcp://127.0.0.1:15000 -b ipc:///tmp/nanostate.sock -v
  python3 -m nanostate hub --state-file /var/lib/nanostate/state.msgpack
"""


def _ranged(low, high, what):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"takes {what}")
        return value

    return parse


def _add_hub_options(parser):
    parser.add_argument("-b", "--bind", metavar="URL", action="append", default=[],
                        help="endpoint to listen on: tcp://HOST:PORT, ipc://PATH or "
                             f"ws://HOST:PORT (nanomsg's); repeat for several. "
                             f"Default: {DEFAULT_URL}")
    parser.add_argument("--state-file", metavar="PATH",
                        help="keep the table in PATH (atomic writes, 200 ms after a "
                             "change) and load it at start")
    parser.add_argument("--max-frame", metavar="BYTES",
                        type=_ranged(1024, 2**31 - 1, "a number of bytes from 1024 up"),
                        help="largest frame accepted (default 16777216)")
    parser.add_argument("--heartbeat", metavar="MS",
                        type=_ranged(10, 3600000, "milliseconds from 10 to 3600000"),
                        help="heartbeat period (default 1000)")
    parser.add_argument("--stats", metavar="MS", nargs="?", const=1000,
                        type=_ranged(10, 3600000, "milliseconds from 10 to 3600000"),
                        help="publish the hub's figures as $hub/... states every MS "
                             "(default 1000)")
    parser.add_argument("--no-batch", dest="batch", action="store_false",
                        help="never pack several frames into one BATCH message")
    parser.add_argument("--send-buffer", metavar="BYTES",
                        type=_ranged(1024, 2**31 - 1, "a number of bytes from 1024 up"),
                        help="what may wait for one slow App (default 1048576); beyond, "
                             "frames to it are dropped and it resyncs")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log joins, resyncs and rejected frames to stderr")


def _make_hub(args, prog, binds):
    from .hub import Hub

    def log(level, message):
        print(f"{prog}: {'warning: ' if level else ''}{message}", file=sys.stderr, flush=True)

    # Loading a state file reports why it fails even when not verbose.
    hub = Hub(state_file=args.state_file, max_frame=args.max_frame,
              heartbeat=args.heartbeat, stats=args.stats, batch=args.batch,
              send_buffer=args.send_buffer,
              log=log if (args.verbose or args.state_file) else None)
    if not args.verbose:
        hub.on_log(None)
    try:
        for url in binds:
            hub.bind(url)
            if args.verbose:
                log(0, f"listening on {url}")
    except BaseException:
        hub.close()
        raise
    if args.verbose and args.state_file:
        log(0, f"{len(hub.states)} states loaded from {args.state_file}")
    return hub


def run_hub(args, prog):
    hub = _make_hub(args, prog, args.bind or [DEFAULT_URL])
    try:
        hub.serve()
    finally:
        hub.close()  # saves the state file
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m nanostate",
        description="Nanostate hubs on libnanostate's hub engine.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    hub = commands.add_parser(
        "hub", help="the hub (same options as nanostate-hub)",
        description="The Nanostate hub keeps the table of states (last value, sender, "
                    "version) and forwards every update to every connected App.",
        epilog=HUB_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_hub_options(hub)
    hubws = commands.add_parser(
        "hubws", help="the hub with a WebSocket endpoint for browsers (python3-websockets)",
        description="The hub, plus WebSocket peers (one binary message per frame) at "
                    "ws://HOST:PORT/ws. Needs python3-websockets.")
    _add_hub_options(hubws)
    hubws.add_argument("--ws", metavar="HOST:PORT", default="127.0.0.1:15001",
                       help="WebSocket address to listen on (default 127.0.0.1:15001; "
                            "port 0 picks a free one, printed on stderr)")
    hubws.add_argument("--allow-origin", metavar="ORIGIN", action="append", default=[],
                       help="a browser origin allowed in (e.g. http://127.0.0.1:8000), "
                            "repeatable; '*' allows any. Default: none, only clients that "
                            "send no Origin (programs)")
    hubws.add_argument("--token", metavar="TOKEN", action="append", default=[],
                       help="clients must give one of these tokens (?token=TOKEN or "
                            "Authorization: Bearer TOKEN), else 401; repeatable")
    hubws.add_argument("--read-only-ws", action="store_true",
                       help="WebSocket clients read everything and write nothing (a "
                            "write closes them with 1008)")
    args = parser.parse_args(argv)
    prog = "nanostate-hub" if args.command == "hub" else "nanostate-hubws"
    try:
        if args.command == "hub":
            return run_hub(args, prog)
        from .hubws import run_hubws

        return run_hubws(args, prog, _make_hub)
    except LibraryNotFoundError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 1
    except (NanostateError, OSError) as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def main_hub():
    """The nanostate-hub-py console script: `python3 -m nanostate hub`."""
    sys.exit(main(["hub", *sys.argv[1:]]))


if __name__ == "__main__":
    sys.exit(main())
