# SPDX-License-Identifier: MIT
"""python3 -m nanostate hub: nanostate-hub's options and behaviour; Hub
embedded in this process."""

import os
import signal
import subprocess
import unittest

import nanostate
from helpers import PYTHON, TMP, HubProcess, cli, cli_get_json, fresh_url, wait_until


def hub_command(*args):
    return subprocess.run([PYTHON, "-m", "nanostate", "hub", *args], capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


class HubCommand(unittest.TestCase):
    def test_help(self):
        done = hub_command("--help")
        self.assertEqual(done.returncode, 0)
        for option in ("--bind", "--state-file", "--max-frame", "--heartbeat", "--stats",
                       "--verbose"):
            self.assertIn(option, done.stdout)

    def test_usage_errors_exit_2(self):
        for args in (["--bogus"], ["--heartbeat", "5"], ["--max-frame", "12"], ["-b"]):
            with self.subTest(args=args):
                self.assertEqual(hub_command(*args).returncode, 2)

    def test_bind_failure_exits_1(self):
        done = hub_command("-b", "nonsense://x")
        self.assertEqual(done.returncode, 1)
        self.assertIn("nanostate-hub: cannot bind nonsense://x: ", done.stderr)

    def test_sigint_saves_state_file_and_exits_0(self):
        url = fresh_url()
        path = os.path.join(TMP, "py-hub-state.msgpack")
        hub = HubProcess("python", url, "--state-file", path, "-v").start()
        try:
            done = cli(url, "--json", "set", "kept/a", "[1,2]")
            self.assertEqual(done.returncode, 0, done.stderr)
        finally:
            status = hub.stop(signal.SIGINT)
        self.assertEqual(status, 0, hub.stderr())
        self.assertTrue(os.path.exists(path))
        self.assertIn(f"listening on {url}", hub.stderr())
        again = HubProcess("python", url, "--state-file", path).start()
        try:
            self.assertEqual(cli_get_json(url, "kept/a"), [1, 2])
        finally:
            self.assertEqual(again.stop(), 0)


class EmbeddedHub(unittest.TestCase):
    def test_hub_in_this_process(self):
        url = fresh_url()
        with nanostate.Hub([url], heartbeat=100) as hub, nanostate.Nanostate(url, "emb") as app:
            app.set("e/x", [1, "two"])
            hub.set("$hub/note", "hello")

            def settled():
                hub.wait(0.01)
                app.wait(0.01)
                return hub.states.get("e/x") == [1, "two"] and app.get("$hub/note") == "hello"

            self.assertTrue(wait_until(settled, 5, step=0))
            state = hub.state("e/x")
            self.assertEqual((state.sender, state.updates), ("emb", 1))
            self.assertEqual(sorted(hub.states), ["$hub/note", "e/x"])

    def test_peer_api_round_trip(self):
        import msgpack

        outputs = []
        with nanostate.Hub() as hub:
            hub.on_output(outputs.append)
            peer = hub.peer_add()
            self.assertNotEqual(peer, 0)
            frame = msgpack.packb(["peer-app", "p/x", 5, 1 | 0x10, 77, 1], use_bin_type=True)
            self.assertEqual(hub.peer_input(peer, frame), 0)
            self.assertEqual(hub.states["p/x"], 5)
            self.assertEqual(hub.peer_identity(peer), "peer-app")
            self.assertTrue(outputs)
            self.assertNotEqual(hub.peer_input(peer, b"\xc1"), 0)
            hub.peer_remove(peer)


if __name__ == "__main__":
    unittest.main()
