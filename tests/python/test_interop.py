# SPDX-License-Identifier: MIT
"""A Python App (this process) and a C App (the nanostate tool, a process of
its own) exchange every value type through a C hub and through the Python
hub; late joiners; hub restarts; the asyncio helper."""

import asyncio
import base64
import datetime
import json
import unittest

import msgpack

import nanostate
from helpers import HubProcess, cli, cli_get_json, fresh_url, wait_until

UTC = datetime.timezone.utc
WHEN = datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)

# name -> (Python value, what the C App shows with --json)
VALUES = {
    "t/nil": (None, None),
    "t/true": (True, True),
    "t/false": (False, False),
    "t/int": (-42, -42),
    "t/int64min": (-(2**63), -(2**63)),
    "t/uint64max": (2**64 - 1, "18446744073709551615"),
    "t/float": (0.7, 0.7),
    "t/str": ("héllo ✓", "héllo ✓"),
    "t/empty": ("", ""),
    "t/bytes": (b"\x00\x01\xff", {"base64": "AAH/"}),
    "t/list": ([1, [2, "x"], None], [1, [2, "x"], None]),
    "t/dict": ({"a": 1, "b": [True, 2.5]}, {"a": 1, "b": [True, 2.5]}),
    "t/datetime": (WHEN, {"ext": -1, "base64": base64.b64encode(
        msgpack.Timestamp.from_datetime(WHEN).to_bytes()).decode()}),
}


def pump(apps, predicate, timeout=5.0):
    """Dispatches every App until predicate() holds."""
    def step():
        for app in apps:
            app.wait(0.01)
        return predicate()
    return wait_until(step, timeout, step=0)


class ExchangeMixin:
    hub_kind = None

    def setUp(self):
        self.url = fresh_url()
        self.hub = HubProcess(self.hub_kind, self.url).start()
        self.apps = []

    def tearDown(self):
        for app in self.apps:
            app.close()
        status = self.hub.stop()
        self.assertEqual(status, 0, f"hub exit status; stderr: {self.hub.stderr()}")

    def app(self, identity):
        app = nanostate.Nanostate(self.url, identity)
        self.apps.append(app)
        return app

    def test_python_apps_exchange_every_type(self):
        a, b = self.app("py-a"), self.app("py-b")
        seen = []
        b.on_update(seen.append)
        for name, (value, _) in VALUES.items():
            a.set(name, value)
        a.set("t/tuple", (1, 2))
        a.set("t/intkeys", {1: "one"})
        a.flush(5)
        want = {name: value for name, (value, _) in VALUES.items()}
        want.update({"t/tuple": [1, 2], "t/intkeys": {1: "one"}})
        self.assertTrue(pump([b], lambda: dict(b.states) == want), dict(b.states))
        self.assertEqual(b.sender("t/int"), "py-a")
        self.assertEqual({u.name for u in seen}, set(want))
        self.assertTrue(all(u.sender == "py-a" and not u.removed and not u.local for u in seen))

        a.remove("t/str")
        a.flush(5)
        self.assertTrue(pump([b], lambda: "t/str" not in b.states))
        self.assertEqual(b.get("t/str", "gone"), "gone")
        removal = [u for u in seen if u.removed]
        self.assertEqual([(u.name, u.value) for u in removal], [("t/str", None)])

    def test_python_app_to_c_app(self):
        a = self.app("py-a")
        for name, (value, _) in VALUES.items():
            a.set(name, value)
        a.flush(5)
        for name, (_, shown) in VALUES.items():
            with self.subTest(name=name):
                got = cli_get_json(self.url, name)
                if isinstance(shown, float):
                    self.assertAlmostEqual(got, shown)
                else:
                    self.assertEqual(got, shown)

    def test_c_app_to_python_app(self):
        b = self.app("py-b")
        args = []
        for name, (value, shown) in VALUES.items():
            if name != "t/uint64max":  # JSON input stops at int64
                args += [name, json.dumps(shown)]
        done = cli(self.url, "--json", "set", *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        want = {name: value for name, (value, _) in VALUES.items() if name != "t/uint64max"}
        self.assertTrue(pump([b], lambda: dict(b.states) == want), dict(b.states))
        self.assertEqual(b.sender("t/dict"), "c-app")

    def test_late_joiner_gets_the_table_from_snapshot(self):
        a = self.app("py-a")
        a.set("late/one", 1)
        a.set("late/two", {"x": [1]})
        a.flush(5)
        done = cli(self.url, "set", "late/c", "from C")
        self.assertEqual(done.returncode, 0, done.stderr)
        late = self.app("late")
        snap = []
        late.on_update(snap.append)
        late.flush(5)
        self.assertTrue(late.synced)
        self.assertEqual(dict(late.states),
                         {"late/one": 1, "late/two": {"x": [1]}, "late/c": "from C"})
        self.assertTrue(all(u.from_snapshot for u in snap), snap)

    def test_hub_restart_republishes_owned_states(self):
        a = self.app("owner")
        a.set("own/speed", 0.5)
        a.flush(5)
        self.hub.stop()
        self.hub.start()  # a new hub: empty table, new epoch
        self.assertTrue(pump([a], lambda: a.connected and a.synced and a.pending == 0),
                        "the owner did not resync with the new hub")
        b = self.app("observer")
        self.assertTrue(pump([a, b], lambda: b.get("own/speed") == 0.5),
                        f"observer sees {dict(b.states)}")
        self.assertEqual(cli_get_json(self.url, "own/speed"), 0.5)

    def test_iterator_and_select_integration(self):
        import selectors

        b = self.app("py-b")
        b.flush(5)
        done = cli(self.url, "set", "it/x", "1", "it/y", "2")
        self.assertEqual(done.returncode, 0, done.stderr)
        names = [u.name for u in b.iter_updates(timeout=1.0)]
        self.assertEqual(sorted(names), ["it/x", "it/y"])

        cli(self.url, "set", "it/z", "3")
        with selectors.DefaultSelector() as sel:
            sel.register(b.fileno(), selectors.EVENT_READ)
            got = []
            b.on_update(got.append)
            deadline = 50
            while not got and deadline:
                sel.select(b.timeout() if b.timeout() is not None else 0.1)
                b.dispatch()
                deadline -= 1
        self.assertEqual([(u.name, u.value) for u in got], [("it/z", "3")])

    def test_asyncio_updates(self):
        async def scenario():
            b = self.app("py-async")
            got = []

            async def consume():
                async for update in b.updates():
                    got.append((update.name, update.value, update.sender))
                    if len(got) == 2:
                        return

            task = asyncio.ensure_future(consume())
            proc = await asyncio.create_subprocess_exec(
                *_cli_args(self.url, "--json", "set", "aio/a", "1", "aio/b", '{"k":[true]}'))
            self.assertEqual(await proc.wait(), 0)
            await asyncio.wait_for(task, 5)
            return got

        got = asyncio.run(scenario())
        self.assertEqual(sorted(got), [("aio/a", 1, "c-app"), ("aio/b", {"k": [True]}, "c-app")])


def _cli_args(url, *args):
    import os
    from helpers import BIN

    return [os.path.join(BIN, "nanostate"), "-c", url, "-i", "c-app", *args]


class ThroughCHub(ExchangeMixin, unittest.TestCase):
    hub_kind = "c"


class ThroughPythonHub(ExchangeMixin, unittest.TestCase):
    hub_kind = "python"


if __name__ == "__main__":
    unittest.main()
