#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Soak test: the hubs under a long mix of valid and invalid traffic.

Starts nanostate-hub (with a state file) and nanostate-hubws (-platform
offscreen, monitor window included), each on its own ipc:// bus, and for the
given time sends each of them, every second or faster:

  - Apps that join and leave: the nanostate CLI sets, removes, gets and
    dumps soak/churn/* states (one process each: one join, one leave);
  - a long-lived App publishing soak/steady/* ten times a second
    (nanostate set -l) and a long-lived App watching everything
    (nanostate --json watch);
  - garbage on a raw NN_BUS socket (rawbus.py): random bytes, every frame of
    tests/vectors/frames.json (valid and invalid, hub-to-App frames too),
    those frames mutated, truncated and spliced, original-App frames, a
    frame over --max-frame every second, the socket closed and opened again
    every 5 s;
  - a janitor App removing every state outside soak/ every 5 s, so that what
    the garbage creates does not pile up;
  - on nanostate-hubws's WebSocket port (ws_traffic.mjs, Node): Apps joining
    and leaving, raw clients sending garbage and dropping, half-sent HTTP
    requests, GETs of the web page.

It samples each hub's resident memory (VmRSS), then stops the traffic and
checks: the hubs stayed up, every App command succeeded, the tables
converge (a fresh App's dump and the long-lived Apps' replicas agree, and
hold exactly the soak/ states the drivers know they set), the hubs still
answer, the RSS at the end is within a tolerance of the RSS after warm-up
(not in sanitizer or valgrind runs, whose allocators hold memory on
purpose), and each hub exits 0 on SIGTERM with no sanitizer report. With
--valgrind, nanostate-hub alone runs under valgrind's memcheck, and any
error or definite or indirect leak fails.

Prints TAP (one result per check, the figures as comments), then a line
"soak: PASS" or "soak: FAIL (N of M checks failed)"; exit status 0 only
when every check passed. Python's standard library only; node for the
WebSocket part.
"""

import argparse
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time

from hubs import OUTSIDE_SOAK, Hub, Processes, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer")
MAX_FRAME = 65536
HUB_OPTIONS = ["--heartbeat", "250", "--stats=1000", "--max-frame", str(MAX_FRAME)]
TICK_S = 0.1  # garbage and steady updates every tick, the rest every second
GARBAGE_PER_TICK = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, help="build folder (with bin/)")
    parser.add_argument("--seconds", type=float, default=600, help="traffic time (default 600)")
    parser.add_argument("--tmp", help="folder for sockets and logs (default: a new one)")
    parser.add_argument("--seed", type=int, help="random seed (default: from the clock)")
    parser.add_argument("--sample", type=float, default=2.0, help="RSS sampling period, s")
    parser.add_argument("--warmup", type=float,
                        help="traffic seconds before the RSS reference "
                             "(default: a fifth of the run, 10 to 180 s)")
    parser.add_argument("--rss-tolerance-kib", type=int, default=2048,
                        help="RSS growth allowed after warm-up, KiB (default 2048) ...")
    parser.add_argument("--rss-tolerance-pct", type=float, default=10.0,
                        help="... or this percentage of the warm RSS if more (default 10)")
    parser.add_argument("--valgrind", action="store_true",
                        help="nanostate-hub alone, under valgrind memcheck")
    parser.add_argument("--summary", help="also write the figures as JSON to this file")
    args = parser.parse_args()
    if args.warmup is None:
        # nanostate-hubws's monitor keeps the last 5000 log lines: at the
        # soak's rate of rejected frames they fill in about 3 minutes.
        args.warmup = min(180.0, max(10.0, args.seconds / 5))
    if args.seed is None:
        args.seed = int(time.time() * 1000) % 1000000007
    return args


# ---------------------------------------------------------------------------
# TAP and diagnostics

class Tap:
    def __init__(self):
        self.number = 0
        self.failed = 0

    @staticmethod
    def comment(text):
        for line in str(text).splitlines() or [""]:
            print(f"# {line}", flush=True)

    def result(self, ok, description, diagnostics=()):
        self.number += 1
        print(f"{'ok' if ok else 'not ok'} {self.number} - {description}", flush=True)
        if not ok:
            self.failed += 1
            for diagnostic in diagnostics:
                for line in str(diagnostic).splitlines():
                    print(f"#   {line}", flush=True)

    def skip(self, description, reason):
        self.number += 1
        print(f"ok {self.number} - {description} # SKIP {reason}", flush=True)


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def sanitizer_lines(path, limit=20):
    try:
        with open(path, errors="replace") as f:
            return [line.rstrip() for line in f if SANITIZER_REPORT.search(line)][:limit]
    except OSError:
        return []


def differences(want, got, limit=10):
    """Lines saying how the table got differs from want."""
    if got is None:
        return ["(no table)"]
    lines = []
    for name in sorted(set(want) | set(got)):
        if name not in got:
            lines.append(f"missing {name!r} = {want[name]!r:.80}")
        elif name not in want:
            lines.append(f"extra {name!r} = {got[name]!r:.80}")
        elif want[name] != got[name]:
            lines.append(f"{name!r}: want {want[name]!r:.60}, got {got[name]!r:.60}")
        if len(lines) >= limit:
            lines.append("...")
            break
    return lines


def soak_states(table, uncertain=()):
    """The soak/ states of table, but those whose last update failed (the
    hub may or may not have it; the failure is reported already)."""
    return {n: v for n, v in (table or {}).items()
            if n.startswith("soak/") and n not in uncertain}


def rss_figures(samples, warmup):
    """Start, after warm-up, end and peak RSS, and the least-squares slope
    after warm-up."""
    if not samples:
        return None
    after = [s for s in samples if s[0] >= warmup] or samples[-1:]
    kib = [k for _, k in samples]
    figures = {"start_kib": kib[0], "warm_kib": after[0][1], "end_kib": kib[-1],
               "peak_kib": max(kib), "samples": len(kib)}
    if len(after) >= 3:
        n = len(after)
        mean_t = sum(t for t, _ in after) / n
        mean_k = sum(k for _, k in after) / n
        var = sum((t - mean_t) ** 2 for t, _ in after)
        slope = sum((t - mean_t) * (k - mean_k) for t, k in after) / var if var else 0.0
        figures["slope_kib_per_min"] = round(slope * 60, 1)
    return figures


def is_sanitized(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return "libasan" in out


# ---------------------------------------------------------------------------
# Node's WebSocket traffic, steered over its stdin and stdout

class WsTraffic:
    def __init__(self, procs, ws_url, seed, log_path):
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = procs.start(
                ["node", os.path.join(HERE, "ws_traffic.mjs"), ws_url,
                 os.path.join(SOURCE, "jsnanostate"), str(seed)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def ask(self, command, timeout):
        """Sends a command (None: none) and returns the next JSON answer, or
        None if none comes in time."""
        if command:
            try:
                self.proc.stdin.write(command + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                return None
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return json.loads(line) if line else None


# ---------------------------------------------------------------------------
# The soak, phase by phase

class Soak:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.join(os.path.abspath(args.build), "bin")
        self.tmp = args.tmp or os.path.join("/tmp", f"nanostate-soak.{os.getpid()}")
        os.makedirs(self.tmp, exist_ok=True)
        self.sanitized = is_sanitized(os.path.join(self.bin, "nanostate-hub"))
        slow = args.valgrind or self.sanitized
        self.start_timeout = 60 if slow else 20
        self.valgrind_log = os.path.join(self.tmp, "valgrind.log")
        self.tap = Tap()
        self.procs = Processes()
        self.ws = None
        self.ws_report = None
        self.traffic_s = 0.0
        self.summary = {"seconds": args.seconds, "seed": args.seed, "sanitized": self.sanitized,
                        "valgrind": args.valgrind, "warmup_s": args.warmup}
        rng = random.Random(args.seed)
        cli = os.path.join(self.bin, "nanostate")
        cli_timeout = 10000 if slow else 5000
        self.hub = Hub("nanostate-hub", f"ipc://{self.tmp}/hub.sock", self.tmp, cli,
                       cli_timeout, random.Random(rng.random()), MAX_FRAME)
        self.hubws = None
        self.hubs = [self.hub]
        if not args.valgrind:
            self.hubws = Hub("nanostate-hubws", f"ipc://{self.tmp}/hubws.sock", self.tmp, cli,
                             cli_timeout, random.Random(rng.random()), MAX_FRAME)
            self.hubs.append(self.hubws)

    def run(self):
        """All phases; the exit status."""
        args = self.args
        self.tap.comment(
            f"seed {args.seed}, {args.seconds:g} s of traffic, warm-up {args.warmup:g} s"
            f"{', sanitizer build' if self.sanitized else ''}"
            f"{', nanostate-hub under valgrind' if args.valgrind else ''}; logs in {self.tmp}")
        try:
            if self.start():
                self.traffic()
                self.stop_traffic()
                self.check_convergence()
                self.check_answers()
                self.check_memory()
                self.check_exit()
        finally:
            self.procs.stop_all()
            for h in self.hubs:
                h.raw.close()
            if args.summary:
                with open(args.summary, "w") as f:
                    json.dump(self.summary, f, indent=1)
        tap = self.tap
        print(f"1..{tap.number}")
        print("soak: PASS" if tap.failed == 0 else
              f"soak: FAIL ({tap.failed} of {tap.number} checks failed)")
        return 1 if tap.failed else 0

    # --- start ---------------------------------------------------------------

    def start(self):
        hub, hubws = self.hub, self.hubws
        wrapper = []
        if self.args.valgrind:
            wrapper = ["valgrind", "--tool=memcheck", "--leak-check=full",
                       "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                       "--num-callers=40", f"--log-file={self.valgrind_log}",
                       f"--suppressions={os.path.join(HERE, 'valgrind.supp')}"]
        with open(hub.err_path, "wb") as err:
            hub.proc = self.procs.start(
                wrapper + [os.path.join(self.bin, "nanostate-hub"), "-b", hub.url,
                           "--state-file", os.path.join(self.tmp, "hub.state"), *HUB_OPTIONS],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        ws_url = None
        if hubws:
            with open(hubws.err_path, "wb") as err:
                hubws.proc = self.procs.start(
                    [os.path.join(self.bin, "nanostate-hubws"), "-platform", "offscreen",
                     "-b", hubws.url, "--ws-port", "0", *HUB_OPTIONS],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)

            def find_ws_url():
                match = re.search(r"listening on (ws://\S+/ws)", tail(hubws.err_path, 50))
                return match.group(1) if match else None
            ws_url = wait_until(self.start_timeout, find_ws_url)
        started = all(wait_until(self.start_timeout, h.answers, 0.2) for h in self.hubs)
        started = started and (ws_url or not hubws)
        self.tap.result(started, "the hubs start and answer Apps",
                        [f"{h.name}:\n{tail(h.err_path)}" for h in self.hubs])
        if not started:
            print("Bail out! the hubs did not start")
            return False
        for h in self.hubs:
            h.start_long_lived(self.procs)
            h.raw.open()
        if hubws:
            self.ws = WsTraffic(self.procs, ws_url, self.args.seed,
                                os.path.join(self.tmp, "ws_traffic.err"))
            ready = self.ws.ask(None, self.start_timeout)
            if not (ready and ready.get("ready")):
                self.tap.result(False, "the WebSocket traffic starts", [tail(self.ws.log_path)])
                print("Bail out! node could not start the WebSocket traffic")
                return False
        return True

    # --- traffic -------------------------------------------------------------

    def traffic(self):
        """Every tick garbage frames and a steady update, every second the
        short-lived Apps, an oversize frame, now and then a new raw socket;
        RSS samples. Stops early if a hub dies."""
        args = self.args
        t0 = time.monotonic()
        next_sample = 0.0
        second = -1
        tick = 0
        while True:
            elapsed = time.monotonic() - t0
            if elapsed >= args.seconds:
                break
            dead = [h for h in self.hubs if h.proc.poll() is not None]
            for h in dead:
                h.died_at = elapsed
            if dead:
                break
            for h in self.hubs:
                h.reap()
                h.publish_steady()
                for _ in range(GARBAGE_PER_TICK):
                    h.raw.send(h.garbage.frame())
            if int(elapsed) != second:
                second = int(elapsed)
                for h in self.hubs:
                    h.churn(self.procs, second)
                    h.raw.send(h.garbage.oversize())
                    if second % 5 == 4:
                        h.raw.open()
                self.procs.forget_finished()
            if elapsed >= next_sample:
                for h in self.hubs:
                    h.sample(elapsed)
                next_sample += args.sample
            tick += 1
            time.sleep(max(0.0, t0 + tick * TICK_S - time.monotonic()))
        self.traffic_s = time.monotonic() - t0
        self.summary["traffic_s"] = round(self.traffic_s, 1)

    def stop_traffic(self):
        """Each driver ends and says what it knows the hub accepted."""
        tap = self.tap
        if self.ws:
            self.ws_report = self.ws.ask("stop", 60)
        for h in self.hubs:
            h.raw.close()
            status = h.end_steady(self.start_timeout)
            if status != 0:
                h.failures.append(f"the steady publisher (set -l): exit status {status}")
                h.uncertain.update(("soak/steady/counter", "soak/steady/text"))
            wait_until(self.start_timeout, lambda h=h: h.reap() or h.running() == 0)
            if h.running():
                h.failures.append(f"{h.running()} Apps still running")
            if h.watcher.poll() is not None:
                h.failures.append(f"the watcher (watch): exit status {h.watcher.poll()}")
        for h in self.hubs:
            tap.result(h.died_at is None and h.proc.poll() is None,
                       f"{h.name} stays up through {self.traffic_s:.0f} s of traffic",
                       [f"exit status {h.proc.poll()} after {h.died_at} s", tail(h.err_path)])
        for h in self.hubs:
            for op, n in sorted(h.ops.items()):
                tap.comment(f"{h.name}: {op}: {n['launched']} Apps, {n['ok']} ok, "
                            f"{n['failed']} failed")
            tap.comment(f"{h.name}: steady publisher: {h.steady_rounds} rounds of 2 updates"
                        f" ({h.steady_unsent} not written: pipe full)")
            tap.comment(f"{h.name}: raw NN_BUS frames: {json.dumps(h.garbage.counts)}, "
                        f"{h.raw.unsent} not sent, socket opened {h.raw.opened} times")
            figures = h.watched_table(hub_figures=True)
            rejected = figures.get("$hub/rejected")
            tap.comment(f"{h.name}: frames it rejected ($hub/rejected): {rejected}")
            tap.result(not h.failures, f"{h.name}: every App command succeeds",
                       h.failures[:20] + [tail(h.cli_err_path)])
            self.summary[h.name] = {"ops": h.ops, "steady_rounds": h.steady_rounds,
                                    "hub_rejected": rejected,
                                    "raw_frames": h.garbage.counts, "raw_unsent": h.raw.unsent,
                                    "raw_reconnects": h.raw.opened}
        if self.ws:
            report = self.ws_report
            if report:
                tap.comment(f"nanostate-hubws: WebSocket traffic: {json.dumps(report['counts'])}")
                self.summary[self.hubws.name]["websocket"] = report["counts"]
                self.hubws.model.update(report["model"])
                self.hubws.uncertain.update(report["uncertain"])
            ok = bool(report) and not report["errors"] and report["counts"]["apps_joined"] > 0
            tap.result(ok, "WebSocket Apps join, set and leave, raw clients drop, without errors",
                       [json.dumps(report)[:2000] if report else "no report from node",
                        tail(self.ws.log_path)])

    # --- checks --------------------------------------------------------------

    def check_convergence(self):
        """After a last janitor and a marker state: a fresh App's dump and
        the long-lived watcher agree on every state, and their soak/ states
        are exactly those the drivers know they set; so are the long-lived
        WebSocket App's (hubws)."""
        marker = f"end-{self.args.seed}"
        for h in self.hubs:
            h.run_cli("soak-janitor", "del", "--", *OUTSIDE_SOAK)
            if h.run_cli("soak-marker", "set", "soak/marker", marker)[0] == 0:
                h.model["soak/marker"] = marker
        for h in self.hubs:
            seen = {}

            model = soak_states(h.model, h.uncertain)

            def converged(h=h, seen=seen, model=model):
                seen["dump"] = h.dump()
                seen["watch"] = h.watched_table()
                return (seen["dump"] is not None and seen["dump"] == seen["watch"]
                        and soak_states(seen["dump"], h.uncertain) == model)
            ok = wait_until(20, converged, 0.25)
            diagnostics = []
            if not ok:
                diagnostics = (["a fresh App's soak/ states against what the drivers set:"]
                               + differences(model, soak_states(seen["dump"], h.uncertain))
                               + ["the long-lived watcher against the fresh App:"]
                               + differences(seen["dump"] or {}, seen["watch"]))
            elif h is self.hubws:
                answer = self.ws.ask(f"report {marker}", 30) or {}
                table = answer.get("table")
                ok = table is not None and soak_states(table, h.uncertain) == model
                if not ok:
                    diagnostics = (["the long-lived WebSocket App's soak/ states against them:"]
                                   + (differences(model, soak_states(table, h.uncertain))
                                      if table is not None
                                      else [json.dumps(answer)]))
            left = sorted(n for n in (seen["dump"] or {}) if not n.startswith("soak/"))
            if left:
                self.tap.comment(f"{h.name}: states the janitor could not remove: {left[:10]}")
            unsure = (f", {len(h.uncertain)} left out: their last update failed"
                      if h.uncertain else "")
            self.tap.result(
                ok, f"{h.name}: the tables converge ({len(model)} soak/ states{unsure})",
                diagnostics)

    def check_answers(self):
        probe = f"probe-{self.args.seed}"
        for h in self.hubs:
            status, _ = h.run_cli("soak-probe", "set", "soak/probe", probe)
            got_status, got = h.run_cli("soak-probe", "get", "soak/probe")
            self.tap.result(status == 0 and got.rstrip("\n") == probe,
                            f"{h.name} still answers: set then get",
                            [f"set: exit status {status}", f"get: exit status {got_status}, "
                             f"{got!r}", tail(h.cli_err_path)])

    def check_memory(self):
        """The RSS at the end against the RSS after warm-up."""
        args = self.args
        for h in self.hubs:
            figures = rss_figures(h.rss, args.warmup)
            self.summary[h.name]["rss"] = figures
            self.summary[h.name]["rss_series"] = [[round(t), k] for t, k in h.rss]
            if h.cpu and h.cpu[0] > 0:
                self.summary[h.name]["cpu_s"] = round(h.cpu[1], 1)
                self.tap.comment(f"{h.name}: CPU {h.cpu[1]:.1f} s in {h.cpu[0]:.0f} s of traffic "
                                 f"({100 * h.cpu[1] / h.cpu[0]:.1f} % of a core)")
            description = f"{h.name}: RSS after warm-up is flat"
            if not figures:
                self.tap.result(False, description, ["no RSS sample"])
                continue
            growth = figures["end_kib"] - figures["warm_kib"]
            allowed = max(args.rss_tolerance_kib,
                          figures["warm_kib"] * args.rss_tolerance_pct / 100)
            self.tap.comment(
                f"{h.name}: RSS KiB start {figures['start_kib']}, after warm-up "
                f"{figures['warm_kib']}, end {figures['end_kib']}, peak {figures['peak_kib']} "
                f"({figures['samples']} samples; after warm-up: slope "
                f"{figures.get('slope_kib_per_min', '?')} KiB/min, growth {growth} KiB, "
                f"allowed {allowed:.0f})")
            if args.valgrind:
                self.tap.skip(description, "under valgrind the RSS is valgrind's")
            elif self.sanitized:
                self.tap.skip(description,
                              "AddressSanitizer's quarantine and shadow memory grow on purpose")
            else:
                self.tap.result(growth <= allowed, description,
                                [f"grew {growth} KiB after warm-up, allowed {allowed:.0f}",
                                 " ".join(str(k) for _, k in h.rss)])

    def check_exit(self):
        """SIGTERM: exit status 0, nothing from the sanitizers, and under
        valgrind no memcheck error and no definite or indirect leak."""
        if self.ws:
            self.ws.ask("quit", 0)
        for h in self.hubs:
            if h.watcher.poll() is None:
                h.watcher.send_signal(signal.SIGTERM)
                h.watcher.wait(timeout=10)
            status = h.terminate(120 if self.args.valgrind else 30)
            reports = sanitizer_lines(h.err_path) + sanitizer_lines(h.cli_err_path)
            self.tap.result(status == 0 and not reports,
                            f"{h.name} exits 0 on SIGTERM, no sanitizer report from it or its Apps",
                            [f"exit status {status}"] + reports + [tail(h.err_path)])
        if self.args.valgrind:
            self.check_valgrind()

    def check_valgrind(self):
        text = tail(self.valgrind_log, 400)
        errors = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
        leaks = {kind: re.findall(rf"{kind} lost: ([\d,]+) bytes in ([\d,]+) blocks", text)
                 for kind in ("definitely", "indirectly", "possibly")}
        self.tap.comment("valgrind: " + "; ".join(
            line.split("== ", 1)[-1].strip() for line in text.splitlines()
            if re.search(r"ERROR SUMMARY|lost:|still reachable:|All heap blocks", line)))
        self.summary["valgrind_report"] = {"errors": errors, "leaks": leaks}
        clean = errors == ["0"] and all(
            bytes_ == "0" for kind in ("definitely", "indirectly") for bytes_, _ in leaks[kind])
        self.tap.result(clean and self.hub.exit_status == 0,
                        "valgrind memcheck: no error, no definite or indirect leak",
                        [f"full report: {self.valgrind_log}", tail(self.valgrind_log, 80)])


def main():
    args = parse_args()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    return Soak(args).run()


if __name__ == "__main__":
    sys.exit(main())
