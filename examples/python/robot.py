# SPDX-License-Identifier: MIT
"""A Python App: publishes robot/speed, then prints every change for a while.

    scripts/python examples/python/robot.py [URL] [SECONDS]
"""
import sys

from nanostate import Nanostate

url = sys.argv[1] if len(sys.argv) > 1 else None          # default tcp://127.0.0.1:15000
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10

with Nanostate(url, identity="robot") as app:
    app.set("robot/speed", 0.7)
    app.flush(5)                                             # the hub has it
    print("robot/speed =", app.get("robot/speed"), flush=True)
    for update in app.iter_updates(timeout=seconds):
        print(update.name, "=", update.value, "from", update.sender, flush=True)
