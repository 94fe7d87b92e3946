# SPDX-License-Identifier: MIT
"""asyncio integration of the App: the descriptor with add_reader, the
library's timer with the wait's timeout."""

import asyncio


async def updates(app, local):
    loop = asyncio.get_running_loop()
    sub = app._subscribe(local)
    fd = app.fileno()
    woken = asyncio.Event()
    failure = []

    def readable():
        # Level-triggered: drain now, or the loop calls us again at once.
        try:
            app.dispatch()
        except BaseException as e:  # handed to the consumer
            failure.append(e)
        woken.set()

    loop.add_reader(fd, readable)
    try:
        while True:
            app.dispatch()
            while sub.queue:
                yield sub.queue.popleft()
                if app.closed:
                    return
            if failure:
                raise failure.pop(0)
            if sub.queue:
                continue
            woken.clear()
            try:
                await asyncio.wait_for(woken.wait(), app.timeout())
            except asyncio.TimeoutError:
                pass  # timer work: the next dispatch does it
    finally:
        try:
            loop.remove_reader(fd)
        except (OSError, ValueError):
            pass  # the App was closed meanwhile
        app._unsubscribe(sub)
