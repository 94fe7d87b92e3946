# SPDX-License-Identifier: MIT
"""The soak's processes: each hub under test and the nanostate CLI Apps that
talk to it, with what the driver knows the hub accepted (the model)."""

import json
import os
import signal
import subprocess
import time

from rawbus import Garbage, RawBus

# Removes every state whose name does not start with "soak/" ('$' names
# are the hub's own and never removed by Apps).
OUTSIDE_SOAK = ["[!s]*", "s", "s[!o]*", "so", "so[!a]*", "soa", "soa[!k]*", "soak", "soak[!/]*"]
CHURN_NAMES = [f"soak/churn/{i}" for i in range(16)]
MAX_APPS_RUNNING = 6


class Processes:
    """Every process the soak starts, ended by PID at the end."""

    def __init__(self):
        self.procs = []

    def start(self, argv, **kwargs):
        proc = subprocess.Popen(argv, **kwargs)
        self.procs.append(proc)
        return proc

    def forget_finished(self):
        self.procs = [p for p in self.procs if p.poll() is None]

    def stop_all(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


def wait_until(seconds, condition, period=0.05):
    """Calls condition until it returns something true or seconds pass;
    returns its last result."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(period)


def cpu_seconds(pid):
    """User plus system CPU time of a process so far, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Hub:
    """A hub under soak, its traffic, and what the traffic left in it."""

    def __init__(self, name, url, tmp, cli, cli_timeout, rng, max_frame):
        self.name = name
        self.url = url
        self.cli = cli
        self.cli_timeout = cli_timeout
        self.rng = rng
        self.proc = None
        self.err_path = os.path.join(tmp, f"{name}.err")
        self.rss = []  # (seconds since the traffic started, KiB)
        self.cpu = None  # (seconds since the traffic started, CPU seconds) at the last sample
        self.died_at = None
        self.exit_status = None
        # Short-lived Apps: what they did, and the soak/* states they set.
        self.model = {}  # name -> value the hub accepted, as far as the driver knows
        self.uncertain = set()  # names whose last App failed: either value may be there
        self.in_flight = {}  # name -> (proc, op, value): one App per name at a time
        self.others = []  # (proc, op, allowed exit statuses)
        self.ops = {}  # op -> {"launched": n, "ok": n, "failed": n}
        self.failures = []
        self.number = 0
        self.cli_err_path = os.path.join(tmp, f"{name}-cli.err")
        self.cli_err = open(self.cli_err_path, "ab")
        # Long-lived Apps.
        self.steady = None
        self.steady_rounds = 0
        self.steady_unsent = 0
        self.watcher = None
        self.watch_path = os.path.join(tmp, f"{name}-watch.jsonl")
        # Garbage.
        self.raw = RawBus(url)
        self.garbage = Garbage(rng, max_frame)

    # --- the CLI -------------------------------------------------------------

    def cli_argv(self, identity, *command):
        return [self.cli, "-c", self.url, "-i", identity, "--timeout", str(self.cli_timeout),
                *command]

    def run_cli(self, identity, *command):
        """Runs one CLI App to its end: (exit status, stdout)."""
        done = subprocess.run(self.cli_argv(identity, *command), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=self.cli_err, text=True)
        return done.returncode, done.stdout

    def answers(self):
        return self.run_cli("soak-probe", "dump")[0] == 0

    def dump(self):
        """A fresh App's view (names not starting with '$'), or None."""
        status, out = self.run_cli("soak-check", "--json", "dump")
        if status not in (0, 1):
            return None
        table = {}
        for line in out.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                return None
            if not entry["name"].startswith("$"):
                table[entry["name"]] = entry.get("value")
        return table

    # --- short-lived Apps ----------------------------------------------------

    def _count(self, op, outcome):
        self.ops.setdefault(op, {"launched": 0, "ok": 0, "failed": 0})[outcome] += 1

    def _launch(self, procs, op, *command, allowed=(0,), name=None, value=None):
        self.number += 1
        proc = procs.start(self.cli_argv(f"soak-{op}-{self.number}", *command),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=self.cli_err)
        self._count(op, "launched")
        if name is None:
            self.others.append((proc, op, allowed))
        else:
            self.in_flight[name] = (proc, op, value)

    def reap(self):
        """Collects the Apps that ended; the model follows their success."""
        for name, (proc, op, value) in list(self.in_flight.items()):
            status = proc.poll()
            if status is None:
                continue
            del self.in_flight[name]
            if status != 0:
                self._count(op, "failed")
                self.failures.append(f"{op} {name}: exit status {status}")
                self.uncertain.add(name)
                continue
            self._count(op, "ok")
            self.uncertain.discard(name)
            if op == "set":
                self.model[name] = value
            else:
                self.model.pop(name, None)
        running = []
        for proc, op, allowed in self.others:
            status = proc.poll()
            if status is None:
                running.append((proc, op, allowed))
            elif status in allowed:
                self._count(op, "ok")
            else:
                self._count(op, "failed")
                self.failures.append(f"{op}: exit status {status}")
        self.others = running

    def running(self):
        return len(self.in_flight) + len(self.others)

    def churn(self, procs, second):
        """One second's short-lived Apps: each joins, does one thing, leaves."""
        if self.running() >= MAX_APPS_RUNNING:
            self._count(f"skipped ({MAX_APPS_RUNNING} Apps still running)", "launched")
            return
        rng = self.rng
        free = [n for n in CHURN_NAMES if n not in self.in_flight]
        if free:
            name = rng.choice(free)
            value = f"churn {second} {rng.randrange(10**9)}"
            self._launch(procs, "set", "set", name, value, name=name, value=value)
        removable = [n for n in self.model if n in CHURN_NAMES and n not in self.in_flight]
        if second % 3 == 0 and removable:
            name = rng.choice(removable)
            self._launch(procs, "del", "del", "--", name, name=name)
        if second % 2 == 0:
            self._launch(procs, "get", "get", "soak/steady/counter", allowed=(0, 1))
        if second % 4 == 1:
            self._launch(procs, "dump", "--json", "dump", allowed=(0, 1))
        if second % 5 == 2:
            self._launch(procs, "janitor", "del", "--", *OUTSIDE_SOAK, allowed=(0, 1))

    # --- long-lived Apps -----------------------------------------------------

    def start_long_lived(self, procs):
        """A watcher of every state and a publisher fed line by line."""
        with open(self.watch_path, "wb") as out:
            self.watcher = procs.start(self.cli_argv("soak-watch", "--json", "watch"),
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=self.cli_err)
        self.steady = procs.start(self.cli_argv("soak-steady", "set", "-l"),
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=self.cli_err)
        os.set_blocking(self.steady.stdin.fileno(), False)

    def publish_steady(self):
        """A counter and a text of 0 to 1500 bytes; a line the pipe cannot
        take now is skipped (and counted), never waited for."""
        if self.steady.poll() is not None:
            return
        self.steady_rounds += 1
        text = "".join(self.rng.choice("abcdefghij ") for _ in range(self.rng.randint(0, 1500)))
        updates = {"soak/steady/counter": str(self.steady_rounds),
                   "soak/steady/text": text.strip() or "x"}
        for name, value in updates.items():
            try:
                os.write(self.steady.stdin.fileno(), f"{name} {value}\n".encode())
                self.model[name] = value
            except BlockingIOError:
                self.steady_unsent += 1

    def end_steady(self, seconds):
        """Ends the publisher's input; its exit status once it has flushed."""
        self.steady.stdin.close()
        try:
            return self.steady.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return "still running"

    def watched_table(self, hub_figures=False):
        """The watcher's replica, rebuilt from its output: the names not
        starting with '$', or with hub_figures, the hub's own ($hub/...)."""
        table = {}
        try:
            with open(self.watch_path, errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line still being written
                    if entry.get("removed"):
                        table.pop(entry["name"], None)
                    else:
                        table[entry["name"]] = entry.get("value")
        except OSError:
            pass
        return {n: v for n, v in table.items() if n.startswith("$") == hub_figures}

    # --- the hub itself ------------------------------------------------------

    def sample(self, seconds):
        if self.proc.poll() is not None:
            return
        kib, cpu = rss_kib(self.proc.pid), cpu_seconds(self.proc.pid)
        if kib is not None:
            self.rss.append((seconds, kib))
        if cpu is not None:
            self.cpu = (seconds, cpu)

    def terminate(self, seconds):
        """SIGTERM; the exit status, or a text if it does not end in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.exit_status = self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.exit_status = f"still running {seconds} s after SIGTERM"
        return self.exit_status
