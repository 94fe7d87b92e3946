# SPDX-License-Identifier: MIT
"""Processes and waits for the Python tests: hubs (C and Python), the C
command-line App, free ports."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

BIN = os.environ["NANOSTATE_BIN"]
TMP = os.environ["NANOSTATE_TEST_TMP"]
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYTHON = os.environ.get("NANOSTATE_PYTHON", sys.executable)

_counter = [0]


def fresh_url():
    """An ipc:// URL no other test uses."""
    _counter[0] += 1
    return f"ipc://{TMP}/hub-{os.getpid()}-{_counter[0]}.sock"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=5.0, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(step)


def cli(url, *args, timeout=5):
    """Runs the C App (the nanostate tool) as a separate process."""
    return subprocess.run([os.path.join(BIN, "nanostate"), "-c", url, "-i", "c-app",
                           "--timeout", "2000", *args],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def cli_get_json(url, name):
    done = cli(url, "--json", "get", name)
    if done.returncode != 0:
        raise AssertionError(f"nanostate get {name}: {done.returncode} {done.stderr}")
    return json.loads(done.stdout)["value"]


def hub_answers(url):
    return cli(url, "--timeout", "200", "dump").returncode in (0, 1)


class HubProcess:
    """A hub in a process of its own: kind "c" (nanostate-hub) or "python"
    (python3 -m nanostate hub)."""

    def __init__(self, kind, url, *extra):
        self.kind, self.url, self.extra = kind, url, extra
        self.err_path = os.path.join(TMP, f"hub-{kind}-{id(self)}.err")
        self.process = None

    def command(self):
        args = ["-b", self.url, "--heartbeat", "100", *self.extra]
        if self.kind == "c":
            return [os.path.join(BIN, "nanostate-hub"), *args]
        return [PYTHON, "-m", "nanostate", "hub", *args]

    def start(self):
        with open(self.err_path, "ab") as err:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=err)
        if not wait_until(lambda: self.process.poll() is not None or hub_answers(self.url)):
            self.stop()
            raise AssertionError(f"{self.kind} hub did not answer: {self.stderr()}")
        if self.process.poll() is not None:
            raise AssertionError(f"{self.kind} hub ended: {self.stderr()}")
        return self

    def stop(self, sig=signal.SIGTERM):
        """Ends the hub; its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.process = None
        return status

    def stderr(self):
        try:
            with open(self.err_path) as f:
                return f.read()
        except OSError:
            return ""
