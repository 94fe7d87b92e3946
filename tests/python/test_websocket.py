# SPDX-License-Identifier: MIT
"""A JavaScript App (node with jsnanostate, over WebSocket), a Python App and
a C App exchange values through nanostate-hubws (C++) and through
python3 -m nanostate hubws (the hub engine behind python3-websockets)."""

import datetime
import os
import shutil
import signal
import subprocess
import unittest

import nanostate
from helpers import BIN, PYTHON, SOURCE, TMP, cli_get_json, free_port, hub_answers, wait_until

JS_MODULE = os.path.join(SOURCE, "jsnanostate", "src", "nanostate.js")
JS_APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js_app.mjs")
WHEN = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)

FROM_PYTHON = {
    "py/str": ("héllo", "héllo"),
    "py/int": (-3, -3),
    "py/big": (2**40, 2**40),
    "py/float": (0.25, 0.25),
    "py/bool": (False, False),
    "py/nil": (None, None),
    "py/list": ([1, [2]], [1, [2]]),
    "py/map": ({"k": "v"}, {"k": "v"}),
    "py/bytes": (b"\x00\xfe", {"base64": "AP4="}),
    "py/datetime": (WHEN, {"date": "2024-05-06T07:08:09.000Z"}),
}
FROM_JS = {
    "js/str": "from JS ✓", "js/int": -7, "js/float": 2.5, "js/bool": True, "js/nil": None,
    "js/list": [1, "two", [3]], "js/map": {"a": 1, "b": [False]}, "js/bytes": b"\x00\x01\xff",
}


class WebSocketMixin:
    def setUp(self):
        if shutil.which("node") is None:
            self.skipTest("node is not installed")
        if not os.path.isdir(os.path.join(SOURCE, "jsnanostate", "node_modules", "ws")):
            self.skipTest("jsnanostate/node_modules is missing (npm ci)")
        self.nn_url = f"tcp://127.0.0.1:{free_port()}"
        self.ws_port = free_port()
        self.err_path = os.path.join(TMP, f"hubws-{self.id()}.err")
        with open(self.err_path, "wb") as err:
            self.hub = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=err)
        if not wait_until(lambda: self.hub.poll() is not None or hub_answers(self.nn_url), 10):
            self.fail(f"hub did not answer: {self.stderr()}")
        self.assertIsNone(self.hub.poll(), self.stderr())

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def tearDown(self):
        if self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
        self.assertEqual(self.hub.wait(10), 0, self.stderr())

    def test_js_python_and_c_apps_exchange_values(self):
        app = nanostate.Nanostate(self.nn_url, "py-app")
        try:
            app.flush(5)
            js = subprocess.Popen(["node", JS_APP, JS_MODULE,
                                   f"ws://127.0.0.1:{self.ws_port}/ws"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL)

            def all_js_values():
                app.wait(0.02)
                return all(name in app.states for name in FROM_JS)

            self.assertTrue(wait_until(all_js_values, 10, step=0),
                            f"Python saw {dict(app.states)}")
            self.assertEqual({k: app.get(k) for k in FROM_JS}, FROM_JS)
            self.assertEqual(app.sender("js/str"), "js-app")
            self.assertEqual(cli_get_json(self.nn_url, "js/map"), {"a": 1, "b": [False]})

            for name, (value, _) in FROM_PYTHON.items():
                app.set(name, value)
            app.set("py/done", True)
            app.flush(5)
            out, err = js.communicate(timeout=15)
            self.assertEqual(js.returncode, 0, err)
            import json

            seen = json.loads(out.strip().splitlines()[-1])
            want = {name: shown for name, (_, shown) in FROM_PYTHON.items()}
            want["py/done"] = True
            self.assertEqual(seen, want)
        finally:
            app.close()


class ThroughCHubWs(WebSocketMixin, unittest.TestCase):
    def command(self):
        exe = os.path.join(BIN, "nanostate-hubws")
        if not os.access(exe, os.X_OK):
            self.skipTest("nanostate-hubws is not built")
        return [exe, "--headless", "-b", self.nn_url, "--ws-port", str(self.ws_port),
                "--heartbeat", "100"]


class ThroughPythonHubWs(WebSocketMixin, unittest.TestCase):
    def command(self):
        try:
            import websockets  # noqa: F401
        except ImportError:
            self.skipTest("python3-websockets is not installed")
        return [PYTHON, "-m", "nanostate", "hubws", "-b", self.nn_url,
                "--ws", f"127.0.0.1:{self.ws_port}", "--heartbeat", "100"]


class PythonHubWsSecurity(unittest.TestCase):
    """python3 -m nanostate hubws: origins, tokens and --read-only-ws."""

    def start(self, *extra):
        try:
            import websockets  # noqa: F401
        except ImportError:
            self.skipTest("python3-websockets is not installed")
        self.nn_url = f"tcp://127.0.0.1:{free_port()}"
        self.ws_url = f"ws://127.0.0.1:{free_port()}/ws"
        self.err_path = os.path.join(TMP, f"pyhubws-{self.id()}.err")
        with open(self.err_path, "wb") as err:
            self.hub = subprocess.Popen(
                [PYTHON, "-m", "nanostate", "hubws", "-b", self.nn_url,
                 "--ws", self.ws_url[len("ws://"):-len("/ws")], "--heartbeat", "100", *extra],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        self.addCleanup(self.stop)
        if not wait_until(lambda: self.hub.poll() is not None or "peers at" in self.stderr(), 10):
            self.fail(f"hubws did not start: {self.stderr()}")
        self.assertIsNone(self.hub.poll(), self.stderr())

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def stop(self):
        if self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
        self.assertEqual(self.hub.wait(10), 0, self.stderr())

    def status(self, url, **kw):
        """101 when the WebSocket opens, else the HTTP status the hub gave."""
        import asyncio

        import websockets

        async def attempt():
            try:
                async with websockets.connect(url, open_timeout=5, **kw):
                    return 101
            except websockets.exceptions.InvalidStatusCode as e:
                return e.status_code

        return asyncio.run(attempt())

    def test_browser_origins_need_allowing(self):
        self.start("--allow-origin", "http://127.0.0.1:8000")
        self.assertEqual(self.status(self.ws_url), 101)  # a program: no Origin
        self.assertEqual(self.status(self.ws_url, origin="http://127.0.0.1:8000"), 101)
        self.assertEqual(self.status(self.ws_url, origin="http://evil.example"), 403)

    def test_a_token_is_needed(self):
        self.start("--token", "s3cret")
        self.assertEqual(self.status(self.ws_url), 401)
        self.assertEqual(self.status(self.ws_url + "?token=wrong"), 401)
        self.assertEqual(self.status(self.ws_url + "?token=s3cret"), 101)
        self.assertEqual(self.status(self.ws_url, extra_headers={"Authorization": "Bearer s3cret"}),
                         101)
        self.assertEqual(self.status(self.ws_url.replace("/ws", "/other") + "?token=s3cret"), 404)

    def test_read_only_refuses_writes_and_applies_nothing(self):
        import asyncio

        import msgpack
        import websockets

        self.start("--read-only-ws")
        app = nanostate.Nanostate(self.nn_url, "py-app")
        self.addCleanup(app.close)
        app.set("ro/owned", 1)
        app.flush(5)

        async def write():
            async with websockets.connect(self.ws_url, open_timeout=5) as ws:
                # SET ro/owned = 2, first frame of a session (REBASE)
                await ws.send(msgpack.packb(["intruder", "ro/owned", 2, 0x11, 7, 1]))
                try:
                    while True:
                        await asyncio.wait_for(ws.recv(), 5)
                except websockets.exceptions.ConnectionClosed as e:
                    return e.code

        self.assertEqual(asyncio.run(write()), 1008)
        app.wait(0.3)
        self.assertEqual(app.get("ro/owned"), 1)
        self.assertEqual(cli_get_json(self.nn_url, "ro/owned"), 1)


if __name__ == "__main__":
    unittest.main()
